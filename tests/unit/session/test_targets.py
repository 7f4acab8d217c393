"""Which service a request is for: endpoint filters and the catalog."""

from keystoneauth1 import access
from keystoneauth1.identity import generic
from keystoneauth1 import session as ks_session
import pytest

from heat_retry_plugins.retry import guards
from heat_retry_plugins.session import targets

AUTH_URL = 'http://keystone.example:5000/v3'
CATALOG = [
    {'type': 'compute', 'endpoints': [
        {'interface': 'public', 'region_id': 'RegionOne',
         'url': 'http://api.example/compute/v2.1'}]},
    {'type': 'volumev3', 'endpoints': [
        {'interface': 'public', 'region_id': 'RegionTwo',
         'url': 'http://cinder.example:8776/v3/p1'}]},
    {'type': 'load-balancer', 'endpoints': [
        {'interface': 'public', 'region_id': 'RegionOne',
         'url': 'http://api.example/load-balancer'}]},
    {'type': 'identity', 'endpoints': [
        {'interface': 'public', 'region_id': 'RegionOne',
         'url': AUTH_URL}]},
]


@pytest.fixture
def session():
    auth = generic.Password(auth_url=AUTH_URL, username='u', password='p',
                            project_id='p1', user_domain_id='default')
    auth.auth_ref = access.create(body={'token': {
        'methods': ['password'], 'expires_at': '2999-01-01T00:00:00Z',
        'project': {'id': 'p1', 'name': 'p1', 'domain': {'id': 'default'}},
        'user': {'id': 'u1', 'name': 'u', 'domain': {'id': 'default'}},
        'catalog': CATALOG}}, auth_token='t')
    return ks_session.Session(auth=auth)


@pytest.mark.parametrize('service_type, service', [
    ('compute', 'nova'), ('volumev3', 'cinder'), ('volume', 'cinder'),
    ('block-storage', 'cinder'), ('network', 'neutron'), ('image', 'glance'),
    ('orchestration', 'heat'), ('load-balancer', 'octavia'),
    ('object-store', 'swift'), ('identity', 'keystone'),
    ('container-infra', 'magnum'), ('container', 'zun'),
    ('sharev2', 'manila'), ('workflowv2', 'mistral')])
def test_an_endpoint_filter_names_the_service(session, service_type,
                                              service):
    found = targets.target_of(session, '/things?x=1', {
        'endpoint_filter': {'service_type': service_type,
                            'region_name': 'RegionOne'}})
    assert (found.service, found.path) == (service, '/things')
    region = '' if service == 'keystone' else 'RegionOne'
    assert found.key == guards.GuardKey(service, AUTH_URL, region)
    assert found.project == 'p1'


@pytest.mark.parametrize('url, service, region', [
    ('http://api.example/compute/v2.1/servers', 'nova', 'RegionOne'),
    # Version discovery: the unversioned root of an endpoint is its own.
    ('http://cinder.example:8776/', 'cinder', 'RegionTwo'),
    ('http://api.example/compute', 'nova', 'RegionOne'),
    ('http://api.example/load-balancer/v2.0/lbaas/pools', 'octavia',
     'RegionOne'),
    # Keystone is the cloud's, whichever region its catalog entry names.
    ('http://keystone.example:5000/v3/auth/tokens', 'keystone', '')])
def test_a_full_url_is_found_in_the_catalog(session, url, service, region):
    found = targets.target_of(session, url, {})
    assert (found.service, found.key.region) == (service, region)


def test_the_token_request_is_keystones_before_there_is_a_catalog():
    auth = generic.Password(auth_url=AUTH_URL, username='u', password='p')
    fresh = ks_session.Session(auth=auth)
    found = targets.target_of(fresh, AUTH_URL + '/auth/tokens', {})
    assert found.service == 'keystone' and found.project is None


def test_an_unknown_url_or_service_type_has_no_target(session):
    assert targets.target_of(session, 'http://elsewhere.example/x',
                             {}) is None
    assert targets.target_of(session, '/x', {'endpoint_filter': {
        'service_type': 'no-such-service'}}) is None

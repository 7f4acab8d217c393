#
#    Licensed under the Apache License, Version 2.0 (the "License"); you may
#    not use this file except in compliance with the License. You may obtain
#    a copy of the License at
#
#         http://www.apache.org/licenses/LICENSE-2.0
#
#    Unless required by applicable law or agreed to in writing, software
#    distributed under the License is distributed on an "AS IS" BASIS, WITHOUT
#    WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the
#    License for the specific language governing permissions and limitations
#    under the License.

"""Keystone v3: version documents, tokens, the catalog and trusts.

Through keystoneauth1, python-keystoneclient and requests.
"""

import datetime

from keystoneauth1 import exceptions as ks_exc
from keystoneauth1.identity import v3
from keystoneauth1 import session as ks_session
import pytest
import requests

from tests.unit.fakecloud import helpers


def _password(cloud, **kwargs):
    args = {'auth_url': cloud.auth_url, 'password': cloud.password}
    args.update(kwargs)
    return ks_session.Session(auth=v3.Password(**args))


def _methods(cloud, token):
    """The methods the token was issued for, as Keystone validates it."""
    response = requests.get(cloud.auth_url + '/auth/tokens', headers={
        'X-Auth-Token': token, 'X-Subject-Token': token})
    return response.json()['token']['methods']


def test_version_documents(cloud):
    root = requests.get(cloud.base_url('identity') + '/')
    assert root.status_code == 300
    (version,) = root.json()['versions']['values']
    assert version['id'].startswith('v3.') and version['status'] == 'stable'
    assert version['links'][0]['href'] == cloud.auth_url + '/'
    doc = requests.get(cloud.auth_url)
    assert doc.status_code == 200 and doc.json()['version'] == version
    assert doc.headers['x-openstack-request-id'].startswith('req-')


def test_password_auth_returns_a_scoped_token_with_a_catalog(cloud, session):
    access = session.auth.get_access(session)
    assert access.project_id == cloud.project_id
    assert access.user_id == cloud.user_id
    assert access.project_name == 'admin'
    assert set(access.role_names) >= {'admin', 'member'}
    assert access.expires > datetime.datetime.now(datetime.timezone.utc)
    assert access.issued < access.expires
    assert _methods(cloud, access.auth_token) == ['password']
    for service_type in ('identity', 'compute', 'image'):
        for interface in ('public', 'internal', 'admin'):
            assert session.get_endpoint(
                service_type=service_type, interface=interface,
                region_name='RegionOne') == cloud.endpoint(
                    service_type).rstrip('/')
    catalog = access.service_catalog.catalog
    assert all(e['region_id'] == e['region'] == 'RegionOne'
               for s in catalog for e in s['endpoints'])


def test_token_body_and_header(cloud):
    response = requests.post(cloud.auth_url + '/auth/tokens', json={
        'auth': {'identity': {'methods': ['password'], 'password': {'user': {
            'name': 'admin', 'domain': {'id': 'default'},
            'password': cloud.password}}},
            'scope': {'project': {'name': 'admin',
                                  'domain': {'name': 'Default'}}}}})
    assert response.status_code == 201
    assert response.headers['X-Subject-Token']
    token = response.json()['token']
    assert token['expires_at'].endswith('Z')
    assert token['issued_at'].endswith('Z')
    assert token['project']['domain'] == {'id': 'default',
                                          'name': 'Default'}
    assert token['user']['name'] == 'admin'
    assert cloud.password not in response.text


@pytest.mark.parametrize('kwargs', [
    {'username': 'admin', 'user_domain_id': 'default'},
    {'username': 'admin', 'user_domain_name': 'Default'},
])
def test_password_auth_by_name_or_id(cloud, kwargs):
    session = _password(cloud, project_id=cloud.project_id, **kwargs)
    assert session.auth.get_access(session).project_id == cloud.project_id
    by_id = _password(cloud, user_id=cloud.user_id,
                      project_name='admin', project_domain_id='default')
    assert by_id.auth.get_access(by_id).user_id == cloud.user_id


def test_unscoped_and_domain_scoped_tokens(cloud):
    session = _password(cloud, user_id=cloud.user_id, unscoped=True)
    access = session.auth.get_access(session)
    assert access.project_id is None and not access.has_service_catalog()
    session = _password(cloud, user_id=cloud.user_id, domain_id='default')
    assert session.auth.get_access(session).domain_id == 'default'


def test_token_method_rescopes_a_token(cloud, session):
    token = session.get_token()
    rescoped = ks_session.Session(auth=v3.Token(
        auth_url=cloud.auth_url, token=token, project_id=cloud.project_id))
    access = rescoped.auth.get_access(rescoped)
    assert access.auth_token != token
    assert 'token' in _methods(cloud, access.auth_token)


def test_wrong_password_is_a_401_with_a_json_body(cloud):
    with pytest.raises(ks_exc.Unauthorized):
        _password(cloud, username='admin', user_domain_id='default',
                  password='wrong', project_id=cloud.project_id).get_token()
    response = requests.post(cloud.auth_url + '/auth/tokens', json={
        'auth': {'identity': {'methods': ['password'], 'password': {
            'user': {'id': cloud.user_id, 'password': 'wrong'}}}}})
    assert response.status_code == 401
    assert response.json()['error']['code'] == 401
    malformed = requests.post(cloud.auth_url + '/auth/tokens', json={})
    assert malformed.status_code == 400


def test_a_user_without_password_cannot_authenticate(cloud, keystone):
    user = keystone.users.create(name='nopass')
    keystone.roles.grant(keystone.roles.list(name='member')[0], user=user,
                         project=cloud.project_id)
    with pytest.raises(ks_exc.Unauthorized):
        _password(cloud, user_id=user.id, password='',
                  project_id=cloud.project_id).get_token()


def test_validate_check_and_revoke_tokens(cloud, session):
    token = session.get_token()
    subject = helpers.make_session(cloud).get_token()
    headers = {'X-Auth-Token': token, 'X-Subject-Token': subject}
    url = cloud.auth_url + '/auth/tokens'
    response = requests.get(url, headers=headers)
    assert response.status_code == 200
    assert response.headers['X-Subject-Token'] == subject
    assert response.json()['token']['user']['id'] == cloud.user_id
    assert requests.head(url, headers=headers).status_code == 200
    assert requests.delete(url, headers=headers).status_code == 204
    assert requests.get(url, headers=headers).status_code == 404
    assert requests.get(url, headers={'X-Subject-Token': token}
                        ).status_code == 401


def test_every_other_request_needs_a_valid_token(cloud):
    for headers in ({}, {'X-Auth-Token': 'gAAAAAnonsense'}):
        response = requests.get(cloud.auth_url + '/projects',
                                headers=headers)
        assert response.status_code == 401
        assert 'WWW-Authenticate' in response.headers


def test_trusts_and_trust_scoped_tokens(cloud, keystone):
    trustee = keystone.users.create(name='heat', password='pw')
    trust = keystone.trusts.create(
        trustee_user=trustee.id, trustor_user=cloud.user_id,
        project=cloud.project_id, role_names=['member'],
        impersonation=True)
    assert keystone.trusts.get(trust.id).trustee_user_id == trustee.id
    session = _password(cloud, user_id=trustee.id, password='pw',
                        trust_id=trust.id)
    access = session.auth.get_access(session)
    assert access.trust_scoped and access.trust_id == trust.id
    assert access.user_id == cloud.user_id
    assert access.role_names == ['member']
    keystone.trusts.delete(trust)
    with pytest.raises(ks_exc.NotFound):
        keystone.trusts.get(trust.id)


def test_regions_services_and_endpoints(cloud, keystone):
    assert keystone.regions.get('RegionOne').id == 'RegionOne'
    services = {s.type for s in keystone.services.list()}
    assert {'identity', 'compute', 'image'} <= services
    compute = keystone.services.list(type='compute')[0]
    endpoints = keystone.endpoints.list(service=compute)
    assert {e.interface for e in endpoints} == {'public', 'internal',
                                                'admin'}


def test_a_user_of_a_second_domain_authenticates_by_name(cloud, keystone):
    second = keystone.domains.create('second')
    project = keystone.projects.create('p2', second)
    for domain in ('default', second.id):
        keystone.users.create('same', domain=domain, password='pw-' + domain)
    user = keystone.users.list(name='same', domain=second)[0]
    keystone.roles.grant(keystone.roles.list(name='member')[0], user=user,
                         project=project)
    session = ks_session.Session(auth=v3.Password(
        auth_url=cloud.auth_url, username='same', password='pw-' + second.id,
        user_domain_name='second', project_name='p2',
        project_domain_id=second.id))
    access = session.auth.get_access(session)
    assert access.user_id == user.id and access.project_id == project.id

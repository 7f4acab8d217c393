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

"""One retry layer for every service: each real client library over HTTP.

Each service's client is built by its ``<name>_retry`` plugin in a real
Heat context, as Heat's resources get it, and sends through the request
layer at the context's keystoneauth session (Swift through its plugin's
engine). For each: a first 503 then success costs 2 requests, a 500 on a
GET is retried, Retry-After is honoured, a POST that may have been
processed and has no reconciler is never re-sent, and a 503 that never
clears costs ``retry_max_attempts`` requests: the library's own retries
are off.
"""

import io

import pytest
from swiftclient import exceptions as swift_exceptions

from heat_retry_plugins.fakecloud import CIRROS_IMAGE_ID
from tests.functional.conftest import fault
from tests.functional.conftest import requests_to
from tests.functional.conftest import sent
from tests.unit.fakecloud import helpers


class Service:
    """How a test drives one service: a cheap GET and a POST to keep."""

    def __init__(self, name, catalog, get_route, get, post_route=None,
                 post=None):
        self.name = name                # the Heat plugin name
        self.catalog = catalog          # the fault spec's service
        self.get_route = get_route      # (regex on the path, counter key)
        self.get = get                  # get(client) -> anything
        self.post_route = post_route
        self.post = post                # post(client)

    def __repr__(self):
        return self.name


def _volume(client):
    volume = client.volumes.create(1, name='v')
    client.volumes.extend(volume, 2)


def _deactivate(client):
    client.images.deactivate(CIRROS_IMAGE_ID)


def _floating_ip(client):
    network = helpers.external_network(client)
    client.create_floatingip({'floatingip': {
        'floating_network_id': network['id']}})


def _zone(client):
    client.zones.create('example.org.', email='admin@example.org')


SERVICES = [
    Service('nova', 'compute', ('^/flavors/[^/]+$', 'compute GET /flavors/'
                                '{id}'),
            lambda c: c.flavors.get('1')),
    Service('neutron', 'network', ('^/networks$', 'network GET /networks'),
            lambda c: c.list_networks(),
            ('^/floatingips$', 'network POST /floatingips'), _floating_ip),
    Service('cinder', 'volumev3', ('^/types$', 'volumev3 GET /types'),
            lambda c: c.volume_types.list(),
            ('^/volumes/[^/]+/action$',
             'volumev3 POST /volumes/{id}/action'), _volume),
    Service('glance', 'image', ('^/images/[^/]+$',
                                'image GET /images/{id}'),
            lambda c: c.images.get(CIRROS_IMAGE_ID),
            ('/actions/deactivate$',
             'image POST /images/{id}/actions/deactivate'), _deactivate),
    Service('heat', 'orchestration', ('/stacks$',
                                      'orchestration GET /{project}/stacks'),
            lambda c: list(c.stacks.list())),
    Service('octavia', 'load-balancer', ('/lbaas/loadbalancers$',
                                         'load-balancer GET /lbaas/'
                                         'loadbalancers'),
            lambda c: c.load_balancer_list()),
    Service('designate', 'dns', ('^/zones$', 'dns GET /zones'),
            lambda c: c.zones.list(),
            ('^/zones$', 'dns POST /zones'), _zone),
    Service('keystone', 'identity', ('^/projects$',
                                     'identity GET /projects'),
            lambda c: c.client.projects.list()),
]
WITH_POST = [s for s in SERVICES if s.post is not None]


@pytest.fixture
def client(retry_plugin):
    """``client(service)``: the client of the service's retry plugin."""
    return lambda service: retry_plugin(service.name).client()


def route_counts(cloud, service):
    """The outcomes of the service's GET route."""
    return requests_to(cloud, service.get_route[1])


def get_fault(service, spec, **selector):
    return fault(service.get_route[0], 'GET', spec, service=service.catalog,
                 **selector)


# NOTE: a 503 was not processed; a 500 may have been, and a GET is
# retried all the same.
@pytest.mark.parametrize('status', [503, 500])
@pytest.mark.parametrize('service', SERVICES, ids=repr)
def test_a_first_5xx_on_a_get_then_success_costs_two_requests(
        cloud, client, service, status):
    built = client(service)
    cloud.set_faults(get_fault(service, {'status': status}))
    cloud.reset_counters()
    service.get(built)
    assert route_counts(cloud, service) == {str(status): 1, '200': 1}


@pytest.mark.parametrize('service', SERVICES, ids=repr)
def test_retry_after_is_honoured(cloud, client, sleeps, service):
    built = client(service)
    cloud.set_faults(get_fault(service, {'status': 503, 'retry_after': 3}))
    service.get(built)
    assert sleeps.delays == [3.0]


# NOTE: keystoneauth's connect_retries (client_retry_limit) would multiply
# the dropped connections by 6.
@pytest.mark.parametrize('failure, outcome', [
    ({'status': 503}, '503'), ({'kind': 'drop_before'}, 'dropped')],
    ids=['503', 'drop_before'])
@pytest.mark.parametrize('service', SERVICES, ids=repr)
def test_a_failure_that_never_clears_costs_max_attempts_requests(
        cloud, client, heat_conf, service, failure, outcome):
    heat_conf.set(client_retry_limit=5)
    built = client(service)
    cloud.set_faults(get_fault(service, failure, rate=1.0))
    cloud.reset_counters()
    with pytest.raises(Exception):
        service.get(built)
    assert route_counts(cloud, service) == {outcome: 4}


@pytest.mark.parametrize('service', SERVICES, ids=repr)
def test_a_dropped_connection_on_a_get_is_retried_by_one_layer(
        cloud, client, heat_conf, service):
    heat_conf.set(client_retry_limit=5)
    built = client(service)
    cloud.set_faults(get_fault(service, {'kind': 'drop_before'}, first=2))
    cloud.reset_counters()
    service.get(built)
    assert route_counts(cloud, service) == {'dropped': 2, '200': 1}


@pytest.mark.parametrize('service', WITH_POST, ids=repr)
def test_a_post_without_a_reconciler_is_not_sent_again_after_a_500(
        cloud, client, service):
    built = client(service)
    cloud.set_faults(fault(service.post_route[0], 'POST',
                           {'kind': 'ambiguous_500'},
                           service=service.catalog))
    with pytest.raises(Exception):
        service.post(built)
    assert sent(cloud, service.post_route[1]) == 1


@pytest.mark.parametrize('service', WITH_POST, ids=repr)
def test_a_post_that_was_not_processed_is_sent_again(cloud, client,
                                                     service):
    built = client(service)
    cloud.set_faults(fault(service.post_route[0], 'POST', {'status': 503},
                           service=service.catalog))
    service.post(built)
    assert requests_to(cloud, service.post_route[1]) == {
        '503': 1, str(_success(cloud, service)): 1}


def _success(cloud, service):
    outcomes = requests_to(cloud, service.post_route[1])
    (status,) = [s for s in outcomes if s != '503']
    assert status.startswith('2')
    return status


def test_swift_requests_are_retried_by_the_engine_not_by_swiftclient(
        cloud, swift, sleeps):
    cloud.set_faults(fault('^/AUTH_[^/]+/c1$', 'PUT', {'status': 503},
                           service='object-store'))
    swift.put_container('c1')
    assert requests_to(cloud, 'object-store PUT /{account}/{container}') \
        == {'503': 1, '201': 1}
    assert sleeps.delays == [0.5]


def test_a_swift_503_that_never_clears_costs_max_attempts_requests(
        cloud, swift):
    cloud.set_faults(fault('^/AUTH_[^/]+/c1$', 'PUT', {'status': 503},
                           service='object-store', rate=1.0))
    with pytest.raises(swift_exceptions.ClientException):
        swift.put_container('c1')
    # swiftclient alone would have sent 6 (its own 5 retries).
    assert sent(cloud, 'object-store PUT /{account}/{container}') == 4


def test_a_streamed_upload_is_sent_once_even_after_a_503(cloud, client):
    glance = client(Service('glance', 'image', None, None))
    image = glance.images.create(name='upload', disk_format='raw',
                                 container_format='bare')
    cloud.set_faults(fault('^/images/[^/]+/file$', 'PUT', {'status': 503},
                           service='image'))
    with pytest.raises(Exception):
        glance.images.upload(image.id, io.BytesIO(b'x' * 4096))
    assert requests_to(cloud, 'image PUT /images/{id}/file') == {'503': 1}

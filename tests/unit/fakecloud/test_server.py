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

"""FakeCloud: lifecycle, outages, tokens and counters."""

import json
import socket
import threading

from keystoneauth1 import exceptions as ks_exc
import pytest
import requests
import urllib3

from heat_retry_plugins.fakecloud import glance
from heat_retry_plugins.fakecloud import server
from tests.unit.fakecloud import helpers

IMAGE = glance.CIRROS_IMAGE_ID


def _refused(port):
    try:
        socket.create_connection(('127.0.0.1', port), timeout=1).close()
    except ConnectionRefusedError:
        return True
    return False


def test_start_binds_every_service_on_its_own_port(cloud):
    ports = {name: cloud.port(name) for name in cloud.service_types}
    assert set(ports) == {'identity', 'compute', 'image', 'network',
                          'volumev3', 'load-balancer', 'object-store', 'dns',
                          'orchestration'}
    assert len(set(ports.values())) == len(ports)
    assert 0 not in ports.values()
    assert cloud.auth_url == 'http://127.0.0.1:%d/v3' % ports['identity']
    assert cloud.endpoint('compute') == 'http://127.0.0.1:%d/v2.1' % (
        ports['compute'])
    assert cloud.endpoint('image') == 'http://127.0.0.1:%d' % ports['image']
    assert cloud.endpoint('object-store') == (
        'http://127.0.0.1:%d/v1/AUTH_%s' % (ports['object-store'],
                                            cloud.project_id))
    assert cloud.endpoint('object-store', 'p2').endswith('/v1/AUTH_p2')
    assert (cloud.username, cloud.project_name, cloud.domain_id,
            cloud.region) == ('admin', 'admin', 'default', 'RegionOne')
    assert cloud.password and cloud.user_id and cloud.project_id
    with pytest.raises(ValueError):
        cloud.endpoint('volume')


def test_context_manager_stops_everything():
    before = threading.active_count()
    with server.FakeCloud() as cloud:
        port = cloud.port('compute')
        session = requests.Session()
        assert session.get(cloud.base_url('compute') + '/').ok
    assert _refused(port)
    helpers.poll(lambda: threading.active_count() <= before)


def test_stop_closes_open_keepalive_connections(cloud):
    connection = socket.create_connection(('127.0.0.1', cloud.port('image')))
    connection.sendall(b'GET / HTTP/1.1\r\nHost: x\r\n\r\n')
    assert connection.recv(12) == b'HTTP/1.1 300'
    cloud.stop()
    connection.settimeout(2)
    while connection.recv(65536):
        pass   # the rest of the response, then EOF
    connection.close()


def test_a_stopped_cloud_restarts_on_the_same_ports(cloud, nova):
    server_ = nova.servers.create('kept', IMAGE, '1')
    ports = [cloud.port(name) for name in cloud.service_types]
    cloud.stop()
    assert all(_refused(port) for port in ports)
    cloud.start()
    assert [cloud.port(name) for name in cloud.service_types] == ports
    assert nova.servers.get(server_.id).name == 'kept'


def test_port_base_fixes_the_ports(make_cloud):
    probe = socket.socket()
    probe.bind(('127.0.0.1', 0))
    base = probe.getsockname()[1]
    probe.close()
    try:
        cloud = make_cloud(port_base=base)
    except OSError:
        pytest.skip('ports %d.. are busy' % base)
    assert [cloud.port(n) for n in cloud.service_types] == [
        base + index for index in range(len(cloud.service_types))]


def test_set_down_refuses_connections_and_set_up_reuses_the_port(cloud,
                                                                 nova):
    assert nova.flavors.get('1')
    port = cloud.port('compute')
    cloud.set_down('compute')
    assert not cloud.is_up('compute')
    assert _refused(port)
    with pytest.raises(ks_exc.ConnectFailure) as info:
        nova.flavors.get('1')
    chain = helpers.exception_chain(info.value)
    assert any(isinstance(e, urllib3.exceptions.NewConnectionError)
               for e in chain)
    assert any(isinstance(e, ConnectionRefusedError) for e in chain)
    # Other services are not affected.
    assert requests.get(cloud.auth_url).ok
    cloud.set_up('compute')
    assert cloud.port('compute') == port
    assert nova.flavors.get('1').name == 'm1.tiny'
    assert cloud.counters()['requests']['compute GET /flavors/{id}'] == {
        '200': 2}


def test_services_go_down_and_up_over_http(cloud, nova):
    control = cloud.base_url('identity') + '/_fake/services/compute/'
    assert requests.post(control + 'down').status_code == 204
    with pytest.raises(ks_exc.ConnectFailure):
        nova.flavors.get('1')
    assert requests.post(control + 'up').status_code == 204
    assert nova.flavors.get('1')
    assert requests.post(cloud.base_url('identity') +
                         '/_fake/services/volume/down').status_code == 404


def test_a_service_can_take_itself_down_over_http(cloud):
    url = cloud.base_url('image') + '/_fake/services/image/down'
    assert requests.post(url).status_code == 204
    assert _refused(cloud.port('image'))


def test_expire_tokens_gives_401_then_keystoneauth_reauthenticates(
        cloud, session, nova):
    token = session.get_token()
    headers = {'X-Auth-Token': token}
    assert requests.get(cloud.endpoint('compute') + '/flavors',
                        headers=headers).ok
    assert cloud.expire_tokens() == 1
    response = requests.get(cloud.endpoint('compute') + '/flavors',
                            headers=headers)
    assert response.status_code == 401
    assert response.headers['WWW-Authenticate'] == (
        'Keystone uri="%s"' % cloud.auth_url)
    assert response.json()['error']['code'] == 401
    assert nova.flavors.list()
    assert session.get_token() != token
    outcomes = cloud.counters()['requests']['compute GET /flavors/detail']
    assert outcomes == {'200': 1, '401': 1}


def test_tokens_expire_after_their_ttl(make_cloud):
    cloud = make_cloud(token_ttl=1.0)
    token = helpers.make_session(cloud).get_token()
    url = cloud.endpoint('compute') + '/flavors'
    assert requests.get(url, headers={'X-Auth-Token': token}).ok
    helpers.poll(lambda: requests.get(
        url, headers={'X-Auth-Token': token}).status_code == 401)


def test_counters_shape_and_reset(cloud, nova):
    nova.servers.create('a', IMAGE, '1')
    nova.servers.create('a', IMAGE, '2')
    nova.servers.create('b', IMAGE, '1')
    counters = cloud.counters()
    assert json.loads(json.dumps(counters)) == counters
    assert set(counters) == {'requests', 'requests_total', 'faults',
                             'faults_total', 'created', 'live',
                             'live_objects', 'duplicates',
                             'duplicates_total'}
    assert counters['requests']['compute POST /servers'] == {'202': 3}
    assert counters['requests_total'] == sum(
        sum(v.values()) for v in counters['requests'].values())
    assert counters['created']['server'] == 3
    assert set(counters['created'].values()) == {0, 3}
    assert counters['live']['server'] == 3
    assert sorted(o['name'] for o in counters['live_objects']['server']) == [
        'a', 'a', 'b']
    assert counters['duplicates']['server'] == 1
    assert sum(counters['duplicates'].values()) == 1
    assert counters['duplicates_total'] == 1
    over_http = requests.get(cloud.base_url('identity') +
                             '/_fake/counters').json()
    assert over_http == cloud.counters()
    cloud.reset_counters()
    counters = cloud.counters()
    assert counters['requests'] == {} and counters['requests_total'] == 0
    assert counters['created']['server'] == 0
    assert counters['live']['server'] == 3
    assert counters['duplicates_total'] == 1
    assert requests.post(cloud.base_url('identity') +
                         '/_fake/counters/reset').status_code == 204


def test_duplicates_count_extra_objects_sharing_a_name(cloud, nova):
    for _ in range(3):
        nova.servers.create('web', IMAGE, '1')
    assert cloud.counters()['duplicates']['server'] == 2
    nova.servers.delete(cloud.objects('server')[0]['id'])
    assert cloud.counters()['duplicates']['server'] == 1


def test_objects_lists_live_api_objects_without_secrets(cloud, keystone):
    assert cloud.objects('project') == []
    keystone.users.create(name='alice', password='s3cret')
    (user,) = cloud.objects('user')
    assert user['name'] == 'alice' and 'password' not in user
    url = cloud.base_url('identity') + '/_fake/objects/user'
    assert [u['name'] for u in requests.get(url).json()['objects']] == [
        'alice']
    assert 's3cret' not in requests.get(url).text


def test_unknown_routes_are_counted_as_unknown(cloud, session):
    response = session.get(cloud.endpoint('compute') + '/os-nothing',
                           raise_exc=False)
    assert response.status_code == 404
    assert response.json()['itemNotFound']['code'] == 404
    response = session.patch(cloud.endpoint('compute') + '/flavors',
                             raise_exc=False)
    assert response.status_code == 405
    requests_ = cloud.counters()['requests']
    assert requests_['compute GET <unknown>'] == {'404': 1}
    assert requests_['compute PATCH /flavors'] == {'405': 1}

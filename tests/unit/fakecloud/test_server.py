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

"""FakeCloud: lifecycle, outages, timers, tokens and counters."""

import json
import socket
import threading

from keystoneauth1 import exceptions as ks_exc
from novaclient import exceptions as nova_exc
import pytest
import requests
import urllib3

from heat_retry_plugins.fakecloud import glance
from heat_retry_plugins.fakecloud import server
from tests.unit.fakecloud import helpers

IMAGE = glance.CIRROS_IMAGE_ID


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
    assert helpers.refused(port)
    helpers.poll(lambda: threading.active_count() <= before)


def test_a_stopped_cloud_restarts_on_the_same_ports(cloud, nova):
    server_ = nova.servers.create('kept', IMAGE, '1')
    ports = [cloud.port(name) for name in cloud.service_types]
    cloud.stop()
    assert all(helpers.refused(port) for port in ports)
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
    assert nova.flavors.get('1').name == 'm1.tiny'
    port = cloud.port('compute')
    cloud.set_down('compute')
    assert not cloud.is_up('compute')
    assert helpers.refused(port)
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


def test_objects_lists_live_api_objects_without_secrets(cloud, keystone):
    assert cloud.objects('project') == []
    keystone.users.create(name='alice', password='s3cret')
    (user,) = cloud.objects('user')
    assert user['name'] == 'alice' and 'password' not in user
    url = cloud.base_url('identity') + '/_fake/objects/user'
    assert [u['name'] for u in requests.get(url).json()['objects']] == [
        'alice']
    assert 's3cret' not in requests.get(url).text


def timers():
    return {t for t in threading.enumerate()
            if isinstance(t, threading.Timer)}


@pytest.mark.parametrize('cancel', [
    pytest.param(lambda cloud: cloud.stop(), id='stop'),
    pytest.param(lambda cloud: cloud.set_faults([]), id='set_faults'),
])
def test_stop_and_set_faults_cancel_the_pending_late_creates(make_cloud,
                                                             cancel):
    cloud = make_cloud(faults=[{
        'service': 'compute', 'method': 'POST', 'path': '^/servers$',
        'first': 1, 'fault': {'kind': 'slow_create', 'seconds': 60}}])
    nova = helpers.nova(helpers.make_session(cloud))
    before = timers()
    with pytest.raises(nova_exc.ClientException):
        nova.servers.create('never', IMAGE, '1')
    (timer,) = timers() - before
    cancel(cloud)
    assert not timer.is_alive()
    assert cloud.state.list('server') == []


def test_refuse_window_takes_the_service_down_and_back(make_cloud):
    cloud = make_cloud()
    nova = helpers.nova(helpers.make_session(cloud))
    nova.flavors.get('1')
    port = cloud.port('compute')
    cloud.set_faults([{'service': 'compute', 'window': [0, 1.0],
                       'fault': {'kind': 'refuse'}}])
    helpers.poll(lambda: not cloud.is_up('compute'))
    with pytest.raises(ks_exc.ConnectFailure) as info:
        nova.flavors.get('1')
    assert any(isinstance(e, ConnectionRefusedError)
               for e in helpers.exception_chain(info.value))
    helpers.poll(lambda: cloud.is_up('compute'))
    assert cloud.port('compute') == port
    assert nova.flavors.get('1').name == 'm1.tiny'

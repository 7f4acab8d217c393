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

"""The /_fake/ control routes: what each does, and none trusts its input."""

import json
import logging

from keystoneauth1 import exceptions as ks_exc
from novaclient import exceptions as nova_exc
import pytest
import requests

from heat_retry_plugins.fakecloud import state
from tests.unit.fakecloud import helpers

SPEC = [{'service': 'compute', 'rate': 0.5, 'fault': 503}]


@pytest.fixture
def control(make_cloud, caplog):
    """A cloud with one rule and seed 4, and the URL of its routes."""
    caplog.set_level(logging.DEBUG)
    cloud = make_cloud(faults=SPEC, seed=4)
    return cloud, cloud.base_url('compute') + '/_fake'


def assert_error(response, status):
    assert response.status_code == status
    error = response.json()['error']
    assert error['code'] == status and error['message']
    return error['message']


def assert_no_traceback(caplog):
    assert not [r for r in caplog.records if r.exc_info]
    assert 'Traceback' not in caplog.text


def test_a_json_string_is_not_read_as_a_file(control, tmp_path, caplog):
    cloud, url = control
    path = tmp_path / 'faults.json'
    path.write_text(json.dumps([{'fault': 500}, {'fault': 502}]))
    message = assert_error(requests.post(url + '/faults',
                                         json=str(path)), 400)
    assert 'list of rules' in message
    assert len(cloud.faults.rules) == 1
    assert_no_traceback(caplog)


@pytest.mark.parametrize('body', [None, 42, True, 'faults.yaml'])
def test_a_body_that_is_no_spec_is_rejected(control, body, caplog):
    cloud, url = control
    assert_error(requests.post(url + '/faults', json=body), 400)
    assert [r.fault.status for r in cloud.faults.rules] == [503]
    assert_no_traceback(caplog)


def test_a_bad_regex_is_a_400_with_a_json_body(control, caplog):
    cloud, url = control
    response = requests.post(url + '/faults', json=[
        {'path': '^/servers(', 'fault': 503}])
    message = assert_error(response, 400)
    assert "rule 0: path '^/servers(' is not a valid regular" in message
    assert response.headers['Content-Type'] == 'application/json'
    assert cloud.faults.rules[0].path is None
    assert_no_traceback(caplog)


@pytest.mark.parametrize('seed', ['abc', True, 1.5, -1, [1]])
def test_a_bad_seed_leaves_seed_and_spec_untouched(control, seed, caplog):
    cloud, url = control
    rules = cloud.faults.rules
    message = assert_error(requests.post(url + '/faults', json={
        'faults': [{'fault': 500}], 'seed': seed}), 400)
    assert 'seed must be a non-negative integer' in message
    assert cloud.faults.seed == 4 and cloud.faults.rules == rules
    # Later specs are still accepted.
    response = requests.post(url + '/faults', json={'faults': SPEC,
                                                    'seed': 8})
    assert response.json() == {'rules': 1}
    assert cloud.faults.seed == 8
    assert_no_traceback(caplog)


@pytest.mark.parametrize('body', [
    [{'fault': 503, 'method': [1]}],
    [{'fault': {'status': 503, 'retry_after': 'http-date:+1' + '0' * 30}}],
    [{'fault': 503, 'window': 'soon'}],
    {'faults': [], 'colour': 'red'},
    {'faults': {'fault': 503}},
])
def test_wrong_types_are_a_400(control, body, caplog):
    cloud, url = control
    assert_error(requests.post(url + '/faults', json=body), 400)
    assert len(cloud.faults.rules) == 1
    assert_no_traceback(caplog)


def test_malformed_and_deeply_nested_bodies_are_a_400(control, caplog):
    cloud, url = control
    assert_error(requests.post(url + '/faults', data=b'[{"fault": 5'), 400)
    assert_error(requests.post(url + '/faults', data=b'\xff\xfe'), 400)
    nested = b'[' * 100000 + b']' * 100000
    assert_error(requests.post(url + '/faults', data=nested), 400)
    assert len(cloud.faults.rules) == 1
    assert_no_traceback(caplog)


def test_unknown_routes_services_and_kinds_are_a_404(control, caplog):
    cloud, url = control
    assert_error(requests.get(url + '/nothing'), 404)
    assert_error(requests.post(url + '/services/volume/down'), 404)
    assert_error(requests.post(url + '/services/compute/sideways'), 404)
    assert_error(requests.get(url + '/objects/unicorn'), 404)
    assert cloud.is_up('compute')
    # A known route with another method.
    assert_error(requests.get(url + '/faults'), 405)
    assert_no_traceback(caplog)


def test_objects_of_every_stored_kind_are_listed(control):
    cloud, url = control
    keystone = helpers.keystone(helpers.make_session(cloud))
    group = keystone.groups.create(name='ops', domain='default')
    assert requests.get(url + '/objects/group').json() == {'objects': [
        cloud.objects('group')[0]]}
    assert cloud.objects('group')[0]['id'] == group.id
    for kind in state.TRACKED_KINDS + ('flavor',):
        response = requests.get(url + '/objects/' + kind)
        assert response.status_code == 200
    assert requests.get(url + '/objects/flavor').json() == {'objects': []}


def test_a_mapping_seed_applies_over_http(control):
    cloud, url = control
    response = requests.post(url + '/faults', json={
        'faults': [{'rate': 0.5, 'fault': 503}], 'seed': 12})
    assert response.status_code == 200
    assert cloud.faults.seed == 12
    response = requests.post(url + '/faults', json=[])
    assert response.json() == {'rules': 0}
    assert cloud.faults.seed == 12


def test_set_faults_over_http_replaces_the_spec(make_cloud):
    cloud = make_cloud(faults=[{'fault': 503}])
    url = cloud.base_url('identity') + '/_fake/faults'
    response = requests.post(url, json={'faults': [
        {'service': 'compute', 'every': 2, 'fault': 500}], 'seed': 3})
    assert response.json() == {'rules': 1}
    assert cloud.faults.seed == 3
    assert requests.post(url, json=[{'fault': 'bogus'}]).status_code == 400
    assert len(cloud.faults.rules) == 1
    nova = helpers.nova(helpers.make_session(cloud))
    nova.flavors.get('1')
    with pytest.raises(nova_exc.ClientException):
        nova.flavors.get('1')


def test_services_go_down_and_up_over_http(cloud, nova):
    control = cloud.base_url('identity') + '/_fake/services/compute/'
    assert requests.post(control + 'down').status_code == 204
    with pytest.raises(ks_exc.ConnectFailure):
        nova.flavors.get('1')
    assert requests.post(control + 'up').status_code == 204
    assert nova.flavors.get('1').name == 'm1.tiny'
    assert requests.post(cloud.base_url('identity') +
                         '/_fake/services/volume/down').status_code == 404


def test_a_service_can_take_itself_down_over_http(cloud):
    url = cloud.base_url('image') + '/_fake/services/image/down'
    assert requests.post(url).status_code == 204
    assert helpers.refused(cloud.port('image'))

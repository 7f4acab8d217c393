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

"""Octavia changes: updates, duplicates refused, deletes of a tree."""

from keystoneauth1 import exceptions as ks_exc
from octaviaclient.api.v2 import octavia
from osc_lib import exceptions as osc_exc
import pytest

from tests.unit.fakecloud import helpers


def test_update_changes_fields_and_refuses_fixed_ones(api):
    lb, listener, _, _ = helpers.octavia_tree(api)
    api.load_balancer_set(lb['id'], json={'loadbalancer': {
        'name': 'renamed', 'tags': ['a']}})
    shown = api.load_balancer_show(lb['id'])
    assert (shown['name'], shown['tags']) == ('renamed', ['a'])
    assert shown['updated_at'] is not None
    with pytest.raises(octavia.OctaviaClientException) as info:
        api.listener_set(listener['id'], json={'listener': {
            'protocol_port': 81}})
    assert info.value.code == 400


def test_duplicates_are_refused(api):
    lb, _, pool, _ = helpers.octavia_tree(api)
    with pytest.raises(octavia.OctaviaClientException) as info:
        api.listener_create(json={'listener': {
            'protocol': 'TCP', 'protocol_port': 80,
            'loadbalancer_id': lb['id']}})
    assert info.value.code == 409
    with pytest.raises(octavia.OctaviaClientException) as info:
        api.member_create(pool['id'], json={'member': {
            'address': '192.0.2.10', 'protocol_port': 8080}})
    assert info.value.code == 409
    monitor = {'healthmonitor': {'pool_id': pool['id'], 'type': 'TCP',
                                 'delay': 5, 'timeout': 3, 'max_retries': 3}}
    api.health_monitor_create(json=monitor)
    with pytest.raises(octavia.OctaviaClientException) as info:
        api.health_monitor_create(json=monitor)
    assert info.value.code == 409


def test_deleting_a_load_balancer_with_children_needs_cascade(cloud, api):
    lb = helpers.octavia_tree(api)[0]
    with pytest.raises(octavia.OctaviaClientException) as info:
        api.load_balancer_delete(lb['id'])
    assert info.value.code == 400
    api.load_balancer_delete(lb['id'], cascade=True)
    assert api.load_balancer_list()['loadbalancers'] == []
    counters = cloud.counters()
    assert counters['created']['member'] == 1
    assert all(counters['live'][kind] == 0 for kind in (
        'loadbalancer', 'listener', 'pool', 'member'))


def test_children_are_deleted_before_their_load_balancer(api):
    lb, listener, pool, member = helpers.octavia_tree(api)
    api.member_delete(pool['id'], member['id'])
    api.pool_delete(pool['id'])
    assert api.listener_show(listener['id'])['default_pool_id'] is None
    api.listener_delete(listener['id'])
    api.load_balancer_delete(lb['id'])
    with pytest.raises(osc_exc.NotFound):
        api.load_balancer_show(lb['id'])


def test_drop_after_a_create_leaves_the_load_balancer(make_cloud):
    cloud = make_cloud(faults=[{
        'service': 'load-balancer', 'method': 'POST',
        'path': '^/lbaas/loadbalancers$', 'first': 1,
        'fault': 'drop_after'}])
    api = helpers.octavia(cloud, helpers.make_session(cloud))
    with pytest.raises(ks_exc.ConnectFailure):
        helpers.load_balancer(api, 'orphan')
    assert [lb['name'] for lb in cloud.objects('loadbalancer')] == [
        'orphan']
    assert cloud.counters()['requests'][
        'load-balancer POST /lbaas/loadbalancers'] == {'dropped': 1}


def test_a_503_on_a_member_create_creates_nothing(make_cloud):
    cloud = make_cloud(faults=[{
        'service': 'load-balancer', 'method': 'POST',
        'path': '/members$', 'first': 1, 'fault': 503}])
    api = helpers.octavia(cloud, helpers.make_session(cloud))
    lb = helpers.load_balancer(api)
    pool = api.pool_create(json={'pool': {
        'protocol': 'TCP', 'lb_algorithm': 'ROUND_ROBIN',
        'loadbalancer_id': lb['id']}})['pool']
    with pytest.raises(octavia.OctaviaClientException) as info:
        api.member_create(pool['id'], json={'member': {
            'address': '192.0.2.1', 'protocol_port': 80}})
    assert info.value.code == 503
    assert cloud.objects('member') == []

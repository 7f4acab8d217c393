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

"""Octavia v2 through python-octaviaclient (osc-lib's BaseAPI)."""

from keystoneauth1 import exceptions as ks_exc
from keystoneauth1.identity import v3
from keystoneauth1 import session as ks_session
from octaviaclient.api import constants
from octaviaclient.api.v2 import octavia
from osc_lib import exceptions as osc_exc
import pytest
import requests

from tests.unit.fakecloud import helpers

SUBNET = '3b9c6f0e-2d4a-4c8e-9f1b-6a7d5e4c3b2a'


def octavia_api(cloud, session):
    return octavia.OctaviaAPI(session=session,
                              endpoint=cloud.endpoint('load-balancer'))


@pytest.fixture
def api(cloud, session):
    return octavia_api(cloud, session)


def make_lb(api, name='lb', **fields):
    return api.load_balancer_create(json={'loadbalancer': dict(
        name=name, vip_subnet_id=SUBNET, **fields)})['loadbalancer']


def make_tree(api):
    lb = make_lb(api)
    listener = api.listener_create(json={'listener': {
        'name': 'web', 'protocol': 'HTTP', 'protocol_port': 80,
        'loadbalancer_id': lb['id']}})['listener']
    pool = api.pool_create(json={'pool': {
        'name': 'pool', 'protocol': 'HTTP', 'lb_algorithm': 'ROUND_ROBIN',
        'listener_id': listener['id']}})['pool']
    member = api.member_create(pool['id'], json={'member': {
        'address': '192.0.2.10', 'protocol_port': 8080,
        'subnet_id': SUBNET}})['member']
    return lb, listener, pool, member


def test_the_catalog_url_has_no_version_and_the_client_adds_v2(cloud, api):
    assert cloud.endpoint('load-balancer') == cloud.base_url('load-balancer')
    assert api.endpoint == cloud.base_url('load-balancer') + '/v2.0'
    versions = requests.get(cloud.base_url('load-balancer') + '/').json()
    assert [v['id'] for v in versions['versions']] == ['v2.0', 'v2']


def test_a_tree_is_created_linked_and_active_at_once(api):
    lb, listener, pool, member = make_tree(api)
    assert (lb['provisioning_status'], lb['vip_subnet_id']) == (
        'PENDING_CREATE', SUBNET)
    shown = api.load_balancer_show(lb['id'])
    assert (shown['provisioning_status'], shown['operating_status']) == (
        'ACTIVE', 'ONLINE')
    assert shown['listeners'] == [{'id': listener['id']}]
    assert shown['pools'] == [{'id': pool['id']}]
    assert api.listener_show(listener['id'])['default_pool_id'] == pool['id']
    shown_pool = api.pool_show(pool['id'])
    assert shown_pool['members'] == [{'id': member['id']}]
    assert shown_pool['listeners'] == [{'id': listener['id']}]
    assert api.member_show(pool['id'], member['id'])[
        'operating_status'] == 'NO_MONITOR'
    monitor = api.health_monitor_create(json={'healthmonitor': {
        'pool_id': pool['id'], 'type': 'HTTP', 'delay': 5, 'timeout': 3,
        'max_retries': 3}})['healthmonitor']
    assert api.pool_show(pool['id'])['healthmonitor_id'] == monitor['id']
    policy = api.l7policy_create(json={'l7policy': {
        'listener_id': listener['id'], 'action': 'REJECT'}})['l7policy']
    rule = api.l7rule_create(policy['id'], json={'rule': {
        'type': 'PATH', 'compare_type': 'STARTS_WITH', 'value': '/api'}})[
        'rule']
    assert api.l7policy_show(policy['id'])['rules'] == [{'id': rule['id']}]
    assert api.l7rule_show(rule['id'], policy['id'])['value'] == '/api'


def test_tenant_id_is_taken_as_project_id(cloud, api):
    lb = make_lb(api)
    listener = api.listener_create(json={'listener': {
        'protocol': 'TCP', 'protocol_port': 22, 'loadbalancer_id': lb['id'],
        'tenant_id': cloud.project_id}})['listener']
    assert listener['project_id'] == cloud.project_id


def test_a_pending_tree_is_immutable_until_provisioned(cloud, api):
    cloud.services['load-balancer'].provision_seconds = 0.3
    lb = make_lb(api)
    listener_body = {'listener': {'protocol': 'HTTP', 'protocol_port': 80,
                                  'loadbalancer_id': lb['id']}}
    with pytest.raises(octavia.OctaviaClientException) as info:
        api.listener_create(json=listener_body)
    assert info.value.code == 409
    assert 'immutable' in info.value.message
    helpers.poll(lambda: api.load_balancer_show(lb['id'])[
        'provisioning_status'] == 'ACTIVE')
    listener = api.listener_create(json=listener_body)['listener']
    assert api.load_balancer_show(lb['id'])[
        'provisioning_status'] == 'PENDING_UPDATE'
    with pytest.raises(octavia.OctaviaClientException) as info:
        api.load_balancer_set(lb['id'], json={'loadbalancer': {
            'name': 'renamed'}})
    assert info.value.code == 409
    helpers.poll(lambda: api.listener_show(listener['id'])[
        'provisioning_status'] == 'ACTIVE')
    api.listener_delete(listener['id'])
    assert api.listener_show(listener['id'])[
        'provisioning_status'] == 'PENDING_DELETE'
    helpers.poll(lambda: not api.listener_list()['listeners'])


def test_update_changes_fields_and_refuses_fixed_ones(api):
    lb, listener, _, _ = make_tree(api)
    api.load_balancer_set(lb['id'], json={'loadbalancer': {
        'name': 'renamed', 'tags': ['a']}})
    shown = api.load_balancer_show(lb['id'])
    assert (shown['name'], shown['tags']) == ('renamed', ['a'])
    assert shown['updated_at'] is not None
    with pytest.raises(octavia.OctaviaClientException) as info:
        api.listener_set(listener['id'], json={'listener': {
            'protocol_port': 81}})
    assert info.value.code == 400


def test_list_filters_by_name_tags_and_load_balancer(api):
    first = make_lb(api, 'one', tags=['heat', 'blue'])
    second = make_lb(api, 'two', tags=['heat'])
    for lb in (first, second):
        api.listener_create(json={'listener': {
            'protocol': 'HTTP', 'protocol_port': 80,
            'loadbalancer_id': lb['id']}})

    def names(**params):
        return sorted(lb['name'] for lb in api.load_balancer_list(
            **params)['loadbalancers'])

    assert names(name='one') == ['one']
    assert names(tags='heat') == ['one', 'two']
    assert names(tags='heat,blue') == ['one']
    assert names(**{'not-tags': 'blue'}) == ['two']
    assert names(**{'tags-any': 'blue,red'}) == ['one']
    listeners = api.listener_list(loadbalancer_id=second['id'])['listeners']
    assert [ls['loadbalancers'] for ls in listeners] == [
        [{'id': second['id']}]]


def test_lists_are_paginated_and_the_client_follows_the_links(api):
    for index in range(5):
        make_lb(api, 'lb%d' % index)
    page = api.list(constants.BASE_LOADBALANCER_URL, limit=2)
    assert len(page['loadbalancers']) == 2
    assert page['loadbalancers_links'][0]['rel'] == 'next'
    assert len(api.load_balancer_list(limit=2)['loadbalancers']) == 5


def test_duplicates_are_refused(api):
    lb, listener, pool, member = make_tree(api)
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


def test_bad_bodies_are_400s_with_octavias_error_body(cloud, session, api):
    with pytest.raises(octavia.OctaviaClientException) as info:
        api.load_balancer_create(json={'loadbalancer': {'name': 'novip'}})
    assert (info.value.code, 'VIP' in info.value.message) == (400, True)
    with pytest.raises(octavia.OctaviaClientException) as info:
        api.load_balancer_create(json={'loadbalancer': {
            'vip_subnet_id': SUBNET, 'colour': 'red'}})
    assert info.value.code == 400
    response = session.post(
        cloud.endpoint('load-balancer') + '/v2.0/lbaas/listeners',
        json={'listener': {'protocol': 'GOPHER', 'protocol_port': 70,
                           'loadbalancer_id': 'x'}}, raise_exc=False)
    assert response.status_code == 400
    assert set(response.json()) == {'faultcode', 'faultstring', 'debuginfo'}


def test_a_missing_object_is_not_found_by_id_or_name(api):
    with pytest.raises(osc_exc.NotFound):
        api.load_balancer_show('0b9d8c7e-6f5a-4b3c-2d1e-0f9a8b7c6d5e')
    lb = make_lb(api, 'by-name')
    assert api.find(path=constants.BASE_LOADBALANCER_URL, value='by-name',
                    attr='name')['id'] == lb['id']


def test_deleting_a_load_balancer_with_children_needs_cascade(cloud, api):
    lb, _, pool, _ = make_tree(api)
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
    lb, listener, pool, member = make_tree(api)
    api.member_delete(pool['id'], member['id'])
    api.pool_delete(pool['id'])
    assert api.listener_show(listener['id'])['default_pool_id'] is None
    api.listener_delete(listener['id'])
    api.load_balancer_delete(lb['id'])
    with pytest.raises(osc_exc.NotFound):
        api.load_balancer_show(lb['id'])


def test_counters_report_created_live_and_duplicates(cloud, api):
    make_lb(api, 'same')
    lb = make_lb(api, 'same')
    for name in ('a', 'b'):
        pool = api.pool_create(json={'pool': {
            'name': name, 'protocol': 'TCP', 'lb_algorithm': 'ROUND_ROBIN',
            'loadbalancer_id': lb['id']}})['pool']
        api.member_create(pool['id'], json={'member': {
            'name': 'web', 'address': '192.0.2.1', 'protocol_port': 80}})
    counters = cloud.counters()
    assert counters['created']['loadbalancer'] == 2
    assert counters['live']['loadbalancer'] == 2
    assert counters['duplicates']['loadbalancer'] == 1
    # Same-named members of two pools are not duplicates.
    assert (counters['live']['member'], counters['duplicates']['member']) == (
        2, 0)


def test_another_projects_objects_are_not_seen(cloud, api):
    keystone = helpers.keystone(helpers.make_session(cloud))
    project = keystone.projects.create(name='other', domain='default')
    keystone.roles.grant(keystone.roles.list(name='member')[0],
                         user=cloud.user_id, project=project)
    theirs = octavia_api(cloud, ks_session.Session(auth=v3.Password(
        auth_url=cloud.auth_url, user_id=cloud.user_id,
        password=cloud.password, project_id=project.id)))
    lb = make_lb(theirs, 'theirs')
    assert api.load_balancer_list()['loadbalancers'] == []
    with pytest.raises(osc_exc.NotFound):
        api.load_balancer_show(lb['id'])


def test_drop_after_a_create_leaves_the_load_balancer(make_cloud):
    cloud = make_cloud(faults=[{
        'service': 'load-balancer', 'method': 'POST',
        'path': '^/lbaas/loadbalancers$', 'first': 1,
        'fault': 'drop_after'}])
    api = octavia_api(cloud, helpers.make_session(cloud))
    with pytest.raises(ks_exc.ConnectFailure):
        make_lb(api, 'orphan')
    assert [lb['name'] for lb in cloud.objects('loadbalancer')] == [
        'orphan']
    assert cloud.counters()['requests'][
        'load-balancer POST /lbaas/loadbalancers'] == {'dropped': 1}


def test_a_503_on_a_member_create_creates_nothing(make_cloud):
    cloud = make_cloud(faults=[{
        'service': 'load-balancer', 'method': 'POST',
        'path': '/members$', 'first': 1, 'fault': 503}])
    api = octavia_api(cloud, helpers.make_session(cloud))
    lb = make_lb(api)
    pool = api.pool_create(json={'pool': {
        'protocol': 'TCP', 'lb_algorithm': 'ROUND_ROBIN',
        'loadbalancer_id': lb['id']}})['pool']
    with pytest.raises(octavia.OctaviaClientException) as info:
        api.member_create(pool['id'], json={'member': {
            'address': '192.0.2.1', 'protocol_port': 80}})
    assert info.value.code == 503
    assert cloud.objects('member') == []

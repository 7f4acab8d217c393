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

"""Octavia v2: trees of objects, their statuses, lists and visibility.

Through python-octaviaclient (osc-lib's BaseAPI).
"""

from octaviaclient.api import constants
from octaviaclient.api.v2 import octavia
from osc_lib import exceptions as osc_exc
import pytest
import requests

from tests.unit.fakecloud import helpers


def test_the_catalog_url_has_no_version_and_the_client_adds_v2(cloud, api):
    assert cloud.endpoint('load-balancer') == cloud.base_url('load-balancer')
    assert api.endpoint == cloud.base_url('load-balancer') + '/v2.0'
    versions = requests.get(cloud.base_url('load-balancer') + '/').json()
    assert [v['id'] for v in versions['versions']] == ['v2.0', 'v2']


def test_a_tree_is_created_linked_and_active_at_once(api):
    lb, listener, pool, member = helpers.octavia_tree(api)
    assert (lb['provisioning_status'], lb['vip_subnet_id']) == (
        'PENDING_CREATE', helpers.VIP_SUBNET)
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


def test_a_pending_tree_is_immutable_until_provisioned(cloud, api):
    cloud.services['load-balancer'].provision_seconds = 0.3
    lb = helpers.load_balancer(api)
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


def test_list_filters_by_name_tags_and_load_balancer(api):
    first = helpers.load_balancer(api, 'one', tags=['heat', 'blue'])
    second = helpers.load_balancer(api, 'two', tags=['heat'])
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
        helpers.load_balancer(api, 'lb%d' % index)
    page = api.list(constants.BASE_LOADBALANCER_URL, limit=2)
    assert len(page['loadbalancers']) == 2
    assert page['loadbalancers_links'][0]['rel'] == 'next'
    assert len(api.load_balancer_list(limit=2)['loadbalancers']) == 5


def test_a_missing_object_is_not_found_by_id_or_name(api):
    with pytest.raises(osc_exc.NotFound):
        api.load_balancer_show('0b9d8c7e-6f5a-4b3c-2d1e-0f9a8b7c6d5e')
    lb = helpers.load_balancer(api, 'by-name')
    assert api.find(path=constants.BASE_LOADBALANCER_URL, value='by-name',
                    attr='name')['id'] == lb['id']


def test_counters_report_created_live_and_duplicates(cloud, api):
    helpers.load_balancer(api, 'same')
    lb = helpers.load_balancer(api, 'same')
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
    theirs = helpers.octavia(cloud, helpers.project_session(cloud)[1])
    lb = helpers.load_balancer(theirs, 'theirs')
    assert api.load_balancer_list()['loadbalancers'] == []
    with pytest.raises(osc_exc.NotFound):
        api.load_balancer_show(lb['id'])

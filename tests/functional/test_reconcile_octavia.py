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

"""Octavia creates that never duplicate, over real HTTP.

With python-octaviaclient (full URLs, found in the catalog by the request
layer), under each ambiguous fault on 1%, 5% and 30% of the POSTs and on
the first attempts: load balancers, listeners, pools, members, health
monitors, L7 policies and rules, each carrying its token in its tags.
Another team's objects in the same tree, and its object of the same
natural key, are never adopted nor touched.
"""

from octaviaclient.api.v2 import octavia as octavia_api
import pytest

from tests.functional.conftest import AMBIGUOUS
from tests.functional.conftest import fault
from tests.functional.conftest import lands_late
from tests.functional.conftest import LATE_KINDS
from tests.functional.conftest import MARKER
from tests.functional.conftest import requests_to
from tests.functional.conftest import SELECTORS
from tests.unit.fakecloud import helpers

CREATES = 10


@pytest.fixture
def other_team(cloud):
    """Another team's client, in the same project: its objects are seeded."""
    return octavia_api.OctaviaAPI(
        session=helpers.make_session(cloud),
        endpoint=cloud.endpoint('load-balancer'))


def marked(obj):
    return [t for t in obj['tags'] if t.startswith(MARKER + '=')]


class Tree:
    """A load balancer with a listener, a pool and an L7 policy."""

    def __init__(self, client):
        self.lb = client.load_balancer_create(json={'loadbalancer': {
            'name': 'lb', 'vip_subnet_id': 'subnet'}})['loadbalancer']
        self.listener = client.listener_create(json={'listener': {
            'name': 'http', 'loadbalancer_id': self.lb['id'],
            'protocol': 'HTTP', 'protocol_port': 80}})['listener']
        self.pool = client.pool_create(json={'pool': {
            'name': 'web', 'loadbalancer_id': self.lb['id'],
            'protocol': 'HTTP', 'lb_algorithm': 'ROUND_ROBIN'}})['pool']
        self.policy = client.l7policy_create(json={'l7policy': {
            'name': 'redirect', 'listener_id': self.listener['id'],
            'action': 'REJECT'}})['l7policy']
        self.pools = []

    def more_pools(self, client, count):
        """Pools for health monitors, one monitor each."""
        self.pools = [client.pool_create(json={'pool': {
            'name': 'hm-%d' % i, 'loadbalancer_id': self.lb['id'],
            'protocol': 'HTTP', 'lb_algorithm': 'ROUND_ROBIN'}})['pool']
            for i in range(count)]


@pytest.fixture
def tree(octavia, cloud):
    made = Tree(octavia)
    made.more_pools(octavia, CREATES + 1)
    cloud.reset_counters()
    return made


class Kind:
    """How a test makes one object of a kind, the i-th of a call."""

    def __init__(self, kind, key, path, create, in_tree):
        self.kind, self.key, self.path = kind, key, path
        self.create = create      # create(client, tree, i) -> body
        self.in_tree = in_tree    # in_tree(stored object, tree) -> bool

    def make(self, client, tree, i):
        return self.create(client, tree, i)[self.key]

    def __repr__(self):
        return self.kind


KINDS = [
    Kind('loadbalancer', 'loadbalancer', '/lbaas/loadbalancers$',
         lambda c, t, i: c.load_balancer_create(json={'loadbalancer': {
             'name': 'lb-%d' % (i % 3), 'vip_subnet_id': 'subnet',
             'tags': ['web']}}),
         lambda o, t: o['id'] != t.lb['id']),
    Kind('listener', 'listener', '/lbaas/listeners$',
         lambda c, t, i: c.listener_create(json={'listener': {
             'loadbalancer_id': t.lb['id'], 'protocol': 'TCP',
             'protocol_port': 8000 + i, 'tags': ['web']}}),
         lambda o, t: o['id'] != t.listener['id']),
    Kind('pool', 'pool', '/lbaas/pools$',
         lambda c, t, i: c.pool_create(json={'pool': {
             'name': 'pool-%d' % (i % 3), 'loadbalancer_id': t.lb['id'],
             'protocol': 'TCP', 'lb_algorithm': 'ROUND_ROBIN',
             'tags': ['web']}}),
         lambda o, t: o['name'].startswith('pool-')),
    Kind('member', 'member', '/lbaas/pools/[^/]+/members$',
         lambda c, t, i: c.member_create(t.pool['id'], json={'member': {
             'address': '192.0.2.%d' % (10 + i), 'protocol_port': 80,
             'tags': ['web']}}),
         lambda o, t: o['pool_id'] == t.pool['id']),
    Kind('healthmonitor', 'healthmonitor', '/lbaas/healthmonitors$',
         lambda c, t, i: c.health_monitor_create(json={'healthmonitor': {
             'pool_id': t.pools[i]['id'], 'type': 'HTTP', 'delay': 5,
             'timeout': 3, 'max_retries': 3, 'tags': ['web']}}),
         lambda o, t: True),
    Kind('l7policy', 'l7policy', '/lbaas/l7policies$',
         lambda c, t, i: c.l7policy_create(json={'l7policy': {
             'name': 'policy-%d' % (i % 3), 'action': 'REJECT',
             'listener_id': t.listener['id'], 'tags': ['web']}}),
         lambda o, t: o['id'] != t.policy['id']),
    Kind('l7rule', 'rule', '/lbaas/l7policies/[^/]+/rules$',
         # Equal rules on purpose: only the token tells them apart.
         lambda c, t, i: c.l7rule_create(t.policy['id'], json={'rule': {
             'type': 'PATH', 'compare_type': 'STARTS_WITH',
             'value': '/api', 'tags': ['web']}}),
         lambda o, t: o['l7policy_id'] == t.policy['id']),
]


@pytest.mark.parametrize('selector', SELECTORS)
@pytest.mark.parametrize('fault_kind', AMBIGUOUS)
@pytest.mark.parametrize('kind', KINDS, ids=repr)
def test_octavia_objects(octavia, cloud, other_team, tree, kind, fault_kind,
                         selector):
    with cloud.state.preexisting():
        # Another team's object in the same tree (the last health monitor
        # pool is theirs to monitor), of the names and values ours take.
        theirs = kind.make(other_team, tree, CREATES)
    cloud.set_faults(fault(kind.path, 'POST', {'kind': fault_kind},
                           service='load-balancer', **selector))
    made = [kind.make(octavia, tree, i) for i in range(CREATES)]
    assert len({m['id'] for m in made}) == CREATES
    assert all('web' in m['tags'] and marked(m) for m in made)
    held = sorted(o['id'] for o in cloud.objects(kind.kind)
                  if kind.in_tree(o, tree))
    assert held == sorted(m['id'] for m in made)
    assert theirs['id'] not in held
    assert cloud.state.get(kind.kind, theirs['id'])['tags'] == ['web']
    assert cloud.state.seeded_summary()['preexisting_deleted_total'] == 0


def test_another_teams_member_of_the_same_address_is_never_adopted(
        octavia, cloud, other_team, tree):
    member = {'address': '192.0.2.99', 'protocol_port': 80}
    with cloud.state.preexisting():
        theirs = other_team.member_create(tree.pool['id'], json={
            'member': member})['member']
    cloud.reset_counters()
    # Processed (Octavia answers 409 inside), then a 500 instead.
    cloud.set_faults(fault('/members$', 'POST', {'kind': 'ambiguous_500'},
                           service='load-balancer'))
    with pytest.raises(octavia_api.OctaviaClientException) as err:
        octavia.member_create(tree.pool['id'], json={'member': member})
    assert err.value.code == 409
    assert requests_to(cloud, 'load-balancer POST /lbaas/pools/{parent}/'
                              'members') == {'500': 1, '409': 1}
    assert cloud.state.get('member', theirs['id'])['tags'] == []
    assert cloud.state.seeded_summary()['preexisting_deleted_total'] == 0


def test_a_resend_that_meets_our_own_late_listener_adopts_it(
        octavia, cloud, tree, sleeps):
    cloud.set_faults(fault('/listeners$', 'POST',
                           {'kind': 'slow_create', 'seconds': 0.2},
                           service='load-balancer'))
    sleeps.on_sleep = lambda: helpers.poll(
        lambda: len(cloud.objects('listener')) == 2)
    made = octavia.listener_create(json={'listener': {
        'loadbalancer_id': tree.lb['id'], 'protocol': 'TCP',
        'protocol_port': 443}})['listener']
    assert requests_to(cloud, 'load-balancer POST /lbaas/listeners') == {
        '504': 1, '409': 1}
    assert sorted(o['id'] for o in cloud.objects('listener')) == sorted(
        [tree.listener['id'], made['id']])


@pytest.mark.parametrize('late', sorted(LATE_KINDS))
def test_a_late_duplicate_load_balancer_is_swept(octavia, cloud, context,
                                                 late):
    cloud.set_faults(fault('/lbaas/loadbalancers$', 'POST',
                           lands_late(context, late),
                           service='load-balancer'))
    made = octavia.load_balancer_create(json={'loadbalancer': {
        'name': 'lb', 'vip_subnet_id': 'subnet'}})['loadbalancer']
    helpers.poll(lambda: len(cloud.objects('loadbalancer')) == 2)
    assert octavia.load_balancer_show(made['id'])['id'] == made['id']
    assert [o['id'] for o in cloud.objects('loadbalancer')] == [made['id']]

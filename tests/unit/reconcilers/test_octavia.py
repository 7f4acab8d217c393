"""Octavia's reconcilers: a token tag, found by name, key or the tag."""

import pytest

from heat_retry_plugins.reconcilers import octavia
from tests.unit.reconcilers import fakes

BASE = 'http://lb.example:9876/v2.0/lbaas'
TAG = fakes.TAG


def test_a_load_balancer_keeps_its_tags_and_gets_the_token():
    marked = octavia.LoadBalancerReconciler.mark(fakes.create(
        BASE + '/loadbalancers', {'loadbalancer': {
            'name': 'lb', 'vip_subnet_id': 's', 'tags': ['web']}}))
    assert marked.body['loadbalancer']['tags'] == ['web', TAG]


@pytest.mark.parametrize('cls, url, key, body', [
    (octavia.LoadBalancerReconciler, '/loadbalancers', 'loadbalancer',
     {'vip_subnet_id': 's'}),
    (octavia.PoolReconciler, '/pools', 'pool', {'protocol': 'HTTP'}),
    (octavia.L7PolicyReconciler, '/l7policies', 'l7policy',
     {'action': 'REJECT'}),
    (octavia.ListenerReconciler, '/listeners', 'listener',
     {'name': 'l', 'loadbalancer_id': 'lb-1'}),
    (octavia.MemberReconciler, '/pools/p/members', 'member',
     {'address': '192.0.2.1'}),
    (octavia.HealthMonitorReconciler, '/healthmonitors', 'healthmonitor',
     {'type': 'HTTP'}),
    (octavia.L7RuleReconciler, '/l7policies/p/rules', 'rule',
     {'type': 'PATH', 'value': '/api'}),
    (octavia.LoadBalancerReconciler, '/loadbalancers', 'loadbalancer',
     {'name': 'lb', 'tags': 'web'}),
])
def test_a_create_without_what_finds_it_is_sent_under_never(
        cls, url, key, body):
    assert cls.mark(fakes.create(BASE + url, {key: body})) is None


def test_is_ours_needs_this_calls_tag():
    marked = octavia.PoolReconciler.mark(fakes.create(
        BASE + '/pools', {'pool': {'name': 'web'}}))
    reconciler, _ = fakes.reconciler(octavia.PoolReconciler, marked)
    assert reconciler.is_ours(fakes.found({'tags': ['web', TAG]}))
    assert not reconciler.is_ours(fakes.found({'tags': ['web']}))


@pytest.mark.parametrize('cls, url, key, body, query', [
    (octavia.ListenerReconciler, '/listeners', 'listener',
     {'loadbalancer_id': 'lb-1', 'protocol_port': 80},
     {'loadbalancer_id': 'lb-1', 'protocol_port': '80'}),
    (octavia.MemberReconciler, '/pools/p-1/members', 'member',
     {'address': '192.0.2.1', 'protocol_port': 80},
     {'address': '192.0.2.1', 'protocol_port': '80'}),
    (octavia.HealthMonitorReconciler, '/healthmonitors', 'healthmonitor',
     {'pool_id': 'p-1', 'type': 'HTTP'}, {'pool_id': 'p-1'}),
    (octavia.PoolReconciler, '/pools', 'pool', {'name': 'web'},
     {'name': 'web'}),
    (octavia.L7RuleReconciler, '/l7policies/p-1/rules', 'rule',
     {'type': 'PATH', 'compare_type': 'EQUAL_TO', 'value': '/a,b'},
     {'tags': TAG}),
])
def test_what_a_lookup_filters_on(cls, url, key, body, query):
    marked = cls.mark(fakes.create(BASE + url, {key: body}))
    reconciler, lookup = fakes.reconciler(cls, marked, {
        cls.collection: [dict(body, id='x', tags=[TAG])]})
    assert [f.member['id'] for f in reconciler.find()] == ['x']
    assert lookup.query() == ('/v2.0/lbaas' + url, query)


@pytest.mark.parametrize('cls, swept', [
    (octavia.LoadBalancerReconciler, True), (octavia.PoolReconciler, True),
    (octavia.L7PolicyReconciler, True), (octavia.L7RuleReconciler, True),
    (octavia.ListenerReconciler, False), (octavia.MemberReconciler, False),
    (octavia.HealthMonitorReconciler, False)])
def test_only_what_can_be_duplicated_is_swept(cls, swept):
    assert cls.sweeps is swept

"""Neutron's reconcilers on bodies: the token at the end of descriptions."""

import pytest

from heat_retry_plugins.reconcilers import neutron
from heat_retry_plugins.session import ownership
from tests.unit.reconcilers import fakes

TAG = fakes.TAG
NAMED = [
    (neutron.NetworkReconciler, '/v2.0/networks', 'network'),
    (neutron.SubnetReconciler, '/v2.0/subnets', 'subnet'),
    (neutron.RouterReconciler, '/v2.0/routers', 'router'),
    (neutron.PortReconciler, '/v2.0/ports', 'port'),
    (neutron.SecurityGroupReconciler, '/v2.0/security-groups',
     'security_group'),
]


@pytest.mark.parametrize('cls, url, key', NAMED)
def test_a_named_create_gets_the_token_as_its_description(cls, url, key):
    marked = cls.mark(fakes.create(url, {key: {'name': 'web'}}))
    assert marked.body == {key: {'name': 'web', 'description': TAG}}


@pytest.mark.parametrize('cls, url, key', NAMED)
def test_a_users_description_is_kept(cls, url, key):
    marked = cls.mark(fakes.create(url, {key: {
        'name': 'web', 'description': 'web tier'}}))
    assert marked.body[key]['description'] == 'web tier ' + TAG


@pytest.mark.parametrize('cls, url, key', NAMED)
def test_tags_are_left_alone(cls, url, key):
    # NOTE: Neutron refuses tags in most create bodies; the user's stay.
    marked = cls.mark(fakes.create(url, {key: {'name': 'web',
                                               'tags': ['a']}}))
    assert marked.body[key]['tags'] == ['a']


@pytest.mark.parametrize('cls, url, key', NAMED)
@pytest.mark.parametrize('body', [
    {}, {'name': ''}, {'name': None},
    {'name': 'web', 'description': 'x' * 250},
    {'name': 'web', 'description': 7}])
def test_what_cannot_be_marked_is_sent_under_never(cls, url, key, body):
    assert cls.mark(fakes.create(url, {key: body})) is None


def test_a_bulk_create_is_sent_under_never():
    bulk = {'networks': [{'name': 'a'}, {'name': 'b'}]}
    assert neutron.NetworkReconciler.mark(fakes.create(
        '/v2.0/networks', bulk)) is None


def test_is_ours_needs_this_calls_token_in_the_description():
    reconciler, _ = fakes.reconciler(
        neutron.NetworkReconciler, neutron.NetworkReconciler.mark(
            fakes.create('/v2.0/networks', {'network': {'name': 'web'}})))
    assert reconciler.is_ours(fakes.found({'description': 'x ' + TAG}))
    assert not reconciler.is_ours(fakes.found({
        'description': ownership.tag(fakes.OTHER_TOKEN)}))
    assert not reconciler.is_ours(fakes.found({'description': ''}))
    assert not reconciler.is_ours(fakes.found({'tags': [TAG]}))


def test_a_port_is_looked_up_by_name_on_its_network():
    marked = neutron.PortReconciler.mark(fakes.create('/v2.0/ports', {
        'port': {'name': 'server-port-0', 'network_id': 'net-1'}}))
    reconciler, lookup = fakes.reconciler(
        neutron.PortReconciler, marked, {'ports': [
            {'id': 'a', 'name': 'server-port-0', 'description': TAG},
            {'id': 'b', 'name': 'server-port-0', 'description': ''},
            {'id': 'c', 'name': 'server-port-00', 'description': TAG}]})
    found = reconciler.find()
    assert lookup.query() == ('/v2.0/ports', {'name': 'server-port-0',
                                              'network_id': 'net-1'})
    assert [f.member['id'] for f in found] == ['a', 'b']
    assert [reconciler.is_ours(f) for f in found] == [True, False]


RULE = {'security_group_id': 'sg-1', 'direction': 'ingress',
        'protocol': 'tcp', 'port_range_min': 22, 'port_range_max': 22}


def test_a_rule_has_no_name_and_is_marked_by_its_group_and_direction():
    marked = neutron.SecurityGroupRuleReconciler.mark(fakes.create(
        '/v2.0/security-group-rules', {'security_group_rule': dict(RULE)}))
    assert marked.body['security_group_rule'] == dict(RULE, description=TAG)


@pytest.mark.parametrize('missing', ['security_group_id', 'direction'])
def test_a_rule_without_its_group_or_direction_is_sent_under_never(missing):
    rule = {k: v for k, v in RULE.items() if k != missing}
    assert neutron.SecurityGroupRuleReconciler.mark(fakes.create(
        '/v2.0/security-group-rules', {'security_group_rule': rule})) is None


def test_a_rule_is_looked_up_by_its_group_direction_and_ethertype():
    marked = neutron.SecurityGroupRuleReconciler.mark(fakes.create(
        '/v2.0/security-group-rules', {'security_group_rule': dict(RULE)}))
    reconciler, lookup = fakes.reconciler(
        neutron.SecurityGroupRuleReconciler, marked, {
            'security_group_rules': [
                dict(RULE, id='ours', ethertype='IPv4', description=TAG),
                dict(RULE, id='equal', ethertype='IPv4', description=''),
                dict(RULE, id='v6', ethertype='IPv6', description=TAG),
                dict(RULE, id='other-group', ethertype='IPv4',
                     security_group_id='sg-2', description=TAG)]})
    found = reconciler.find()
    assert lookup.query() == ('/v2.0/security-group-rules', {
        'security_group_id': 'sg-1', 'direction': 'ingress'})
    assert [f.member['id'] for f in found] == ['ours', 'equal']
    assert [reconciler.is_ours(f) for f in found] == [True, False]
    assert 'sg-1' in reconciler.name


def bulk_rules(*ports, group='g1'):
    return {'security_group_rules': [
        {'security_group_id': group, 'direction': 'ingress',
         'protocol': 'tcp', 'port_range_min': port, 'port_range_max': port}
        for port in ports]}


def test_a_bulk_of_rules_marks_every_rule():
    marked = neutron.SecurityGroupRulesReconciler.mark(fakes.create(
        '/v2.0/security-group-rules', bulk_rules(22, 80)))
    assert [r['description'] for r in marked.body['security_group_rules']] \
        == [TAG, TAG]
    assert neutron.SecurityGroupRuleReconciler.mark(fakes.create(
        '/v2.0/security-group-rules', bulk_rules(22))) is None


@pytest.mark.parametrize('body', [
    {'security_group_rules': []},
    {'security_group_rules': [{'direction': 'ingress'}]},
    {'security_group_rules': [{'security_group_id': 'g1'}]},
    {'security_group_rules': 'no'},
])
def test_a_bulk_that_cannot_be_marked_is_sent_under_never(body):
    assert neutron.SecurityGroupRulesReconciler.mark(fakes.create(
        '/v2.0/security-group-rules', body)) is None


def test_a_bulk_is_adopted_only_when_every_rule_of_it_is_found():
    marked = neutron.SecurityGroupRulesReconciler.mark(fakes.create(
        '/v2.0/security-group-rules', bulk_rules(22, 80)))
    ours = [dict(r, id='r%d' % i)
            for i, r in enumerate(marked.body['security_group_rules'])]
    theirs = dict(bulk_rules(443)['security_group_rules'][0], id='t',
                  description='theirs')
    reconciler, lookup = fakes.reconciler(
        neutron.SecurityGroupRulesReconciler, marked,
        {'security_group_rules': ours + [theirs]},
        {'security_group_rules': ours[:1] + [theirs]})
    (found,) = reconciler.find()
    assert reconciler.is_ours(found) and reconciler.covers(found)
    assert lookup.query() == ('/v2.0/security-group-rules',
                              {'security_group_id': 'g1'})
    (partial,) = reconciler.find()
    assert reconciler.is_ours(partial) and not reconciler.covers(partial)


@pytest.mark.parametrize('cls, swept', [
    *((cls, True) for cls, _, _ in NAMED),
    (neutron.SecurityGroupRuleReconciler, False)])
def test_only_what_can_be_duplicated_is_swept(cls, swept):
    assert cls.sweeps is swept

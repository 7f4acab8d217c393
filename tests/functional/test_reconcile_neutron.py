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

"""Neutron creates that never duplicate, over real HTTP with neutronclient.

Networks, subnets, routers, ports (and the same-named ports Heat makes for
servers), security groups and their rules, under each ambiguous fault on
1%, 5% and 30% of the POSTs and on the first attempts; another team's
same-named (or, for a rule, equal) object is never adopted nor touched.
"""

from neutronclient.common import exceptions as neutron_exceptions
from neutronclient.v2_0 import client as neutron_client
import pytest

from tests.functional.conftest import AMBIGUOUS
from tests.functional.conftest import fault
from tests.functional.conftest import lands_late
from tests.functional.conftest import LATE_KINDS
from tests.functional.conftest import MARKER
from tests.functional.conftest import requests_to
from tests.functional.conftest import SELECTORS
from tests.unit.fakecloud import helpers

CREATES = 12


@pytest.fixture
def other_team(cloud):
    """Another team's neutronclient: what it makes is seeded, no token."""
    return neutron_client.Client(session=helpers.make_session(cloud))


def on_posts(collection, selector, kind):
    return fault('^/%s$' % collection, 'POST', {'kind': kind},
                 service='network', **selector)


def marked(description):
    return any(word.startswith(MARKER + '=') for word in description.split())


def assert_holds_exactly(cloud, kind, returned, keep=lambda obj: True):
    """The cloud holds exactly the objects the calls returned."""
    held = sorted(o['id'] for o in cloud.objects(kind) if keep(o))
    assert held == sorted(r['id'] for r in returned)


def assert_untouched(cloud, other_team, kind, theirs):
    show = getattr(other_team, 'show_' + kind)
    kept = show(theirs['id'])[kind]
    assert kept['description'] == theirs['description']
    assert not marked(kept['description'])
    assert cloud.state.seeded_summary()['preexisting_deleted_total'] == 0


@pytest.fixture
def network(neutron, cloud):
    made = neutron.create_network({'network': {'name': 'net'}})['network']
    cloud.reset_counters()
    return made


def create(neutron, kind, body):
    return getattr(neutron, 'create_' + kind)({kind: body})[kind]


# -- named resources ----------------------------------------------------------

NAMED = {
    'network': ('networks', lambda net, i: {}),
    'subnet': ('subnets', lambda net, i: {
        'network_id': net['id'], 'ip_version': 4,
        'cidr': '10.%d.%d.0/24' % (1 + i // 200, i % 200)}),
    'router': ('routers', lambda net, i: {}),
    'port': ('ports', lambda net, i: {'network_id': net['id']}),
    'security_group': ('security-groups', lambda net, i: {
        'description': 'web tier'}),
}


@pytest.mark.parametrize('selector', SELECTORS)
@pytest.mark.parametrize('kind', AMBIGUOUS)
@pytest.mark.parametrize('resource', sorted(NAMED))
def test_named_resources(neutron, cloud, other_team, network, resource,
                         kind, selector):
    collection, extra = NAMED[resource]
    names = ['%s-%d' % (resource, i) for i in range(CREATES)]
    with cloud.state.preexisting():
        theirs = create(other_team, resource, dict(
            extra(network, 100), name=names[0], description='theirs'))
    cloud.set_faults(on_posts(collection, selector, kind))
    made = [create(neutron, resource, dict(extra(network, i), name=name))
            for i, name in enumerate(names)]
    assert [m['name'] for m in made] == names
    assert all(marked(m['description']) for m in made)
    assert cloud.counters()['duplicates'][resource] == 0
    assert_holds_exactly(cloud, resource, made,
                         lambda obj: obj['name'] in names)
    assert theirs['id'] not in [m['id'] for m in made]
    assert_untouched(cloud, other_team, resource, theirs)


def test_a_users_description_is_kept_and_the_token_appended(neutron, cloud):
    cloud.set_faults(fault('^/security-groups$', 'POST',
                           {'kind': 'ambiguous_502'}, service='network'))
    made = create(neutron, 'security_group', {'name': 'web',
                                              'description': 'web tier'})
    words = made['description'].split()
    assert words[:2] == ['web', 'tier'] and len(words) == 3
    assert words[2].startswith(MARKER + '=')
    assert [g['id'] for g in cloud.objects('security_group')] == [made['id']]


def test_a_description_with_no_room_for_the_token_is_sent_once(neutron,
                                                               cloud):
    cloud.set_faults(fault('^/networks$', 'POST', {'kind': 'ambiguous_500'},
                           service='network'))
    with pytest.raises(neutron_exceptions.NeutronClientException):
        create(neutron, 'network', {'name': 'full', 'description': 'x' * 250})
    (held,) = cloud.objects('network')
    assert held['description'] == 'x' * 250
    assert requests_to(cloud, 'network POST /networks') == {'500': 1}


# -- the ports Heat makes for servers -----------------------------------------

@pytest.mark.parametrize('selector', SELECTORS)
@pytest.mark.parametrize('kind', AMBIGUOUS)
def test_server_ports_of_the_same_name_are_told_apart_by_the_token(
        neutron, cloud, other_team, network, kind, selector):
    # Every stack's server resource named 'server' makes 'server-port-0'.
    with cloud.state.preexisting():
        theirs = create(other_team, 'port', {
            'name': 'server-port-0', 'network_id': network['id'],
            'description': ''})
    cloud.set_faults(on_posts('ports', selector, kind))
    made = [create(neutron, 'port', {'name': 'server-port-0',
                                     'network_id': network['id']})
            for _ in range(CREATES)]
    assert len({m['id'] for m in made}) == CREATES
    assert_holds_exactly(cloud, 'port', made,
                         lambda obj: obj['name'] == 'server-port-0')
    assert_untouched(cloud, other_team, 'port', theirs)


# -- security group rules -----------------------------------------------------

@pytest.fixture
def group(neutron, cloud):
    made = create(neutron, 'security_group', {'name': 'web'})
    cloud.reset_counters()
    return made


def rule(group, port, **extra):
    return dict({'security_group_id': group['id'], 'direction': 'ingress',
                 'ethertype': 'IPv4', 'protocol': 'tcp',
                 'port_range_min': port, 'port_range_max': port}, **extra)


def ingress_rules(cloud, group):
    return [r for r in cloud.objects('security_group_rule')
            if r['security_group_id'] == group['id'] and
            r['direction'] == 'ingress']


@pytest.mark.parametrize('selector', SELECTORS)
@pytest.mark.parametrize('kind', AMBIGUOUS)
def test_security_group_rules(neutron, cloud, other_team, group, kind,
                              selector):
    with cloud.state.preexisting():
        theirs = create(other_team, 'security_group_rule',
                        rule(group, 9999, description='theirs'))
    cloud.set_faults(on_posts('security-group-rules', selector, kind))
    made = [create(neutron, 'security_group_rule', rule(group, 1000 + i))
            for i in range(CREATES)]
    assert [m['port_range_min'] for m in made] == list(
        range(1000, 1000 + CREATES))
    assert all(marked(m['description']) for m in made)
    assert sorted(r['id'] for r in ingress_rules(cloud, group)) == sorted(
        m['id'] for m in made)
    assert_untouched(cloud, other_team, 'security_group_rule', theirs)


@pytest.mark.parametrize('selector', SELECTORS)
@pytest.mark.parametrize('kind', AMBIGUOUS)
def test_bulk_security_group_rules_as_heat_sends_them(
        neutron, cloud, other_team, group, kind, selector):
    with cloud.state.preexisting():
        theirs = create(other_team, 'security_group_rule',
                        rule(group, 9999, description='theirs'))
    cloud.set_faults(on_posts('security-group-rules', selector, kind))
    made = []
    for batch in range(4):
        body = {'security_group_rules': [
            rule(group, 2000 + 10 * batch + i) for i in range(3)]}
        made += neutron.create_security_group_rule(body)[
            'security_group_rules']
    assert sorted(m['port_range_min'] for m in made) == sorted(
        2000 + 10 * b + i for b in range(4) for i in range(3))
    assert all(marked(m['description']) for m in made)
    assert sorted(r['id'] for r in ingress_rules(cloud, group)) == sorted(
        m['id'] for m in made)
    assert_untouched(cloud, other_team, 'security_group_rule', theirs)


def test_an_equal_rule_of_another_team_is_never_adopted(neutron, cloud,
                                                        other_team, group):
    with cloud.state.preexisting():
        theirs = create(other_team, 'security_group_rule',
                        rule(group, 22, description='theirs'))
    cloud.reset_counters()
    # Processed (Neutron answers 409 inside), then a 500 instead.
    cloud.set_faults(fault('^/security-group-rules$', 'POST',
                           {'kind': 'ambiguous_500'}, service='network'))
    with pytest.raises(neutron_exceptions.Conflict):
        create(neutron, 'security_group_rule', rule(group, 22))
    assert requests_to(cloud, 'network POST /security-group-rules') == {
        '500': 1, '409': 1}
    assert ingress_rules(cloud, group) == []
    assert_untouched(cloud, other_team, 'security_group_rule', theirs)


def test_a_resend_that_meets_our_own_late_rule_adopts_it(neutron, cloud,
                                                         group, sleeps):
    cloud.set_faults(fault('^/security-group-rules$', 'POST',
                           {'kind': 'slow_create', 'seconds': 0.2},
                           service='network'))
    # The lost create lands after the lookup found nothing, before the
    # resend: the resend meets Neutron's 409.
    sleeps.on_sleep = lambda: helpers.poll(
        lambda: ingress_rules(cloud, group))
    made = create(neutron, 'security_group_rule', rule(group, 443))
    assert requests_to(cloud, 'network POST /security-group-rules') == {
        '504': 1, '409': 1}
    assert [r['id'] for r in ingress_rules(cloud, group)] == [made['id']]
    assert marked(made['description'])


def test_a_resend_that_meets_our_own_late_subnet_adopts_it(
        neutron, cloud, network, sleeps):
    cloud.set_faults(fault('^/subnets$', 'POST',
                           {'kind': 'slow_create', 'seconds': 0.2},
                           service='network'))
    sleeps.on_sleep = lambda: helpers.poll(lambda: cloud.objects('subnet'))
    made = create(neutron, 'subnet', {'name': 'sub', 'ip_version': 4,
                                      'network_id': network['id'],
                                      'cidr': '10.9.0.0/24'})
    assert [s['id'] for s in cloud.objects('subnet')] == [made['id']]


# -- late duplicates and floating IPs -----------------------------------------

@pytest.mark.parametrize('late', sorted(LATE_KINDS))
def test_a_late_duplicate_network_is_swept_by_the_next_request_naming_it(
        neutron, cloud, context, other_team, late):
    with cloud.state.preexisting():
        theirs = create(other_team, 'network', {'name': 'net',
                                                'description': ''})
    cloud.set_faults(fault('^/networks$', 'POST', lands_late(context, late),
                           service='network'))
    made = create(neutron, 'network', {'name': 'net'})
    helpers.poll(lambda: len(cloud.objects('network')) == 2)
    assert neutron.show_network(made['id'])['network']['id'] == made['id']
    assert [n['id'] for n in cloud.objects('network')] == [made['id']]
    assert_untouched(cloud, other_team, 'network', theirs)


def test_a_floating_ip_create_is_sent_once(neutron, cloud):
    public = helpers.external_network(neutron, '203.0.113.0/24')
    cloud.reset_counters()
    cloud.set_faults(fault('^/floatingips$', 'POST',
                           {'kind': 'ambiguous_502'}, service='network'))
    with pytest.raises(neutron_exceptions.NeutronClientException) as err:
        neutron.create_floatingip({'floatingip': {
            'floating_network_id': public['id']}})
    assert err.value.status_code == 502
    assert requests_to(cloud, 'network POST /floatingips') == {'502': 1}
    # What the lost create made is not guessed at: one address, no marker.
    (held,) = cloud.objects('floatingip')
    assert not marked(held['description'])

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

"""Neutron security groups, their rules, and each project's default."""

from neutronclient.common import exceptions as neutron_exc
import pytest

from tests.unit.fakecloud import helpers


def test_every_project_has_one_default_group_that_is_not_counted(
        cloud, neutron):
    groups = neutron.list_security_groups(
        project_id=cloud.project_id, name='default')['security_groups']
    assert len(groups) == 1
    rules = groups[0]['security_group_rules']
    assert sorted((r['direction'], r['ethertype'], bool(r['remote_group_id']))
                  for r in rules) == [('egress', 'IPv4', False),
                                      ('egress', 'IPv6', False),
                                      ('ingress', 'IPv4', True),
                                      ('ingress', 'IPv6', True)]
    assert neutron.list_security_groups(name='default')[
        'security_groups'] == groups
    live = cloud.counters()['live']
    assert live['security_group'] == live['security_group_rule'] == 0
    with pytest.raises(neutron_exc.Conflict, match='Default security group'):
        neutron.create_security_group({'security_group': {
            'name': 'default'}})


def test_duplicate_rules_answer_security_group_rule_exists(cloud, neutron):
    group = neutron.create_security_group({'security_group': {
        'name': 'web', 'description': 'd'}})['security_group']
    assert sorted(r['direction'] for r in group['security_group_rules']
                  ) == ['egress', 'egress']
    spec = {'security_group_id': group['id'], 'direction': 'ingress',
            'protocol': 'tcp', 'port_range_min': '80',
            'port_range_max': '80', 'remote_ip_prefix': '0.0.0.0/0'}
    rule = neutron.create_security_group_rule(
        {'security_group_rule': spec})['security_group_rule']
    assert (rule['port_range_min'], rule['port_range_max']) == (80, 80)
    assert 'name' not in rule and 'tags' not in rule
    with pytest.raises(neutron_exc.Conflict) as caught:
        neutron.create_security_group_rule(
            {'security_group_rule': dict(spec, protocol='6')})
    assert 'Rule id is %s' % rule['id'] in str(caught.value)
    counted = cloud.counters()['live']
    assert (counted['security_group'], counted['security_group_rule']) == (
        1, 3)


def test_a_group_in_use_by_a_port_cannot_be_deleted(neutron, subnet):
    group = neutron.create_security_group({'security_group': {
        'name': 'g'}})['security_group']
    port = helpers.port(neutron, subnet, security_groups=[group['id']])
    assert port['security_groups'] == [group['id']]
    with pytest.raises(neutron_exc.Conflict, match='in use'):
        neutron.delete_security_group(group['id'])
    neutron.update_port(port['id'], {'port': {'security_groups': []}})
    neutron.delete_security_group(group['id'])
    assert neutron.list_security_group_rules(
        security_group_id=group['id'])['security_group_rules'] == []


def test_a_port_range_without_a_protocol_is_a_400(neutron):
    group = neutron.create_security_group({'security_group': {
        'name': 'g'}})['security_group']
    with pytest.raises(neutron_exc.BadRequest,
                       match='Must also specify protocol'):
        neutron.create_security_group_rule({'security_group_rule': {
            'security_group_id': group['id'], 'direction': 'ingress',
            'port_range_min': 22, 'port_range_max': 22}})


@pytest.mark.parametrize('bad', [['a-group'], {'id': 'a-group'}, 5])
@pytest.mark.parametrize('field', ['security_group_id', 'remote_group_id'])
def test_a_group_id_that_is_not_a_string_names_no_group(
        neutron, field, bad):
    group = neutron.create_security_group({'security_group': {
        'name': 'web'}})['security_group']
    spec = {'security_group_id': group['id'], 'direction': 'ingress',
            field: bad}
    with pytest.raises(neutron_exc.NotFound,
                       match='Security group .* does not exist'):
        neutron.create_security_group_rule({'security_group_rule': spec})

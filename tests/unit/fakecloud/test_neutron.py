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

"""The fake Neutron through python-neutronclient over HTTP."""

from neutronclient.common import exceptions as neutron_exc
from neutronclient.v2_0 import client as neutron_client
import pytest
import requests

from tests.unit.fakecloud import helpers


@pytest.fixture
def neutron(session):
    return neutron_client.Client(session=session)


@pytest.fixture
def subnet(neutron):
    net = neutron.create_network({'network': {'name': 'net'}})['network']
    return neutron.create_subnet({'subnet': {
        'network_id': net['id'], 'cidr': '10.0.0.0/24', 'ip_version': 4,
        'name': 'sub'}})['subnet']


def _port(neutron, subnet, **attrs):
    attrs.setdefault('network_id', subnet['network_id'])
    return neutron.create_port({'port': attrs})['port']


def test_versions_and_extensions_name_what_clients_look_for(cloud, neutron):
    aliases = {e['alias'] for e in neutron.list_extensions()['extensions']}
    assert {'standard-attr-tag', 'standard-attr-description', 'tag-creation',
            'router', 'external-net', 'security-group', 'port-security',
            'stateful-security-group', 'quotas'} <= aliases
    assert neutron.show_extension('router')['extension']['alias'] == 'router'
    with pytest.raises(neutron_exc.NotFound):
        neutron.show_extension('lbaasv2')
    versions = requests.get(cloud.base_url('network') + '/').json()
    assert versions['versions'][0]['id'] == 'v2.0'


def test_resources_carry_the_standard_attributes(cloud, neutron, subnet):
    net = neutron.show_network(subnet['network_id'])['network']
    assert net['subnets'] == [subnet['id']]
    for body in (net, subnet):
        assert body['project_id'] == body['tenant_id'] == cloud.project_id
        assert body['revision_number'] == 1
        assert body['created_at'].endswith('Z') and body['description'] == ''
        assert body['tags'] == []
    assert subnet['gateway_ip'] == '10.0.0.1'
    assert subnet['allocation_pools'] == [{'start': '10.0.0.2',
                                           'end': '10.0.0.254'}]
    renamed = neutron.update_network(net['id'], {'network': {
        'name': 'renamed', 'description': 'd'}})['network']
    assert (renamed['name'], renamed['description'],
            renamed['revision_number']) == ('renamed', 'd', 2)


def test_ports_get_the_lowest_free_address_and_keep_their_device(
        neutron, subnet):
    first = _port(neutron, subnet, name='a', device_id='vm-1',
                  device_owner='compute:nova')
    second = _port(neutron, subnet, name='b')
    chosen = _port(neutron, subnet, name='c', fixed_ips=[
        {'subnet_id': subnet['id'], 'ip_address': '10.0.0.50'}])
    assert [p['fixed_ips'][0]['ip_address'] for p in (first, second, chosen)
            ] == ['10.0.0.2', '10.0.0.3', '10.0.0.50']
    assert (first['device_id'], first['status']) == ('vm-1', 'ACTIVE')
    assert second['status'] == 'DOWN'
    assert first['mac_address'].startswith('fa:16:3e:')
    with pytest.raises(neutron_exc.IpAddressAlreadyAllocatedClient):
        _port(neutron, subnet, fixed_ips=[{'ip_address': '10.0.0.50'}])
    with pytest.raises(neutron_exc.InvalidIpForNetworkClient):
        _port(neutron, subnet, fixed_ips=[{'ip_address': '192.168.9.9'}])


def test_a_full_subnet_answers_ip_address_generation_failure(neutron):
    net = neutron.create_network({'network': {'name': 'tiny'}})['network']
    neutron.create_subnet({'subnet': {'network_id': net['id'],
                                      'cidr': '10.9.0.0/30',
                                      'ip_version': 4}})
    port = neutron.create_port({'port': {'network_id': net['id']}})['port']
    assert port['fixed_ips'][0]['ip_address'] == '10.9.0.2'
    with pytest.raises(neutron_exc.IpAddressGenerationFailureClient):
        neutron.create_port({'port': {'network_id': net['id']}})


def test_list_filters_fields_and_unknown_filters(neutron, subnet):
    a = _port(neutron, subnet, name='a', device_id='vm-1')
    b = _port(neutron, subnet, name='b')
    assert [p['id'] for p in neutron.list_ports(device_id='vm-1')['ports']
            ] == [a['id']]
    both = neutron.list_ports(id=[a['id'], b['id']])['ports']
    assert {p['id'] for p in both} == {a['id'], b['id']}
    only_ids = neutron.list_ports(name='b', fields='id')['ports']
    assert only_ids == [{'id': b['id']}]
    by_ip = neutron.list_ports(fixed_ips='ip_address=10.0.0.3')['ports']
    assert [p['id'] for p in by_ip] == [b['id']]
    assert neutron.list_networks(name='nope')['networks'] == []
    with pytest.raises(neutron_exc.BadRequest, match='invalid attribute'):
        neutron.list_ports(colour='blue')


def test_pagination_follows_next_links(cloud, neutron):
    for i in range(5):
        neutron.create_network({'network': {'name': 'n%d' % i}})
    cloud.reset_counters()
    names = [n['name'] for n in neutron.list_networks(limit=2)['networks']]
    assert names == ['n0', 'n1', 'n2', 'n3', 'n4']
    assert cloud.counters()['requests']['network GET /networks'] == {
        '200': 3}


def test_tags_in_the_body_the_tag_api_and_tag_filters(neutron):
    net = neutron.create_network({'network': {
        'name': 'tagged', 'tags': ['b', 'a', 'a']}})['network']
    other = neutron.create_network({'network': {'name': 'plain'}})['network']
    assert net['tags'] == ['a', 'b']
    neutron.add_tag('networks', net['id'], 'c')
    assert neutron.show_network(net['id'])['network']['tags'] == [
        'a', 'b', 'c']
    neutron.remove_tag('networks', net['id'], 'b')
    with pytest.raises(neutron_exc.NotFound):
        neutron.remove_tag('networks', net['id'], 'b')
    neutron.replace_tag('networks', other['id'], {'tags': ['z']})

    def names(**filters):
        return sorted(n['name'] for n in neutron.list_networks(
            **filters)['networks'])
    assert names(tags='a,c') == ['tagged']
    assert names(tags=['a', 'z']) == []
    assert names(**{'tags-any': 'a,z'}) == ['plain', 'tagged']
    assert names(**{'not-tags': 'z'}) == ['tagged']
    assert names(**{'not-tags-any': 'a'}) == ['plain']
    neutron.remove_tag_all('networks', net['id'])
    shown = neutron.show_network(net['id'])['network']
    assert shown['tags'] == [] and shown['revision_number'] == 4


def test_errors_are_neutron_error_bodies(cloud, neutron, session):
    with pytest.raises(neutron_exc.NetworkNotFoundClient):
        neutron.show_network('missing')
    with pytest.raises(neutron_exc.PortNotFoundClient):
        neutron.delete_port('missing')
    with pytest.raises(neutron_exc.BadRequest, match='Unrecognized'):
        neutron.create_network({'network': {'colour': 'blue'}})
    token = session.get_token()
    response = requests.post(cloud.base_url('network') + '/v2.0/networks',
                             data='{not json', headers={
                                 'X-Auth-Token': token,
                                 'Content-Type': 'application/json'})
    assert response.status_code == 400
    assert set(response.json()['NeutronError']) == {'type', 'message',
                                                    'detail'}
    response = requests.get(cloud.base_url('network') + '/v2.0/routers/x',
                            headers={'X-Auth-Token': token})
    assert response.json()['NeutronError']['type'] == 'RouterNotFound'


def test_in_use_networks_and_subnets_answer_409(neutron, subnet):
    port = _port(neutron, subnet)
    with pytest.raises(neutron_exc.NetworkInUseClient):
        neutron.delete_network(subnet['network_id'])
    with pytest.raises(neutron_exc.Conflict, match='IP allocation'):
        neutron.delete_subnet(subnet['id'])
    neutron.delete_port(port['id'])
    neutron.delete_network(subnet['network_id'])
    with pytest.raises(neutron_exc.NotFound):
        neutron.show_subnet(subnet['id'])


def test_router_interfaces_take_the_gateway_and_block_the_delete(
        neutron, subnet):
    router = neutron.create_router({'router': {'name': 'r'}})['router']
    added = neutron.add_interface_router(router['id'],
                                         {'subnet_id': subnet['id']})
    port = neutron.show_port(added['port_id'])['port']
    assert port['fixed_ips'] == [{'subnet_id': subnet['id'],
                                  'ip_address': '10.0.0.1'}]
    assert (port['device_id'], port['device_owner']) == (
        router['id'], 'network:router_interface')
    with pytest.raises(neutron_exc.BadRequest, match='already has a port'):
        neutron.add_interface_router(router['id'],
                                     {'subnet_id': subnet['id']})
    with pytest.raises(neutron_exc.Conflict, match='still has ports'):
        neutron.delete_router(router['id'])
    with pytest.raises(neutron_exc.Conflict, match='cannot be deleted'):
        neutron.delete_port(port['id'])
    neutron.remove_interface_router(router['id'],
                                    {'subnet_id': subnet['id']})
    with pytest.raises(neutron_exc.PortNotFoundClient):
        neutron.show_port(port['id'])
    with pytest.raises(neutron_exc.NotFound):
        neutron.remove_interface_router(router['id'],
                                        {'subnet_id': subnet['id']})
    neutron.delete_router(router['id'])


def test_floating_ips_need_an_external_network_and_a_router(neutron, subnet):
    public = neutron.create_network({'network': {
        'name': 'public', 'router:external': True}})['network']
    neutron.create_subnet({'subnet': {'network_id': public['id'],
                                      'cidr': '172.24.4.0/24',
                                      'ip_version': 4}})
    port = _port(neutron, subnet)
    with pytest.raises(neutron_exc.BadRequest, match='external network'):
        neutron.create_floatingip({'floatingip': {
            'floating_network_id': subnet['network_id']}})
    with pytest.raises(neutron_exc.NotFound, match='not reachable'):
        neutron.create_floatingip({'floatingip': {
            'floating_network_id': public['id'], 'port_id': port['id']}})
    router = neutron.create_router({'router': {
        'name': 'r', 'external_gateway_info': {
            'network_id': public['id']}}})['router']
    gateway = router['external_gateway_info']
    assert gateway['external_fixed_ips'][0]['ip_address'] == '172.24.4.2'
    neutron.add_interface_router(router['id'], {'subnet_id': subnet['id']})
    fip = neutron.create_floatingip({'floatingip': {
        'floating_network_id': public['id'], 'port_id': port['id'],
        'tags': ['t']}})['floatingip']
    assert 'name' not in fip and fip['tags'] == ['t']
    assert (fip['fixed_ip_address'], fip['router_id'], fip['status']) == (
        port['fixed_ips'][0]['ip_address'], router['id'], 'ACTIVE')
    assert fip['floating_ip_address'] == '172.24.4.3'
    found = neutron.list_floatingips(
        fixed_ip_address=fip['fixed_ip_address'])['floatingips']
    assert [f['id'] for f in found] == [fip['id']]
    neutron.delete_port(port['id'])
    assert neutron.show_floatingip(fip['id'])['floatingip']['port_id'] is (
        None)
    neutron.delete_floatingip(fip['id'])


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


def test_bulk_rules_are_all_or_nothing(neutron):
    group = neutron.create_security_group({'security_group': {
        'name': 'bulk'}})['security_group']
    ssh = {'security_group_id': group['id'], 'direction': 'ingress',
           'protocol': 'tcp', 'port_range_min': 22, 'port_range_max': 22}
    made = neutron.create_security_group_rule({'security_group_rules': [
        ssh, dict(ssh, port_range_min=443, port_range_max=443)]})
    assert len(made['security_group_rules']) == 2
    with pytest.raises(neutron_exc.Conflict):
        neutron.create_security_group_rule({'security_group_rules': [
            dict(ssh, port_range_min=8080, port_range_max=8080), ssh]})
    shown = neutron.show_security_group(group['id'])['security_group']
    assert len(shown['security_group_rules']) == 4
    with pytest.raises(neutron_exc.BadRequest, match='protocol'):
        neutron.create_security_group_rule({'security_group_rule': dict(
            ssh, protocol=None)})


def test_a_group_in_use_by_a_port_cannot_be_deleted(neutron, subnet):
    group = neutron.create_security_group({'security_group': {
        'name': 'g'}})['security_group']
    port = _port(neutron, subnet, security_groups=[group['id']])
    assert port['security_groups'] == [group['id']]
    with pytest.raises(neutron_exc.Conflict, match='in use'):
        neutron.delete_security_group(group['id'])
    neutron.update_port(port['id'], {'port': {'security_groups': []}})
    neutron.delete_security_group(group['id'])
    assert neutron.list_security_group_rules(
        security_group_id=group['id'])['security_group_rules'] == []


def test_quotas_refuse_creates_over_the_limit(cloud, neutron):
    neutron.update_quota(cloud.project_id, {'quota': {'network': 1}})
    assert neutron.show_quota(cloud.project_id)['quota']['network'] == 1
    neutron.create_network({'network': {'name': 'one'}})
    with pytest.raises(neutron_exc.OverQuotaClient):
        neutron.create_network({'network': {'name': 'two'}})
    neutron.delete_quota(cloud.project_id)
    neutron.create_network({'network': {'name': 'two'}})


def test_a_503_on_port_create_creates_nothing(make_cloud):
    cloud = make_cloud(faults=[{'service': 'network', 'method': 'POST',
                                'path': '^/ports$', 'first': 1,
                                'fault': 503}])
    neutron = neutron_client.Client(session=helpers.make_session(cloud))
    net = neutron.create_network({'network': {'name': 'n'}})['network']
    neutron.create_subnet({'subnet': {'network_id': net['id'],
                                      'cidr': '10.1.0.0/24',
                                      'ip_version': 4}})
    with pytest.raises(neutron_exc.ServiceUnavailable):
        neutron.create_port({'port': {'network_id': net['id']}})
    assert cloud.objects('port') == []
    port = neutron.create_port({'port': {'network_id': net['id']}})['port']
    counters = cloud.counters()
    outcomes = counters['requests']['network POST /ports']
    assert outcomes == {'201': 1, '503': 1}
    assert counters['faults'] == {'503': 1}
    assert counters['live']['port'] == 1 and port['fixed_ips']

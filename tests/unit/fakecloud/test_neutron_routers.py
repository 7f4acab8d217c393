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

"""Neutron routers, their interfaces and gateways, and floating IPs."""

from neutronclient.common import exceptions as neutron_exc
import pytest

from tests.unit.fakecloud import helpers


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
    public = helpers.external_network(neutron)
    port = helpers.port(neutron, subnet)
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

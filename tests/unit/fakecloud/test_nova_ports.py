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

"""Nova servers on Neutron ports and networks: bound, made, validated."""

from neutronclient.common import exceptions as neutron_exc
from novaclient import exceptions as nova_exc
import pytest

from heat_retry_plugins.fakecloud import glance
from tests.unit.fakecloud import helpers

IMAGE = glance.CIRROS_IMAGE_ID


def test_a_server_binds_the_port_it_is_given_and_shows_its_address(
        nova, neutron, subnet):
    port = helpers.port(neutron, subnet, name='p')
    server = nova.servers.create('vm', IMAGE, '1',
                                 nics=[{'port-id': port['id']}])
    bound = neutron.show_port(port['id'])['port']
    assert (bound['device_id'], bound['device_owner'], bound['status']) == (
        server.id, 'compute:nova', 'ACTIVE')
    assert nova.servers.get(server.id).addresses == {'private': [{
        'version': 4, 'addr': port['fixed_ips'][0]['ip_address'],
        'OS-EXT-IPS:type': 'fixed',
        'OS-EXT-IPS-MAC:mac_addr': port['mac_address']}]}
    (iface,) = server.interface_list()
    assert (iface.port_id, iface.net_id, iface.fixed_ips) == (
        port['id'], subnet['network_id'], port['fixed_ips'])
    assert [p['id'] for p in neutron.list_ports(
        device_id=server.id)['ports']] == [port['id']]


def test_deleting_the_server_unbinds_a_given_port_and_keeps_it(
        cloud, nova, neutron, subnet):
    port = helpers.port(neutron, subnet)
    server = nova.servers.create('vm', IMAGE, '1',
                                 nics=[{'port-id': port['id']}])
    nova.servers.delete(server.id)
    kept = neutron.show_port(port['id'])['port']
    assert (kept['device_id'], kept['device_owner'], kept['status']) == (
        '', '', 'DOWN')
    assert cloud.counters()['live']['port'] == 1


def test_nova_makes_a_port_on_a_network_and_deletes_it_with_the_server(
        cloud, nova, neutron, subnet):
    server = nova.servers.create('vm', IMAGE, '1', nics=[
        {'net-id': subnet['network_id'], 'v4-fixed-ip': '10.0.0.77'}])
    (port,) = neutron.list_ports(device_id=server.id)['ports']
    assert port['fixed_ips'][0]['ip_address'] == '10.0.0.77'
    assert nova.servers.get(server.id).addresses['private'][0]['addr'] == (
        '10.0.0.77')
    with pytest.raises(nova_exc.BadRequest, match='already in use'):
        nova.servers.create('twin', IMAGE, '1', nics=[
            {'net-id': subnet['network_id'], 'v4-fixed-ip': '10.0.0.77'}])
    nova.servers.delete(server.id)
    with pytest.raises(neutron_exc.PortNotFoundClient):
        neutron.show_port(port['id'])
    assert cloud.counters()['live']['port'] == 0


def test_ports_and_networks_are_validated_against_neutron(
        nova, neutron, subnet):
    port = helpers.port(neutron, subnet)
    nova.servers.create('first', IMAGE, '1', nics=[{'port-id': port['id']}])
    with pytest.raises(nova_exc.Conflict, match='still in use'):
        nova.servers.create('second', IMAGE, '1',
                            nics=[{'port-id': port['id']}])
    with pytest.raises(nova_exc.BadRequest, match='Port id'):
        nova.servers.create('x', IMAGE, '1', nics=[{'port-id': 'missing'}])
    with pytest.raises(nova_exc.BadRequest, match='Network'):
        nova.servers.create('x', IMAGE, '1', nics=[{'net-id': 'missing'}])
    bare = neutron.create_network({'network': {'name': 'bare'}})['network']
    with pytest.raises(nova_exc.BadRequest, match='requires a subnet'):
        nova.servers.create('x', IMAGE, '1', nics=[{'net-id': bare['id']}])
    with pytest.raises(nova_exc.BadRequest, match='multiple instances'):
        nova.servers.create('x', IMAGE, '1', max_count=2,
                            nics=[{'port-id': helpers.port(neutron,
                                                           subnet)['id']}])


def test_interfaces_attach_and_detach(session, neutron, subnet):
    nova = helpers.nova(session, '2.37')
    server = nova.servers.create('vm', IMAGE, '1', nics='none')
    given = helpers.port(neutron, subnet)
    nova.servers.interface_attach(server.id, given['id'], None, None)
    made = nova.servers.interface_attach(server.id, None,
                                         subnet['network_id'], None)
    assert {i.port_id for i in nova.servers.interface_list(server.id)} == {
        given['id'], made.port_id}
    assert len(nova.servers.get(server.id).addresses['private']) == 2
    nova.servers.interface_detach(server.id, made.port_id)
    nova.servers.interface_detach(server.id, given['id'])
    assert nova.servers.interface_list(server.id) == []
    assert neutron.show_port(given['id'])['port']['device_id'] == ''
    with pytest.raises(neutron_exc.PortNotFoundClient):
        neutron.show_port(made.port_id)

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

"""Neutron addresses: the gateway, the pools, the lowest free address."""

from neutronclient.common import exceptions as neutron_exc
import pytest

from tests.unit.fakecloud import helpers


def test_a_subnet_reserves_its_gateway_and_pools_the_rest(subnet):
    assert subnet['gateway_ip'] == '10.0.0.1'
    assert subnet['allocation_pools'] == [{'start': '10.0.0.2',
                                           'end': '10.0.0.254'}]


def test_ports_get_the_lowest_free_address_or_the_one_they_ask_for(
        neutron, subnet):
    first = helpers.port(neutron, subnet, name='a')
    second = helpers.port(neutron, subnet, name='b')
    chosen = helpers.port(neutron, subnet, name='c', fixed_ips=[
        {'subnet_id': subnet['id'], 'ip_address': '10.0.0.50'}])
    assert [p['fixed_ips'][0]['ip_address'] for p in (first, second, chosen)
            ] == ['10.0.0.2', '10.0.0.3', '10.0.0.50']
    with pytest.raises(neutron_exc.IpAddressAlreadyAllocatedClient):
        helpers.port(neutron, subnet, fixed_ips=[{'ip_address': '10.0.0.50'}])
    with pytest.raises(neutron_exc.InvalidIpForNetworkClient):
        helpers.port(neutron, subnet,
                     fixed_ips=[{'ip_address': '192.168.9.9'}])


def test_a_full_subnet_answers_ip_address_generation_failure(neutron):
    net = neutron.create_network({'network': {'name': 'tiny'}})['network']
    neutron.create_subnet({'subnet': {'network_id': net['id'],
                                      'cidr': '10.9.0.0/30',
                                      'ip_version': 4}})
    port = neutron.create_port({'port': {'network_id': net['id']}})['port']
    assert port['fixed_ips'][0]['ip_address'] == '10.9.0.2'
    with pytest.raises(neutron_exc.IpAddressGenerationFailureClient):
        neutron.create_port({'port': {'network_id': net['id']}})

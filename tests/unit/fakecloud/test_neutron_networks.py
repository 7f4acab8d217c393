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

"""Neutron networks and subnets: their links, and what keeps them in use."""

from neutronclient.common import exceptions as neutron_exc
import pytest

from tests.unit.fakecloud import helpers


def test_a_network_lists_its_subnets_and_deletes_them_with_it(
        neutron, subnet):
    network = neutron.show_network(subnet['network_id'])['network']
    assert network['subnets'] == [subnet['id']]
    neutron.delete_network(network['id'])
    with pytest.raises(neutron_exc.NotFound):
        neutron.show_subnet(subnet['id'])


def test_in_use_networks_and_subnets_answer_409(neutron, subnet):
    port = helpers.port(neutron, subnet)
    with pytest.raises(neutron_exc.NetworkInUseClient):
        neutron.delete_network(subnet['network_id'])
    with pytest.raises(neutron_exc.Conflict, match='IP allocation'):
        neutron.delete_subnet(subnet['id'])
    neutron.delete_port(port['id'])
    neutron.delete_network(subnet['network_id'])
    with pytest.raises(neutron_exc.NotFound):
        neutron.show_subnet(subnet['id'])

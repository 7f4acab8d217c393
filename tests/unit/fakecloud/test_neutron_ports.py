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

"""Neutron ports: a MAC address, DOWN until a device binds them."""

from tests.unit.fakecloud import helpers


def test_a_port_is_down_until_a_device_binds_it(neutron, subnet):
    bound = helpers.port(neutron, subnet, device_id='vm-1',
                         device_owner='compute:nova')
    unbound = helpers.port(neutron, subnet)
    assert (bound['device_id'], bound['status']) == ('vm-1', 'ACTIVE')
    assert (unbound['device_id'], unbound['status']) == ('', 'DOWN')
    assert bound['mac_address'].startswith('fa:16:3e:')
    assert bound['mac_address'] != unbound['mac_address']

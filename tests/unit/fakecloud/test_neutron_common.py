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

"""What every Neutron resource carries: project, revision, times, tags."""


def test_resources_carry_the_standard_attributes(cloud, neutron, subnet):
    net = neutron.show_network(subnet['network_id'])['network']
    for body in (net, subnet):
        assert body['project_id'] == body['tenant_id'] == cloud.project_id
        assert body['revision_number'] == 1
        assert body['created_at'].endswith('Z') and body['description'] == ''
        assert body['tags'] == []
    renamed = neutron.update_network(net['id'], {'network': {
        'name': 'renamed', 'description': 'd'}})['network']
    assert (renamed['name'], renamed['description'],
            renamed['revision_number']) == ('renamed', 'd', 2)

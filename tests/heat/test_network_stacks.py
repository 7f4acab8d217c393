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

"""A stack of Neutron, Nova and Cinder resources, with the real Heat."""

from cinderclient import client as cinder_client
from neutronclient.v2_0 import client as neutron_client

from heat_retry_plugins.fakecloud import glance
from tests.unit.fakecloud import helpers

#: One server on its own port, behind a router, with a volume attached.
TEMPLATE = {
    'heat_template_version': '2021-04-16',
    'resources': {
        'net': {'type': 'OS::Neutron::Net',
                'properties': {'name': 'app-net'}},
        'subnet': {'type': 'OS::Neutron::Subnet', 'properties': {
            'network': {'get_resource': 'net'}, 'cidr': '10.10.0.0/24'}},
        'router': {'type': 'OS::Neutron::Router',
                   'properties': {'name': 'app-router'}},
        'router_interface': {'type': 'OS::Neutron::RouterInterface',
                             'properties': {
                                 'router': {'get_resource': 'router'},
                                 'subnet': {'get_resource': 'subnet'}}},
        'secgroup': {'type': 'OS::Neutron::SecurityGroup', 'properties': {
            'name': 'app-sg', 'rules': [
                {'protocol': 'tcp', 'port_range_min': 22,
                 'port_range_max': 22, 'remote_ip_prefix': '0.0.0.0/0'},
                {'protocol': 'icmp'},
                {'direction': 'egress', 'ethertype': 'IPv4'}]}},
        'port': {'type': 'OS::Neutron::Port', 'properties': {
            'network': {'get_resource': 'net'},
            'fixed_ips': [{'subnet': {'get_resource': 'subnet'}}],
            'security_groups': [{'get_resource': 'secgroup'}]}},
        'server': {'type': 'OS::Nova::Server', 'properties': {
            'name': 'app-0', 'image': glance.CIRROS_IMAGE_ID,
            'flavor': 'm1.tiny', 'user_data_format': 'RAW',
            'networks': [{'port': {'get_resource': 'port'}}]}},
        'volume': {'type': 'OS::Cinder::Volume',
                   'properties': {'name': 'app-vol-0', 'size': 1}},
        'attachment': {'type': 'OS::Cinder::VolumeAttachment', 'properties': {
            'instance_uuid': {'get_resource': 'server'},
            'volume_id': {'get_resource': 'volume'}}},
    },
}


def test_network_server_and_volume_stack_creates_and_deletes(heat, cloud):
    cloud.server_build_seconds = 0.2
    cloud.services['volumev3'].build_seconds = 0.2
    cloud.services['volumev3'].attach_seconds = 0.2
    result = heat.run_stack(cloud, TEMPLATE, name='app', delete=False)

    assert result.create_status == 'CREATE_COMPLETE', result.create_reason
    assert result.resources_complete == 9
    session = helpers.make_session(cloud)
    (server,) = helpers.nova(session).servers.list()
    (port,) = neutron_client.Client(session=session).list_ports(
        device_id=server.id)['ports']
    assert port['device_owner'] == 'compute:nova'
    assert server.addresses['app-net'][0]['addr'] == (
        port['fixed_ips'][0]['ip_address'])
    (volume,) = cinder_client.Client('3', session=session).volumes.list()
    assert volume.status == 'in-use'
    assert volume.attachments[0]['server_id'] == server.id
    live = result.create_counters['live']
    assert (live['port'], live['security_group_rule'],
            live['volume_attachment']) == (2, 3, 1)
    requests = result.create_counters['requests']
    # The rules in one bulk POST, after Heat removed the default egress.
    assert requests['network POST /security-group-rules'] == {'201': 1}
    assert requests['network DELETE /security-group-rules/{id}'] == {
        '204': 2}
    assert requests['compute POST /servers/{id}/os-volume_attachments'] == {
        '200': 1}

    heat.delete_stack(cloud, result)

    assert result.delete_status == 'DELETE_COMPLETE', result.delete_reason
    assert not any(result.counters['live'].values())
    assert result.counters['duplicates_total'] == 0
    assert result.counters['requests'][
        'compute DELETE /servers/{id}/os-volume_attachments/{volume_id}'
    ] == {'202': 1}

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

"""Neutron v2.0: versions, extensions, the collection API, tags, errors."""

from neutronclient.common import exceptions as neutron_exc
from neutronclient.v2_0 import client as neutron_client
import pytest
import requests

from tests.unit.fakecloud import helpers


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


def test_tags_in_the_body_and_the_tag_api(neutron):
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
    assert neutron.show_network(other['id'])['network']['tags'] == ['z']
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

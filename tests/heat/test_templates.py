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

"""The HOT template builders."""

import pytest

from heat_retry_plugins.heatrun import templates


def test_keypairs_share_one_public_key():
    template = templates.keypairs(3, 'ssh-rsa AAAA test')

    assert template['heat_template_version'] == templates.HOT_VERSION
    resources = template['resources']
    assert sorted(resources) == ['keypair0', 'keypair1', 'keypair2']
    assert {r['type'] for r in resources.values()} == {'OS::Nova::KeyPair'}
    assert {r['properties']['public_key'] for r in resources.values()} == {
        'ssh-rsa AAAA test'}


def test_keypairs_generate_a_key():
    key = templates.keypairs(1)['resources']['keypair0']['properties'][
        'public_key']
    assert key.startswith('ssh-rsa ')


def test_servers_need_neither_neutron_nor_cfn():
    props = templates.servers(1)['resources']['server0']['properties']

    assert props['networks'] == [{'allocate_network': 'none'}]
    assert props['user_data_format'] == 'RAW'
    assert 'user_data' not in props
    assert (props['flavor'], props['image']) == ('m1.tiny', 'cirros')


def test_keystone_users_default_to_their_project():
    resources = templates.keystone(2, prefix='x')['resources']

    assert sorted(resources) == ['project0', 'project1', 'user0', 'user1']
    assert resources['user1']['properties']['default_project'] == {
        'get_resource': 'project1'}
    assert resources['project1']['properties']['name'] == 'x-project-1'


@pytest.mark.parametrize('count', [-1, 1.5, True, '2'])
def test_bad_counts(count):
    with pytest.raises(ValueError):
        templates.servers(count)

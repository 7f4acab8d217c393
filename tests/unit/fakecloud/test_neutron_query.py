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

"""Neutron list queries: filters, fields, tag filters and pages."""

from neutronclient.common import exceptions as neutron_exc
import pytest

from tests.unit.fakecloud import helpers


def test_list_filters_fields_and_unknown_filters(neutron, subnet):
    a = helpers.port(neutron, subnet, name='a', device_id='vm-1')
    b = helpers.port(neutron, subnet, name='b')
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


def test_tag_filters_match_all_any_or_none_of_the_tags(neutron):
    for name, tags in (('tagged', ['a', 'c']), ('plain', ['z'])):
        neutron.create_network({'network': {'name': name, 'tags': tags}})

    def names(**filters):
        return sorted(n['name'] for n in neutron.list_networks(
            **filters)['networks'])

    assert names(tags='a,c') == ['tagged']
    assert names(tags=['a', 'z']) == []
    assert names(**{'tags-any': 'a,z'}) == ['plain', 'tagged']
    assert names(**{'not-tags': 'z'}) == ['tagged']
    assert names(**{'not-tags-any': 'a'}) == ['plain']

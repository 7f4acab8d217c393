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

"""Designate v2: zones and recordsets through python-designateclient."""

from designateclient import exceptions as designate_exc
from designateclient.v2 import client as designate_client
from keystoneauth1 import exceptions as ks_exc
import pytest

from tests.unit.fakecloud import helpers


def test_discovery_finds_v2_behind_the_unversioned_catalog_url(
        cloud, session, dns):
    assert cloud.endpoint('dns') == cloud.base_url('dns')
    assert dns.zones.list() == []
    assert session.get_endpoint(service_type='dns', interface='public',
                                version='2') == cloud.base_url('dns') + '/v2'


def test_a_zone_is_created_found_by_name_and_updated(dns):
    zone = dns.zones.create('example.org.', email='admin@example.org',
                            description='t-1')
    assert (zone['status'], zone['action']) == ('PENDING', 'CREATE')
    shown = dns.zones.get('example.org.')
    assert (shown['id'], shown['status'], shown['action']) == (
        zone['id'], 'ACTIVE', 'NONE')
    updated = dns.zones.update(zone['id'], {'ttl': 600})
    assert updated['serial'] == zone['serial'] + 1
    assert dns.zones.get(zone['id'])['ttl'] == 600
    assert [z['name'] for z in dns.zones.list(
        criterion={'description': 't-*'})] == ['example.org.']


def test_a_duplicate_zone_is_a_409_duplicate_zone(dns):
    dns.zones.create('dup.org.', email='a@dup.org')
    with pytest.raises(designate_exc.Conflict) as info:
        dns.zones.create('dup.org.', email='a@dup.org')
    assert (info.value.code, info.value.type) == (409, 'duplicate_zone')


def test_recordsets_are_created_listed_updated_and_deleted(dns):
    zone = dns.zones.create('rs.org.', email='a@rs.org')
    www = dns.recordsets.create(zone['id'], 'www', 'A', ['192.0.2.1'])
    assert (www['name'], www['zone_name'], www['status']) == (
        'www.rs.org.', 'rs.org.', 'PENDING')
    dns.recordsets.create('rs.org.', 'www.rs.org.', 'AAAA', ['2001:db8::1'])
    assert sorted(r['type'] for r in dns.recordsets.list(zone['id'])) == [
        'A', 'AAAA']
    assert [r['type'] for r in dns.recordsets.list(
        zone['id'], criterion={'type': 'A'})] == ['A']
    dns.recordsets.update(zone['id'], www['id'],
                          {'records': ['192.0.2.2'], 'ttl': 60})
    shown = dns.recordsets.get(zone['id'], www['id'])
    assert (shown['records'], shown['ttl'], shown['status']) == (
        ['192.0.2.2'], 60, 'ACTIVE')
    assert len(dns.recordsets.list_all_zones()) == 2
    dns.recordsets.delete(zone['id'], www['id'])
    with pytest.raises(designate_exc.NotFound) as info:
        dns.recordsets.get(zone['id'], www['id'])
    assert info.value.type == 'recordset_not_found'


def test_recordset_conflicts_and_locations(dns):
    zone = dns.zones.create('loc.org.', email='a@loc.org')
    dns.recordsets.create(zone['id'], 'mail', 'MX', ['10 mx.loc.org.'])
    with pytest.raises(designate_exc.Conflict) as info:
        dns.recordsets.create(zone['id'], 'mail', 'MX', ['20 mx.loc.org.'])
    assert info.value.type == 'duplicate_recordset'
    with pytest.raises(designate_exc.BadRequest) as info:
        dns.recordsets.create(zone['id'], 'www.elsewhere.org.', 'A',
                              ['192.0.2.1'])
    assert info.value.type == 'invalid_recordset_location'


def test_pending_changes_finish_after_the_delay(cloud, dns):
    cloud.services['dns'].pending_seconds = 0.3
    zone = dns.zones.create('slow.org.', email='a@slow.org')
    assert dns.zones.get(zone['id'])['status'] == 'PENDING'
    helpers.poll(lambda: dns.zones.get(zone['id'])['status'] == 'ACTIVE')
    dns.zones.delete(zone['id'])
    assert dns.zones.get(zone['id'])['action'] == 'DELETE'

    def gone():
        try:
            dns.zones.get(zone['id'])
        except designate_exc.NotFound:
            return True
        return False

    helpers.poll(gone)


def test_deleting_a_zone_deletes_its_recordsets(cloud, dns):
    zone = dns.zones.create('gone.org.', email='a@gone.org')
    dns.recordsets.create(zone['id'], 'www', 'A', ['192.0.2.1'])
    dns.zones.delete('gone.org.')
    assert dns.zones.list() == []
    counters = cloud.counters()
    assert counters['created']['recordset'] == 1
    assert counters['live']['recordset'] == 0


def test_another_projects_zones_are_not_seen_but_names_are_taken(
        cloud, dns):
    theirs = designate_client.Client(
        session=helpers.project_session(cloud)[1])
    zone = theirs.zones.create('theirs.org.', email='a@theirs.org')
    assert dns.zones.list() == []
    with pytest.raises(designate_exc.NotFound):
        dns.zones.get(zone['id'])
    with pytest.raises(designate_exc.Conflict):
        dns.zones.create('theirs.org.', email='a@theirs.org')


def test_drop_after_a_zone_create_leaves_the_zone(make_cloud):
    cloud = make_cloud(faults=[{
        'service': 'dns', 'method': 'POST', 'path': '^/zones$', 'first': 1,
        'fault': 'drop_after'}])
    dns = designate_client.Client(session=helpers.make_session(cloud))
    with pytest.raises(ks_exc.ConnectFailure):
        dns.zones.create('orphan.org.', email='a@orphan.org')
    assert [z['name'] for z in cloud.objects('zone')] == ['orphan.org.']
    with pytest.raises(designate_exc.Conflict):
        dns.zones.create('orphan.org.', email='a@orphan.org')


def test_a_503_is_unknown_with_designates_body(make_cloud):
    cloud = make_cloud(faults=[{
        'service': 'dns', 'method': 'POST', 'first': 1, 'fault': 503}])
    dns = designate_client.Client(session=helpers.make_session(cloud))
    with pytest.raises(designate_exc.Unknown) as info:
        dns.zones.create('never.org.', email='a@never.org')
    assert (info.value.code, info.value.type) == (503,
                                                  'service_unavailable')
    assert cloud.objects('zone') == []

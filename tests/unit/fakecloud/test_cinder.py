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

"""The fake Cinder v3 through python-cinderclient over HTTP."""

from cinderclient import api_versions
from cinderclient import client as cinder_client
from cinderclient import exceptions as cinder_exc
from keystoneauth1 import exceptions as ks_exc
import pytest
import requests

from tests.unit.fakecloud import helpers


def _cinder(session, version='3.70', **kwargs):
    return cinder_client.Client(version, session=session, **kwargs)


@pytest.fixture
def cinder(session):
    return _cinder(session)


def test_versions_and_the_highest_microversion(cloud, cinder):
    root = requests.get(cloud.base_url('volumev3') + '/')
    assert root.status_code == 300
    (v3,) = root.json()['versions']
    assert (v3['id'], v3['min_version'], v3['version']) == (
        'v3.0', '3.0', '3.70')
    assert requests.get(cloud.base_url('volumev3') + '/v3/').json()[
        'versions'] == [v3]
    assert api_versions.get_highest_version(cinder).get_string() == '3.70'
    assert cloud.endpoint('volumev3') == cloud.base_url('volumev3') + '/v3'


def test_the_microversion_is_echoed_and_out_of_range_refused(cloud, session):
    token = session.get_token()
    url = cloud.endpoint('volumev3') + '/volumes'
    for asked, status, echoed in (('volume 3.59', 200, 'volume 3.59'),
                                  (None, 200, 'volume 3.0'),
                                  ('volume 3.71', 406, None),
                                  ('volume three', 400, None)):
        headers = {'X-Auth-Token': token}
        if asked:
            headers['OpenStack-API-Version'] = asked
        response = requests.get(url, headers=headers)
        assert response.status_code == status, asked
        if echoed:
            assert response.headers['OpenStack-API-Version'] == echoed


def test_the_legacy_project_url_is_served_for_the_token_project_only(
        cloud, session):
    legacy = _cinder(session, endpoint_override='%s/v3/%s' % (
        cloud.base_url('volumev3'), cloud.project_id))
    volume = legacy.volumes.create(1, name='legacy')
    assert _cinder(session).volumes.get(volume.id).name == 'legacy'
    other = _cinder(session, endpoint_override='%s/v3/%s' % (
        cloud.base_url('volumev3'), 'someone-else'))
    with pytest.raises(cinder_exc.BadRequest, match='Malformed'):
        other.volumes.list()


def test_a_volume_is_creating_then_available(cloud, cinder):
    cloud.services['volumev3'].build_seconds = 0.3
    volume = cinder.volumes.create(2, name='data', description='d',
                                   metadata={'app': 'db'})
    assert volume.status == 'creating'
    assert (volume.size, volume.name, volume.metadata) == (
        2, 'data', {'app': 'db'})
    assert volume.volume_type == '__DEFAULT__' and volume.attachments == []
    assert volume.bootable == 'false'
    ready = helpers.poll(lambda: cinder.volumes.get(volume.id).status ==
                         'available')
    assert ready
    counters = cloud.counters()
    assert counters['created']['volume'] == counters['live']['volume'] == 1


def test_list_filters_name_status_and_metadata(cinder):
    a = cinder.volumes.create(1, name='a', metadata={'tier': 'gold'})
    cinder.volumes.create(1, name='b', metadata={'tier': 'iron'})
    assert [v.id for v in cinder.volumes.list(
        search_opts={'name': 'a'})] == [a.id]
    assert [v.name for v in cinder.volumes.list(
        search_opts={'metadata': {'tier': 'gold'}})] == ['a']
    assert sorted(v.name for v in cinder.volumes.list(
        search_opts={'status': 'available'})) == ['a', 'b']
    brief = cinder.volumes.list(detailed=False)
    assert sorted(v.name for v in brief) == ['a', 'b']
    assert not hasattr(brief[0], 'status')
    assert cinder.volumes.find(name='b').metadata == {'tier': 'iron'}
    with pytest.raises(cinder_exc.BadRequest, match='Invalid filters'):
        cinder.volumes.list(search_opts={'colour': 'red'})


def test_update_extend_metadata_and_delete(cinder):
    volume = cinder.volumes.create(1, name='v')
    cinder.volumes.update(volume, name='w', description='new')
    cinder.volumes.set_metadata(volume, {'k': 'v'})
    cinder.volumes.extend(volume, 3)
    shown = cinder.volumes.get(volume.id)
    assert (shown.name, shown.description, shown.size, shown.metadata) == (
        'w', 'new', 3, {'k': 'v'})
    with pytest.raises(cinder_exc.BadRequest, match='greater than'):
        cinder.volumes.extend(volume, 2)
    cinder.volumes.delete_metadata(volume, ['k'])
    cinder.volumes.update_readonly_flag(volume, True)
    assert cinder.volumes.get(volume.id).metadata == {'readonly': 'true'}
    cinder.volumes.delete(volume)
    with pytest.raises(cinder_exc.NotFound):
        cinder.volumes.get(volume.id)


def test_invalid_creates_answer_400_or_404(cinder):
    with pytest.raises(cinder_exc.BadRequest, match='size'):
        cinder.volumes.create(0)
    with pytest.raises(cinder_exc.NotFound, match='Volume type'):
        cinder.volumes.create(1, volume_type='gold')
    with pytest.raises(cinder_exc.BadRequest, match='Availability zone'):
        cinder.volumes.create(1, availability_zone='mars')
    with pytest.raises(cinder_exc.BadRequest, match='image'):
        cinder.volumes.create(1, imageRef='no-such-image')


def test_types_zones_extensions_and_limits(cloud, session):
    cinder = _cinder(session, extensions=cinder_client.discover_extensions(
        '3'))
    assert [t.name for t in cinder.volume_types.list()] == ['__DEFAULT__']
    assert cinder.volume_types.default().name == '__DEFAULT__'
    zones = cinder.availability_zones.list()
    assert [z.zoneName for z in zones] == ['nova']
    aliases = {e.alias for e in cinder.list_extensions.show_all()}
    assert {'os-quota-sets', 'os-availability-zone'} <= aliases
    cinder.volumes.create(4)
    absolute = {limit.name: limit.value
                for limit in cinder.limits.get().absolute}
    assert absolute['totalVolumesUsed'] == 1
    assert absolute['totalGigabytesUsed'] == 4
    assert absolute['maxTotalVolumes'] == -1


def test_a_quota_refuses_volumes_over_it_with_413(cloud, cinder):
    cinder.quotas.update(cloud.project_id, volumes=1)
    assert cinder.quotas.get(cloud.project_id).volumes == 1
    cinder.volumes.create(1)
    with pytest.raises(cinder_exc.OverLimit, match='VolumeLimitExceeded'):
        cinder.volumes.create(1)
    usage = cinder.quotas.get(cloud.project_id, usage=True).volumes
    assert usage == {'limit': 1, 'in_use': 1, 'reserved': 0,
                     'allocated': 0}
    cinder.quotas.delete(cloud.project_id)
    cinder.volumes.create(1)


def test_errors_are_cinder_fault_bodies(cloud, session):
    response = requests.get(
        cloud.endpoint('volumev3') + '/volumes/missing',
        headers={'X-Auth-Token': session.get_token()})
    assert response.status_code == 404
    assert response.json() == {'itemNotFound': {
        'code': 404, 'message': 'Volume missing could not be found.'}}
    response = requests.get(cloud.endpoint('volumev3') + '/volumes')
    assert response.status_code == 401


def test_a_create_whose_connection_drops_after_it_is_processed(make_cloud):
    cloud = make_cloud(faults=[{'service': 'volumev3', 'method': 'POST',
                                'path': '^/volumes$', 'first': 1,
                                'fault': {'kind': 'drop_after'}}])
    cinder = _cinder(helpers.make_session(cloud))
    with pytest.raises(ks_exc.ConnectFailure):
        cinder.volumes.create(1, name='lost')
    counters = cloud.counters()
    assert counters['requests']['volumev3 POST /volumes'] == {'dropped': 1}
    assert counters['faults'] == {'drop_after': 1}
    assert counters['live']['volume'] == 1
    assert [v.name for v in cinder.volumes.list()] == ['lost']

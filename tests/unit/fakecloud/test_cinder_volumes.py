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

"""Cinder volumes: created, listed, updated, extended, deleted, checked."""

from cinderclient import client as cinder_client
from cinderclient import exceptions as cinder_exc
from keystoneauth1 import exceptions as ks_exc
import pytest

from tests.unit.fakecloud import helpers


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


def test_a_create_whose_connection_drops_after_it_is_processed(make_cloud):
    cloud = make_cloud(faults=[{'service': 'volumev3', 'method': 'POST',
                                'path': '^/volumes$', 'first': 1,
                                'fault': {'kind': 'drop_after'}}])
    cinder = cinder_client.Client('3.70', session=helpers.make_session(cloud))
    with pytest.raises(ks_exc.ConnectFailure):
        cinder.volumes.create(1, name='lost')
    counters = cloud.counters()
    assert counters['requests']['volumev3 POST /volumes'] == {'dropped': 1}
    assert counters['faults'] == {'drop_after': 1}
    assert counters['live']['volume'] == 1
    assert [v.name for v in cinder.volumes.list()] == ['lost']

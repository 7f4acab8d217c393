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

"""Nova volume attachments on Cinder volumes, through the real clients."""

from cinderclient import exceptions as cinder_exc
from novaclient import exceptions as nova_exc
import pytest

from heat_retry_plugins.fakecloud import glance
from tests.unit.fakecloud import helpers

IMAGE = glance.CIRROS_IMAGE_ID


@pytest.fixture
def nova(session):
    """A novaclient at 2.79, where an attachment may delete its volume."""
    return helpers.nova(session, '2.79')


def test_attaching_twice_to_the_same_server_is_a_400_as_in_nova(
        nova, cinder, server):
    volume = cinder.volumes.create(1)
    nova.volumes.create_server_volume(server.id, volume.id)
    with pytest.raises(nova_exc.BadRequest, match='already attached'):
        nova.volumes.create_server_volume(server.id, volume.id)


def test_a_volume_in_use_elsewhere_or_missing_cannot_be_attached(
        nova, cinder, server):
    other = nova.servers.create('other', IMAGE, '1', nics='none')
    volume = cinder.volumes.create(1)
    nova.volumes.create_server_volume(other.id, volume.id)
    with pytest.raises(nova_exc.BadRequest, match='in-use'):
        nova.volumes.create_server_volume(server.id, volume.id)
    with pytest.raises(nova_exc.NotFound, match='Volume'):
        nova.volumes.create_server_volume(server.id, 'no-such-volume')
    nova.volumes.create_server_volume(server.id, cinder.volumes.create(1).id)
    with pytest.raises(nova_exc.Conflict, match='in use'):
        nova.volumes.create_server_volume(server.id,
                                          cinder.volumes.create(1).id,
                                          device='/dev/vdb')


def test_a_building_server_refuses_the_attach(cloud, nova, cinder):
    cloud.server_build_seconds = 30
    building = nova.servers.create('slow', IMAGE, '1', nics='none')
    with pytest.raises(nova_exc.Conflict, match='building'):
        nova.volumes.create_server_volume(building.id,
                                          cinder.volumes.create(1).id)


def test_an_attached_volume_cannot_be_deleted(nova, cinder, server):
    volume = cinder.volumes.create(1)
    nova.volumes.create_server_volume(server.id, volume.id)
    with pytest.raises(cinder_exc.BadRequest, match='attached'):
        cinder.volumes.delete(volume)


def test_deleting_the_server_detaches_its_volumes(cloud, nova, cinder,
                                                  server):
    kept = cinder.volumes.create(1)
    dropped = cinder.volumes.create(1)
    nova.volumes.create_server_volume(server.id, kept.id)
    nova.volumes.create_server_volume(server.id, dropped.id,
                                      delete_on_termination=True)
    nova.servers.delete(server.id)
    assert cinder.volumes.get(kept.id).status == 'available'
    with pytest.raises(cinder_exc.NotFound):
        cinder.volumes.get(dropped.id)
    live = cloud.counters()['live']
    assert (live['volume_attachment'], live['volume']) == (0, 1)


def test_microversion_2_89_shows_the_attachment_id(cloud, cinder, server):
    nova = helpers.nova(helpers.make_session(cloud), '2.89')
    volume = cinder.volumes.create(1)
    nova.volumes.create_server_volume(server.id, volume.id)
    shown = nova.volumes.get_server_volume(server.id, volume.id)
    assert not hasattr(shown, 'id')
    assert shown.attachment_id == cinder.volumes.get(volume.id).attachments[
        0]['attachment_id']

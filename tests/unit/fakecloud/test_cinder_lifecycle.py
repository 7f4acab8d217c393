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

"""A volume's statuses: creating, available, attaching, in-use, detaching.

Seen through cinderclient while novaclient attaches and detaches.
"""

from novaclient import exceptions as nova_exc
import pytest

from tests.unit.fakecloud import helpers


def _status(cinder, volume):
    return cinder.volumes.get(volume.id).status


def test_a_volume_is_creating_then_available(cloud, cinder):
    cloud.services['volumev3'].build_seconds = 0.3
    volume = cinder.volumes.create(2, name='data', description='d',
                                   metadata={'app': 'db'})
    assert volume.status == 'creating'
    assert (volume.size, volume.name, volume.metadata) == (
        2, 'data', {'app': 'db'})
    assert volume.volume_type == '__DEFAULT__' and volume.attachments == []
    assert volume.bootable == 'false'
    assert _status(cinder, volume) == 'creating'
    helpers.poll(lambda: _status(cinder, volume) == 'available')
    counters = cloud.counters()
    assert counters['created']['volume'] == counters['live']['volume'] == 1


def test_attach_goes_through_attaching_to_in_use(cloud, nova, cinder,
                                                 server):
    cloud.services['volumev3'].attach_seconds = 0.3
    volume = cinder.volumes.create(1, name='data')
    attachment = nova.volumes.create_server_volume(server.id, volume.id)
    assert (attachment.id, attachment.device) == (volume.id, '/dev/vdb')
    assert _status(cinder, volume) == 'attaching'
    helpers.poll(lambda: _status(cinder, volume) == 'in-use')
    (listed,) = cinder.volumes.get(volume.id).attachments
    assert (listed['server_id'], listed['device']) == (server.id, '/dev/vdb')
    assert [a.volumeId for a in nova.volumes.get_server_volumes(
        server.id)] == [volume.id]
    assert nova.volumes.get_server_volume(server.id, volume.id).serverId == (
        server.id)
    assert cloud.counters()['live']['volume_attachment'] == 1
    second = nova.volumes.create_server_volume(
        server.id, cinder.volumes.create(1).id)
    assert second.device == '/dev/vdc'


def test_detach_goes_through_detaching_to_available(cloud, nova, cinder,
                                                    server):
    volume = cinder.volumes.create(1)
    nova.volumes.create_server_volume(server.id, volume.id)
    cloud.services['volumev3'].attach_seconds = 0.3
    nova.volumes.delete_server_volume(server.id, volume.id)
    assert _status(cinder, volume) == 'detaching'
    helpers.poll(lambda: _status(cinder, volume) == 'available')
    assert cinder.volumes.get(volume.id).attachments == []
    with pytest.raises(nova_exc.NotFound):
        nova.volumes.get_server_volume(server.id, volume.id)
    with pytest.raises(nova_exc.NotFound):
        nova.volumes.delete_server_volume(server.id, volume.id)
    assert cloud.counters()['live']['volume_attachment'] == 0

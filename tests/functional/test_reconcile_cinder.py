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

"""Cinder volumes and Nova volume attachments that never duplicate.

Over real HTTP with cinderclient and novaclient, under each ambiguous
fault on 1%, 5% and 30% of the POSTs and on the first attempts. A volume
carries its token in its metadata; an attachment is proven by its pair
(this server, this volume). Another team's same-named volume, and its
attachment to its own server, are never adopted nor touched.
"""

from cinderclient.v3 import client as cinder_client
from novaclient import exceptions as nova_exceptions
import pytest

from heat_retry_plugins.fakecloud import CIRROS_IMAGE_ID
from tests.functional.conftest import AMBIGUOUS
from tests.functional.conftest import fault
from tests.functional.conftest import lands_late
from tests.functional.conftest import LATE_KINDS
from tests.functional.conftest import MARKER
from tests.functional.conftest import requests_to
from tests.functional.conftest import SELECTORS
from tests.unit.fakecloud import helpers

CREATES = 12
ATTACH_PATH = '^/servers/[^/]+/os-volume_attachments$'
ATTACH_ROUTE = 'compute POST /servers/{id}/os-volume_attachments'


@pytest.fixture
def other_team(cloud):
    """Another team's clients: what they make is seeded, no token."""
    session = helpers.make_session(cloud)

    class Team:
        cinder = cinder_client.Client(session=session)
        nova = helpers.nova(session, '2.37')
    return Team


# -- volumes ------------------------------------------------------------------

@pytest.mark.parametrize('selector', SELECTORS)
@pytest.mark.parametrize('kind', AMBIGUOUS)
def test_volumes(cinder, cloud, other_team, kind, selector):
    names = ['vol-%d' % i for i in range(CREATES)]
    with cloud.state.preexisting():
        theirs = other_team.cinder.volumes.create(
            1, name=names[0], metadata={'team': 'theirs'})
    cloud.set_faults(fault('/volumes$', 'POST', {'kind': kind},
                           service='volumev3', **selector))
    made = [cinder.volumes.create(1, name=name, metadata={'tier': 'db'})
            for name in names]
    assert [m.name for m in made] == names
    assert all(m.metadata['tier'] == 'db' and m.metadata[MARKER]
               for m in made)
    assert cloud.counters()['duplicates']['volume'] == 0
    held = sorted(v['id'] for v in cloud.objects('volume'))
    assert held == sorted(m.id for m in made)
    kept = other_team.cinder.volumes.get(theirs.id)
    assert kept.metadata == {'team': 'theirs'}
    assert cloud.state.seeded_summary()['preexisting_deleted_total'] == 0


@pytest.mark.parametrize('late', sorted(LATE_KINDS))
def test_a_late_duplicate_volume_is_swept_by_the_next_request_naming_it(
        cinder, cloud, context, other_team, late):
    with cloud.state.preexisting():
        theirs = other_team.cinder.volumes.create(1, name='data')
    cloud.set_faults(fault('/volumes$', 'POST', lands_late(context, late),
                           service='volumev3'))
    made = cinder.volumes.create(1, name='data')
    helpers.poll(lambda: len(cloud.objects('volume')) == 2)
    assert cinder.volumes.get(made.id).id == made.id
    assert [v['id'] for v in cloud.objects('volume')] == [made.id]
    assert other_team.cinder.volumes.get(theirs.id).name == 'data'


# -- volume attachments -------------------------------------------------------

@pytest.fixture
def server(nova, cloud):
    made = nova.servers.create('db', CIRROS_IMAGE_ID, '1', nics='none')
    cloud.reset_counters()
    return made


def attachments_of(cloud, server_id):
    return sorted(a['volume_id'] for a in cloud.objects('volume_attachment')
                  if a['server_id'] == server_id)


@pytest.mark.parametrize('selector', SELECTORS)
@pytest.mark.parametrize('kind', AMBIGUOUS)
def test_volume_attachments(nova, cinder, cloud, other_team, server, kind,
                            selector):
    with cloud.state.preexisting():
        their_server = other_team.nova.servers.create(
            'db', CIRROS_IMAGE_ID, '1', nics='none')
        their_volume = other_team.cinder.volumes.create(1, name='data')
        other_team.nova.volumes.create_server_volume(their_server.id,
                                                     their_volume.id)
    volumes = [cinder.volumes.create(1, name='data-%d' % i)
               for i in range(CREATES)]
    cloud.set_faults(fault(ATTACH_PATH, 'POST', {'kind': kind}, **selector))
    made = [nova.volumes.create_server_volume(server.id, volume.id)
            for volume in volumes]
    assert [m.volumeId for m in made] == [v.id for v in volumes]
    assert all(m.serverId == server.id for m in made)
    assert attachments_of(cloud, server.id) == sorted(v.id for v in volumes)
    assert [a.volumeId for a in other_team.nova.volumes.get_server_volumes(
        their_server.id)] == [their_volume.id]
    assert cloud.state.seeded_summary()['preexisting_deleted_total'] == 0


@pytest.mark.parametrize('kind', AMBIGUOUS)
def test_an_adopted_attachment_answers_as_the_post_at_heats_microversion(
        nova_plugin, cinder, cloud, server, kind):
    # Heat asks for 2.96, where a GET of an attachment has no "id" and
    # Heat's attach_volume returns the POST answer's.
    nova = nova_plugin.client(version='2.96')
    volume = cinder.volumes.create(1, name='data')
    cloud.set_faults(fault(ATTACH_PATH, 'POST', {'kind': kind}))
    made = nova.volumes.create_server_volume(server.id, volume.id)
    assert (made.id, made.volumeId, made.serverId) == (
        volume.id, volume.id, server.id)
    assert attachments_of(cloud, server.id) == [volume.id]


@pytest.fixture
def attached_before(nova, cinder, cloud, server):
    """A volume attached to the server before the call."""
    volume = cinder.volumes.create(1, name='data')
    nova.volumes.create_server_volume(server.id, volume.id)
    cloud.reset_counters()
    return volume


def test_attaching_an_attached_pair_fails_as_without_retries(
        nova, cloud, server, attached_before):
    # A 503: the attach was certainly not processed, and is sent again.
    cloud.set_faults(fault(ATTACH_PATH, 'POST', {'status': 503}))
    with pytest.raises(nova_exceptions.BadRequest):
        nova.volumes.create_server_volume(server.id, attached_before.id)
    assert requests_to(cloud, ATTACH_ROUTE) == {'503': 1, '400': 1}
    assert requests_to(cloud, 'compute GET /servers/{id}/'
                       'os-volume_attachments/{volume_id}') == {'200': 1}
    assert attachments_of(cloud, server.id) == [attached_before.id]


def test_a_lost_attach_of_a_pair_attached_before_is_never_claimed(
        nova, cloud, server, attached_before):
    # The pair was attached before the call: it is not ours, so the attach
    # is sent once (a look first) and its failure is the caller's, as
    # without retries; nothing is adopted, so nothing will be detached.
    cloud.set_faults(fault(ATTACH_PATH, 'POST', {'kind': 'ambiguous_500'}))
    with pytest.raises(nova_exceptions.ClientException) as raised:
        nova.volumes.create_server_volume(server.id, attached_before.id)
    assert raised.value.code == 500
    assert requests_to(cloud, ATTACH_ROUTE) == {'500': 1}
    assert attachments_of(cloud, server.id) == [attached_before.id]


def test_a_resend_that_meets_our_own_late_attachment_adopts_it(
        nova, cinder, cloud, server, sleeps):
    volume = cinder.volumes.create(1, name='data')
    cloud.set_faults(fault(ATTACH_PATH, 'POST',
                           {'kind': 'slow_create', 'seconds': 0.2}))
    sleeps.on_sleep = lambda: helpers.poll(
        lambda: attachments_of(cloud, server.id))
    made = nova.volumes.create_server_volume(server.id, volume.id)
    assert (made.volumeId, made.serverId) == (volume.id, server.id)
    # The resend met Nova's 400 (already attached): the attachment the
    # lost attach made is adopted.
    assert requests_to(cloud, ATTACH_ROUTE) == {'504': 1, '400': 1}
    assert attachments_of(cloud, server.id) == [volume.id]

"""Cinder volumes and Nova volume attachments that never duplicate.

Over real HTTP with cinderclient and novaclient, under each ambiguous
fault on 1%, 5% and 30% of the POSTs and on the first attempts. A volume
carries its token in its metadata; an attachment is proven by its pair
(this server, this volume). Another team's same-named volume, and its
attachment to its own server, are never adopted nor touched.
"""

from cinderclient import exceptions as cinder_exceptions
from cinderclient.v3 import client as cinder_client
from novaclient import exceptions as nova_exceptions
import pytest

from heat_retry_plugins.fakecloud import CIRROS_IMAGE_ID
from tests.functional.conftest import fault
from tests.functional.conftest import requests_to
from tests.functional.test_ownership import LATE_KINDS
from tests.functional.test_reconcile import AMBIGUOUS
from tests.functional.test_reconcile import SELECTORS
from tests.unit.fakecloud import helpers

MARKER = 'heat_retry_token'
CREATES = 12
ATTACH_PATH = '^/servers/[^/]+/os-volume_attachments$'
ATTACH_ROUTE = 'compute POST /servers/{id}/os-volume_attachments'


@pytest.fixture
def cinder(context, sleeps):
    plugin = context.clients.client_plugin('cinder_retry')
    plugin.sleep = sleeps
    return plugin.client()


@pytest.fixture
def nova(nova_plugin):
    return nova_plugin.client()


@pytest.fixture
def other_team(cloud):
    """Another team's clients: what they make is seeded, no token."""
    session = helpers.make_session(cloud)

    class Team:
        cinder = cinder_client.Client(session=session)
        nova = helpers.nova(session, '2.37')
    return Team


def faults(service, path, selector, kind):
    return [dict({'service': service, 'method': 'POST', 'path': path,
                  'fault': {'kind': kind}}, **selector)]


# -- volumes ------------------------------------------------------------------

@pytest.mark.parametrize('selector', SELECTORS)
@pytest.mark.parametrize('kind', AMBIGUOUS)
def test_volumes(cinder, cloud, other_team, kind, selector):
    names = ['vol-%d' % i for i in range(CREATES)]
    with cloud.state.preexisting():
        theirs = other_team.cinder.volumes.create(
            1, name=names[0], metadata={'team': 'theirs'})
    cloud.set_faults(faults('volumev3', '/volumes$', selector, kind))
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
    if late == 'read_timeout':
        context.keystone_session.timeout = 0.3
        context.keystone_session.get_token()
    cloud.set_faults(fault('/volumes$', 'POST', LATE_KINDS[late],
                           service='volumev3'))
    made = cinder.volumes.create(1, name='data')
    helpers.poll(lambda: len(cloud.objects('volume')) == 2)
    assert cinder.volumes.get(made.id).id == made.id
    assert [v['id'] for v in cloud.objects('volume')] == [made.id]
    assert other_team.cinder.volumes.get(theirs.id).name == 'data'


def test_without_the_marker_an_ambiguous_volume_create_is_not_retried(
        cinder, cloud, heat_conf):
    heat_conf.set(group='clients_cinder', retry_ownership_marker=False)
    cloud.set_faults(fault('/volumes$', 'POST', {'kind': 'ambiguous_504'},
                           service='volumev3'))
    with pytest.raises(cinder_exceptions.ClientException):
        cinder.volumes.create(1, name='data')
    (held,) = cloud.objects('volume')
    assert MARKER not in held['metadata']
    assert requests_to(cloud, 'volumev3 POST /volumes') == {'504': 1}


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
    cloud.set_faults(faults('compute', ATTACH_PATH, selector, kind))
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
    cloud.set_faults(faults('compute', ATTACH_PATH, {'first': 1}, kind))
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
    assert made.volumeId == volume.id

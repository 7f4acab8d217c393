"""Cinder volumes (token in metadata) and Nova attachments (their pair)."""

import pytest

from heat_retry_plugins.reconcilers import cinder
from heat_retry_plugins.session import ownership
from tests.unit.reconcilers import fakes

MARKER = ownership.MARKER
VOLUMES = '/v3/project/volumes'
ATTACHMENTS = '/v2.1/servers/server-1/os-volume_attachments'


def test_a_volume_carries_the_token_in_its_metadata():
    marked = cinder.VolumeReconciler.mark(fakes.create(VOLUMES, {'volume': {
        'name': 'data', 'size': 1, 'metadata': {'tier': 'db'}}}))
    assert marked.body['volume']['metadata'] == {'tier': 'db',
                                                 MARKER: fakes.TOKEN}


@pytest.mark.parametrize('volume', [
    {'size': 1}, {'name': '', 'size': 1},
    {'name': 'data', 'metadata': ['tier']}])
def test_a_volume_without_a_name_or_a_metadata_map_is_not_marked(volume):
    assert cinder.VolumeReconciler.mark(fakes.create(
        VOLUMES, {'volume': volume})) is None


def test_a_volume_is_ours_only_with_this_calls_token():
    reconciler, _ = fakes.reconciler(
        cinder.VolumeReconciler, cinder.VolumeReconciler.mark(fakes.create(
            VOLUMES, {'volume': {'name': 'data', 'size': 1}})))
    assert reconciler.is_ours(fakes.found({'metadata': {
        MARKER: fakes.TOKEN}}))
    assert not reconciler.is_ours(fakes.found({'metadata': {
        MARKER: fakes.OTHER_TOKEN}}))
    assert not reconciler.is_ours(fakes.found({'metadata': None}))


def test_volumes_are_looked_up_in_the_detailed_listing_by_name():
    reconciler, lookup = fakes.reconciler(
        cinder.VolumeReconciler, cinder.VolumeReconciler.mark(fakes.create(
            VOLUMES, {'volume': {'name': 'data', 'size': 1}})),
        {'volumes': [{'id': 'a', 'name': 'data'}, {'id': 'b',
                                                   'name': 'data2'}]})
    assert [f.member['id'] for f in reconciler.find()] == ['a']
    assert lookup.query() == (VOLUMES + '/detail', {'name': 'data'})


def attachment(volume_id='volume-1'):
    return fakes.create(ATTACHMENTS, {'volumeAttachment': {
        'volumeId': volume_id, 'device': None}})


def test_an_attachment_is_sent_as_it_is():
    create = attachment()
    assert cinder.VolumeAttachmentReconciler.mark(create) is create


@pytest.mark.parametrize('volume_id', [None, '', 7])
def test_an_attachment_without_a_volume_is_sent_under_never(volume_id):
    assert cinder.VolumeAttachmentReconciler.mark(
        attachment(volume_id)) is None


def test_an_attachment_is_ours_for_exactly_its_server_and_volume():
    reconciler, lookup = fakes.reconciler(
        cinder.VolumeAttachmentReconciler, attachment(),
        {'volumeAttachment': {'id': 'volume-1', 'volumeId': 'volume-1',
                              'serverId': 'server-1'}})
    (found,) = reconciler.find()
    assert lookup.urls == [ATTACHMENTS + '/volume-1']
    assert reconciler.is_ours(found)
    assert not reconciler.is_ours(fakes.found({'volumeId': 'volume-1',
                                               'serverId': 'server-2'}))
    assert not reconciler.is_ours(fakes.found({'volumeId': 'volume-2',
                                               'serverId': 'server-1'}))
    assert reconciler.name == 'volume volume-1 on server server-1'


def test_an_attachment_that_is_not_there_is_not_found():
    reconciler, _ = fakes.reconciler(cinder.VolumeAttachmentReconciler,
                                     attachment(), None)
    assert reconciler.find() == []


def test_volumes_are_swept_and_attachments_are_not():
    # NOTE: a volume's name is not unique, so a late create is a second
    # volume; a server holds a volume once.
    assert cinder.VolumeReconciler.sweeps is True
    assert cinder.VolumeAttachmentReconciler.sweeps is False

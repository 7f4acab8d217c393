"""Glance images: an id chosen before the first attempt, a token tag."""

import uuid

import pytest

from heat_retry_plugins.reconcilers import glance
from tests.unit.reconcilers import fakes

IMAGES = '/v2/images'
Image = glance.ImageReconciler


def test_an_image_without_an_id_gets_a_new_uuid4_and_the_tag():
    marked = Image.mark(fakes.create(IMAGES, {'name': 'cirros',
                                              'tags': ['base']}))
    assert uuid.UUID(marked.body['id']).version == 4
    assert marked.body == {'id': marked.body['id'], 'name': 'cirros',
                           'tags': ['base', fakes.TAG]}


def test_each_call_gets_its_own_id():
    ids = {Image.mark(fakes.create(IMAGES, {})).body['id']
           for _ in range(3)}
    assert len(ids) == 3


def test_an_id_the_caller_chose_is_kept():
    chosen = str(uuid.uuid4())
    marked = Image.mark(fakes.create(IMAGES, {'id': chosen}))
    assert marked.body == {'id': chosen, 'tags': [fakes.TAG]}


@pytest.mark.parametrize('body', [{'id': ''}, {'id': 7},
                                  {'tags': 'base'}])
def test_an_image_that_cannot_be_marked_is_sent_under_never(body):
    assert Image.mark(fakes.create(IMAGES, body)) is None


def test_an_image_is_found_by_its_id_and_ours_only_with_the_tag():
    marked = Image.mark(fakes.create(IMAGES, {'name': 'cirros'}))
    image_id = marked.body['id']
    reconciler, lookup = fakes.reconciler(Image, marked, {
        'id': image_id, 'tags': [fakes.TAG]})
    (found,) = reconciler.find()
    assert lookup.urls == [IMAGES + '/' + image_id]
    assert reconciler.is_ours(found)
    assert not reconciler.is_ours(fakes.found({'id': image_id,
                                               'tags': []}))


def test_an_image_that_is_not_there_is_not_found():
    reconciler, _ = fakes.reconciler(
        Image, Image.mark(fakes.create(IMAGES, {})), None)
    assert reconciler.find() == []


def test_the_response_is_the_image_itself():
    reconciler, _ = fakes.reconciler(
        Image, Image.mark(fakes.create(IMAGES, {'name': 'cirros'})))
    assert reconciler.wrapped({'id': 'x'}) == {'id': 'x'}
    assert reconciler.name == 'cirros'


def test_an_image_is_never_swept():
    # NOTE: its id is chosen before the first attempt: a late create meets
    # the image itself, it cannot make a second one.
    assert Image.sweeps is False

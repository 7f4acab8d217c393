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

"""Glance image creates that never duplicate, over real HTTP.

With glanceclient, under each ambiguous fault on 1%, 5% and 30% of the
POSTs and on the first attempts. An image without an id gets one from the
reconciler, so every attempt makes the same image; its token is a tag. An
image of an id the caller chose is adopted only with the token, and
another team's image is never adopted nor touched. Uploads are sent once.
"""

import io
import uuid

from glanceclient import client as glance_client
from glanceclient import exc as glance_exceptions
import pytest

from tests.functional.conftest import AMBIGUOUS
from tests.functional.conftest import fault
from tests.functional.conftest import MARKER
from tests.functional.conftest import requests_to
from tests.functional.conftest import SELECTORS
from tests.unit.fakecloud import helpers

CREATES = 12
POST_IMAGES = 'image POST /images'


@pytest.fixture
def other_team(cloud):
    return glance_client.Client('2', session=helpers.make_session(cloud))


def marked(image):
    return [t for t in image['tags'] if t.startswith(MARKER + '=')]


def ours(cloud):
    return sorted(i['id'] for i in cloud.objects('image'))


def make(glance, name, **extra):
    return glance.images.create(name=name, container_format='bare',
                                disk_format='raw', **extra)


@pytest.mark.parametrize('selector', SELECTORS)
@pytest.mark.parametrize('kind', AMBIGUOUS)
def test_images(glance, cloud, other_team, kind, selector):
    names = ['image-%d' % i for i in range(CREATES)]
    with cloud.state.preexisting():
        theirs = make(other_team, names[0], tags=['theirs'])
    cloud.set_faults(fault('^/images$', 'POST', {'kind': kind},
                           service='image', **selector))
    made = [make(glance, name, tags=['web']) for name in names]
    assert [m['name'] for m in made] == names
    assert all('web' in m['tags'] and marked(m) for m in made)
    assert ours(cloud) == sorted(m['id'] for m in made)
    assert other_team.images.get(theirs['id'])['tags'] == ['theirs']
    assert cloud.state.seeded_summary()['preexisting_deleted_total'] == 0


@pytest.mark.parametrize('kind', AMBIGUOUS)
def test_an_image_of_a_chosen_id_is_found_again_by_it(glance, cloud, kind):
    chosen = str(uuid.uuid4())
    cloud.set_faults(fault('^/images$', 'POST', {'kind': kind},
                           service='image', first=2))
    made = make(glance, 'chosen', id=chosen)
    assert made['id'] == chosen and marked(made)
    assert ours(cloud) == [chosen]
    assert requests_to(cloud, POST_IMAGES) == {
        'dropped' if kind == 'drop_after' else kind[-3:]: 1}


def test_another_teams_image_of_the_chosen_id_is_never_adopted(
        glance, cloud, other_team):
    chosen = str(uuid.uuid4())
    with cloud.state.preexisting():
        make(other_team, 'theirs', id=chosen)
    cloud.reset_counters()
    # Processed (Glance answers 409 inside), then a 500 instead.
    cloud.set_faults(fault('^/images$', 'POST', {'kind': 'ambiguous_500'},
                           service='image'))
    with pytest.raises(glance_exceptions.HTTPConflict):
        make(glance, 'mine', id=chosen)
    assert requests_to(cloud, POST_IMAGES) == {'500': 1, '409': 1}
    kept = other_team.images.get(chosen)
    assert kept['name'] == 'theirs' and not marked(kept)
    assert cloud.state.seeded_summary()['preexisting_deleted_total'] == 0


def test_a_resend_that_meets_our_own_late_image_adopts_it(glance, cloud,
                                                          sleeps):
    cloud.set_faults(fault('^/images$', 'POST',
                           {'kind': 'slow_create', 'seconds': 0.2},
                           service='image'))
    # The lost create lands after the lookup found nothing, before the
    # resend: the resend of the same id meets Glance's 409.
    sleeps.on_sleep = lambda: helpers.poll(lambda: cloud.objects('image'))
    made = make(glance, 'late')
    assert requests_to(cloud, POST_IMAGES) == {'504': 1, '409': 1}
    assert ours(cloud) == [made['id']]


def test_an_image_upload_is_sent_once(glance, cloud):
    image = make(glance, 'data')
    cloud.set_faults(fault('^/images/[^/]+/file$', 'PUT',
                           {'kind': 'drop_after'}, service='image'))
    with pytest.raises(glance_exceptions.CommunicationError):
        glance.images.upload(image['id'], io.BytesIO(b'x' * 4096))
    assert requests_to(cloud, 'image PUT /images/{id}/file') == {
        'dropped': 1}

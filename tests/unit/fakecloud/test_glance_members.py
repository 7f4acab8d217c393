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

"""Glance image members: who sees a shared image, once accepted."""

from glanceclient import client as glance_client
from glanceclient import exc as glance_exc
import pytest

from tests.unit.fakecloud import helpers


def test_members_of_a_shared_image_see_it(cloud, glance_v2):
    project, other_session = helpers.project_session(cloud)
    theirs = glance_client.Client('2', session=other_session)
    private = glance_v2.images.create(name='private', visibility='private')
    shared = glance_v2.images.create(name='shared', visibility='shared')
    with pytest.raises(glance_exc.HTTPForbidden):
        glance_v2.image_members.create(private.id, project.id)
    member = glance_v2.image_members.create(shared.id, project.id)
    assert member.status == 'pending'
    with pytest.raises(glance_exc.HTTPNotFound):
        theirs.images.get(private.id)
    assert theirs.images.get(shared.id).name == 'shared'
    assert 'shared' not in [i.name for i in theirs.images.list()]
    theirs.image_members.update(shared.id, project.id, 'accepted')
    assert 'shared' in [i.name for i in theirs.images.list()]
    with pytest.raises(glance_exc.HTTPForbidden):
        theirs.images.delete(shared.id)

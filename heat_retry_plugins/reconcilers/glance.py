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

"""Glance's create: ``POST /v2/images``, found again by its id.

Glance image names are optional and not unique, but a create may choose
the image's id. When the body has none, the reconciler chooses one itself
(a fresh uuid4, as Glance would), so every attempt of the call creates the
same image: a resend after a lost attempt that landed meets Glance's 409
(the id exists) and the image is found again by its id; a duplicate cannot
exist, and nothing is swept. The id chosen is the image's id for good, the
one the call returns.

The token goes in the image's ``tags`` (``heat_retry_token=<token>``,
shown by ``openstack image show``), not in an extra property: Nova copies
an image's properties into the system metadata of every server booted
from it and into the snapshots of those servers, never its tags, and
property protections may forbid new properties to a project while a tag
is always its own. The image of an id that the caller chose is adopted
only with the token: an image that had the id before the call, someone
else's, makes the call fail with Glance's 409 and is never deleted.

Only the create is reconciled. The data upload (``PUT
/v2/images/{id}/file``) streams its body, and the request layer sends a
streamed body once, under ``never``; ``POST .../import`` is not a create
and is sent under ``never`` too.
"""

import uuid

from heat_retry_plugins.reconcilers import base
from heat_retry_plugins.reconcilers import markers


class ImageReconciler(base.JsonReconciler):
    """Glance ``POST /v2/images``, its body the image itself."""

    kind = 'image'
    service = 'glance'
    route = r'/images$'
    member, collection = None, 'images'
    token_place = markers.TAGS

    @classmethod
    def mark(cls, create):
        image = cls.member_of(create.body)
        if image.get('id') is None:
            # NOTE: the id it is found again by, chosen as Glance would.
            create = cls.marked(create, dict(image, id=str(uuid.uuid4())))
        return super().mark(create)

    @classmethod
    def findable(cls, member):
        image_id = member.get('id')
        return isinstance(image_id, str) and bool(image_id)

    @property
    def image_id(self):
        return self.member_of(self.create.body)['id']

    @property
    def name(self):
        return self.member_of(self.create.body).get('name') or self.image_id

    def find(self):
        return self.shown(self.member_url(self.image_id))

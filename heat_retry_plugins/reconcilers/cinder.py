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

"""Block storage creates: Cinder volumes, and their attachments in Nova.

* A volume carries the token as the metadata key ``heat_retry_token``
  (``openstack volume show`` lists it under ``properties``). Volume names
  are not unique, so a late duplicate is swept. A volume still
  ``creating`` cannot be deleted (Cinder answers 400): its sweep fails and
  is tried again by the next request that names the kept volume, which for
  Heat is its own polling until the volume is ``available``.
* A volume attachment (Nova ``POST /servers/{id}/os-volume_attachments``)
  carries no token: before microversion 2.49 (Heat attaches at 2.1) an
  attachment has no field a client sets and a lookup returns, and the
  ``tag`` of later microversions is shown to the guest in its device
  metadata. Its natural key proves it instead: Nova attaches a volume to a
  server once (a second attach of the pair is a 400), so after a lost
  attach the attachment of exactly that volume to exactly that server is
  the state the request asked for, and it is adopted; any other attachment
  of the volume, or of the server, is not looked at. The attachment can
  only be someone else's if the pair was attached before the call, and
  then by a user of the same project (Nova attaches a project's volumes to
  its own servers), to a server and volume that the stack names: without
  retries that create fails with a 400, with them a lost attempt of it is
  taken as done. Nothing is ever detached by a retry.
"""

import urllib.parse

from heat_retry_plugins.reconcilers import base
from heat_retry_plugins.reconcilers import markers


class VolumeReconciler(base.JsonReconciler):
    """Cinder ``POST /v3/{project_id}/volumes``."""

    kind = 'volume'
    service = 'cinder'
    route = r'/volumes$'
    member, collection = 'volume', 'volumes'
    sweeps = True
    token_place = markers.METADATA

    def list_url(self):
        # NOTE: the summary listing has no metadata; Cinder's name filter
        # is exact (``name~`` is the inexact one).
        return base.with_query(self.collection_url.rstrip('/') + '/detail',
                               name=self.name)


class VolumeAttachmentReconciler(base.JsonReconciler):
    """Nova ``POST /servers/{id}/os-volume_attachments``, by its pair."""

    kind = 'volume attachment'
    service = 'nova'
    route = r'/servers/[^/]+/os-volume_attachments$'
    member = 'volumeAttachment'
    #: Nova answers an attach of an attached pair with a 400.
    conflict_statuses = frozenset([400, 409])

    @classmethod
    def mark(cls, create):
        # NOTE: nothing to mark (see the module docstring): the create is
        # sent as it is, and reconciled by its server and volume.
        volume_id = cls.member_of(create.body).get('volumeId')
        return create if isinstance(volume_id, str) and volume_id else None

    @property
    def volume_id(self):
        return self.member_of(self.create.body)['volumeId']

    @property
    def server_id(self):
        return urllib.parse.unquote(
            self.collection_url.rstrip('/').split('/')[-2])

    @property
    def name(self):
        return 'volume %s on server %s' % (self.volume_id, self.server_id)

    def find(self):
        return self.shown(self.member_url(self.volume_id))

    def is_ours(self, resource):
        return (resource.member.get('volumeId') == self.volume_id and
                resource.member.get('serverId') == self.server_id)

    def respond(self, resource):
        # NOTE: the answer of a POST, whatever the microversion: from 2.89
        # on a GET of the attachment has no "id", which the POST's answer
        # (and Heat's attach_volume, which returns it) has: the volume's.
        member = dict(resource.member)
        member.setdefault('id', self.volume_id)
        member.setdefault('volumeId', self.volume_id)
        member.setdefault('serverId', self.server_id)
        return base.rebuilt(resource.response, self.wrapped(member))

    def claimable(self):
        # NOTE: the pair is the only proof: if it is attached already, that
        # attachment is someone else's, and the attach is sent once (Nova
        # then answers 400, as without retries).
        return not self.find()

    def identify(self, resource):
        return resource.member.get('volumeId')

    def kept_id(self, response):
        return None

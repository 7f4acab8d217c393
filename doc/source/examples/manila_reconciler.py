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

"""Manila's share create, ``POST /v2/shares``: an example reconciler.

Not shipped: without it, a share create is sent under ``never``. To ship
it, this module goes in ``heat_retry_plugins/reconcilers/`` and its class
in ``RECONCILERS`` (``heat_retry_plugins/reconcilers/__init__.py``).

A share carries the token as the metadata key ``heat_retry_token``
(``openstack share show`` lists it under ``properties``). Share names are
not unique, so a late duplicate is swept. A create without a name (Heat's
``OS::Manila::Share`` sends one only when the template names the share)
is sent under ``never``.
"""

from heat_retry_plugins.reconcilers import base
from heat_retry_plugins.session import ownership


class ShareReconciler(base.JsonReconciler):
    """Manila ``POST /v2/shares``, or ``/v2/{project_id}/shares``."""

    kind = 'share'
    service = 'manila'
    route = r'/shares$'
    member, collection = 'share', 'shares'
    sweeps = True

    @classmethod
    def mark(cls, create):
        member = cls.member_of(create.body)
        metadata = member.get('metadata')
        if metadata is not None and not isinstance(metadata, dict):
            return None
        name = member.get('name')
        if not isinstance(name, str) or not name:
            return None
        metadata = dict(metadata or {}, **{ownership.MARKER: create.token})
        return cls.marked(create, dict(member, metadata=metadata))

    def list_url(self):
        # NOTE: the summary listing has no metadata; Manila's name filter
        # is exact (``name~`` is the inexact one).
        return base.with_query(self.collection_url.rstrip('/') + '/detail',
                               name=self.name)

    def is_ours(self, resource):
        metadata = resource.member.get('metadata') or {}
        return metadata.get(ownership.MARKER) == self.create.token

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

"""Keystone's EC2 credentials: ``POST /v3/credentials``.

Heat makes one for each signal transport that needs one (a
SoftwareDeployment's ``CFN_SIGNAL`` or ``HEAT_SIGNAL``, a wait condition's
handle, ...) with ``create_ec2_keypair`` or
``create_stack_domain_user_keypair``: a blob ``{"access": <a new uuid4
hex>, "secret": <a new password>}`` for a stack user. The access key is
unique: Keystone makes the credential's id from it (a SHA-256 of the
access key), so a resend of a create that landed meets a 409 and a
duplicate cannot exist. The access key is the natural key, the token the
proof: the credential carries the token as the extra attribute
``heat_retry_token`` (Keystone keeps and returns a credential's extra
attributes as it does a project's), and a lookup lists the user's EC2
credentials and keeps the one of the access key. A credential of that
access key without the token is not ours: the call fails with Keystone's
409 and it is never adopted nor deleted.

Only EC2 credentials are reconciled: another type has no natural key, so
it is sent under ``never``. The blob holds a secret: it is never logged;
log lines name the credential by its type and user.
"""

import json

from heat_retry_plugins.reconcilers import base

#: The only credential type with a natural key.
EC2 = 'ec2'


def access_key(member: dict) -> str | None:
    """The access key of an EC2 credential's blob, or None."""
    try:
        blob = json.loads(member.get('blob') or '')
    except (TypeError, ValueError):
        return None
    access = blob.get('access') if isinstance(blob, dict) else None
    return access if isinstance(access, str) and access else None


class CredentialReconciler(base.JsonReconciler):
    """Keystone ``POST /v3/credentials`` of an EC2 keypair."""

    kind = 'credential'
    service = 'keystone'
    route = r'/credentials$'
    member, collection = 'credential', 'credentials'

    @classmethod
    def findable(cls, member):
        return (member.get('type') == EC2 and
                isinstance(member.get('user_id'), str) and
                access_key(member) is not None)

    @property
    def name(self):
        return '%s of user %s' % (EC2, self.member_of(
            self.create.body).get('user_id'))

    def find(self):
        member = self.member_of(self.create.body)
        access = access_key(member)
        url = base.with_query(self.collection_url,
                              user_id=member['user_id'], type=EC2)
        return self.listed(url, lambda item: access_key(item) == access)

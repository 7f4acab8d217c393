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

"""Nova's creates: servers and keypairs.

* A server carries the token as the metadata key ``heat_retry_token``.
  Server names are not unique, so a late duplicate is swept.
* A keypair carries it in the comment of its public key, which Nova keeps
  as it was sent. A keypair whose private key Nova would generate (no
  ``public_key``, before microversion 2.92) is generated here instead, so
  that its public key carries the token and the private key can be
  returned whether the create's response arrived or a lookup found it.
  Keypair names are unique per user: a same-named keypair without the
  token makes the call fail with Nova's 409.
"""

import re

from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives import serialization

from heat_retry_plugins.reconcilers import base
from heat_retry_plugins.reconcilers import markers
from heat_retry_plugins.session import ownership

#: From this compute microversion on, Nova never generates keys.
KEYPAIR_IMPORT_ONLY = (2, 92)

_VERSION = re.compile(r'(?:^|,)\s*compute\s+(\d+)\.(\d+)', re.IGNORECASE)


class ServerReconciler(base.JsonReconciler):
    """Nova ``POST /servers``."""

    kind = 'server'
    service = 'nova'
    route = r'/servers$'
    member, collection = 'server', 'servers'
    sweeps = True
    token_place = markers.METADATA

    @classmethod
    def mark(cls, create):
        member = create.member(cls.member)
        if ((member.get('min_count') or 1) > 1 or
                (member.get('max_count') or 1) > 1 or
                create.body.get('return_reservation_id') or
                member.get('return_reservation_id')):
            # NOTE: several servers share the name and the token by design.
            return None
        return super().mark(create)

    def list_url(self):
        # NOTE: Nova treats the name filter as a regular expression: anchor
        # and escape it (and find() compares exactly), so that 'web-1'
        # never finds 'web-10' nor 'web.1' finds 'web-1'.
        return base.with_query(
            self.collection_url.rstrip('/') + '/detail',
            name='^%s$' % re.escape(self.name))


class KeypairReconciler(base.JsonReconciler):
    """Nova ``POST /os-keypairs``, its token in the public key's comment."""

    kind = 'keypair'
    service = 'nova'
    route = r'/os-keypairs$'
    member = 'keypair'

    @classmethod
    def mark(cls, create):
        member = create.member(cls.member)
        if not base._named(member):
            return None
        comment = ' %s' % ownership.tag(create.token)
        public_key = member.get('public_key')
        if isinstance(public_key, str) and public_key.strip():
            return cls.marked(create, dict(
                member, public_key=public_key.rstrip() + comment))
        if public_key or member.get('type', 'ssh') != 'ssh' or \
                _microversion(create.headers) >= KEYPAIR_IMPORT_ONLY:
            # NOTE: an x509 keypair, or a microversion where Nova rejects a
            # keypair without a key: sent as it is, under `never`.
            return None
        private_key, public_key = _generate()
        return cls.marked(
            create, dict(member, public_key=public_key + comment),
            secrets={'private_key': private_key})

    def _keypair_url(self):
        query = {}
        user_id = self.create.member(self.member).get('user_id')
        if user_id:
            query['user_id'] = user_id
        url = self.member_url(self.name)
        return base.with_query(url, **query) if query else url

    def find(self):
        return self.shown(self._keypair_url())

    def is_ours(self, resource):
        public_key = resource.member.get('public_key') or ''
        return ownership.tag(self.create.token) in public_key.split()

    def identify(self, resource):
        return resource.member.get('name')

    def kept_id(self, response):
        return None


def _microversion(headers):
    """The compute microversion a request asks for, as ``(2, N)``."""
    for name, value in (headers or {}).items():
        lowered = name.lower()
        if lowered == 'openstack-api-version':
            match = _VERSION.search(value or '')
            if match:
                return int(match.group(1)), int(match.group(2))
        elif lowered == 'x-openstack-nova-api-version':
            major, _, minor = (value or '').partition('.')
            if major.isdigit() and minor.isdigit():
                return int(major), int(minor)
    return 2, 1


def _generate():
    """Make an RSA keypair as Nova does: ``(private PEM, OpenSSH public)``.

    NOTE: 2048-bit RSA, like Nova's own generated keys, so that what a
    user gets does not change with the plugins.
    """
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption()).decode('ascii')
    public = key.public_key().public_bytes(
        serialization.Encoding.OpenSSH,
        serialization.PublicFormat.OpenSSH).decode('ascii')
    return private, '%s Generated-by-Nova' % public

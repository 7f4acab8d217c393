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

"""Reconcilers of Nova creates: servers and keypairs.

They find by name what a create whose response was lost made, so that the
``create`` policy adopts it instead of making a duplicate.
"""

import datetime
import re

from novaclient import exceptions

from heat_retry_plugins.engine import reconcile


def parse_time(value):
    """Return an ISO 8601 time from a Nova or Keystone body as POSIX seconds.

    :returns: None when the value is absent or unreadable.
    """
    if not value:
        return None
    try:
        when = datetime.datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        # NOTE: Nova reports UTC without saying so in some fields.
        when = when.replace(tzinfo=datetime.timezone.utc)
    return when.timestamp()


class ServerReconciler(reconcile.Reconciler):
    """``servers.create(name, image, flavor, ...)``, found by exact name.

    :param plugin: the Nova client plugin whose client does the lookups.
    """

    kind = 'server'

    def __init__(self, plugin):
        self._plugin = plugin

    def name(self, args, kwargs):
        if (kwargs.get('min_count') or 1) > 1 or \
                (kwargs.get('max_count') or 1) > 1:
            # NOTE: several servers share the name by design.
            return None
        return reconcile.call_argument(args, kwargs, 0, 'name')

    def find(self, name):
        # NOTE: Nova treats the name filter as a regular expression; anchor
        # and escape it, and compare exactly, so 'web-1' never finds
        # 'web-10' nor 'web.1' finds 'web-1'.
        servers = self._plugin.client().servers.list(
            search_opts={'name': '^%s$' % re.escape(name)})
        return [s for s in servers if s.name == name]

    def created_at(self, server):
        return parse_time(getattr(server, 'created', None))

    def delete(self, server):
        self._plugin.client().servers.delete(server.id)

    def is_gone(self, server):
        try:
            found = self._plugin.client().servers.get(server.id)
        except exceptions.NotFound:
            return True
        return getattr(found, 'status', None) == 'DELETED'


class KeypairReconciler(reconcile.Reconciler):
    """``keypairs.create(name, public_key=None, ...)``, found by name.

    A keypair whose private key Nova generated cannot be adopted: the key
    is in the create's response only. Such a create is cleaned up and sent
    again, whatever the policy.

    :param plugin: the Nova client plugin whose client does the lookups.
    """

    kind = 'keypair'

    def __init__(self, plugin):
        self._plugin = plugin

    def name(self, args, kwargs):
        return reconcile.call_argument(args, kwargs, 0, 'name')

    def adoptable(self, args, kwargs):
        return bool(reconcile.call_argument(args, kwargs, 1, 'public_key'))

    def find(self, name):
        try:
            return [self._plugin.client().keypairs.get(name)]
        except exceptions.NotFound:
            return []

    def created_at(self, keypair):
        return parse_time(getattr(keypair, 'created_at', None))

    def identify(self, keypair):
        return getattr(keypair, 'fingerprint', None) or keypair.name

    def delete(self, keypair):
        self._plugin.client().keypairs.delete(keypair.name)

    def is_gone(self, keypair):
        return not self.find(keypair.name)

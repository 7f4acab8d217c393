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

"""Reconcilers of the create requests the shipped plugins know.

Each finds, by the unique name in the POST's body, what a create whose
response was lost made, and returns it as the create would have: the
``(response, body)`` of a GET, whose body has the create response's shape,
so the client library builds the same object from it.
"""

import datetime
import re
import urllib.parse

from heat_retry_plugins.engine import reconcile


def request_body(kwargs):
    """The JSON body of an adapter request's keyword arguments."""
    body = kwargs.get('body', kwargs.get('json'))
    return body if isinstance(body, dict) else {}


def parse_time(value):
    """Return an ISO 8601 time from an API body as POSIX seconds, or None."""
    if not isinstance(value, str) or not value:
        return None
    try:
        when = datetime.datetime.fromisoformat(value)
    except ValueError:
        return None
    if when.tzinfo is None:
        # NOTE: Nova reports UTC without saying so in some fields.
        when = when.replace(tzinfo=datetime.timezone.utc)
    return when.timestamp()


class ByNameReconciler(reconcile.Reconciler):
    """A POST to a collection that creates a member with a unique name.

    :param send: ``send(url, method, **kwargs) -> (response, body)``, the
        client adapter's request without retries.
    :param not_found: the exception class ``send`` raises for a 404.
    """

    #: The key of the member in request and response bodies (``server``).
    member = None
    #: The key of the list in a listing body (``servers``).
    collection = None
    #: The URL of the collection, as the client library sends it.
    collection_url = None
    #: The member's field that holds its creation time, if any.
    created_field = None

    def __init__(self, send, not_found):
        self._send = send
        self._not_found = not_found
        self._request = {}

    def name(self, args, kwargs):
        self._request = request_body(kwargs).get(self.member) or {}
        name = self._request.get('name')
        return name if isinstance(name, str) and name else None

    def list_url(self, name):
        """The URL that lists the members named ``name``."""
        return '%s?%s' % (self.collection_url,
                          urllib.parse.urlencode({'name': name}))

    def member_url(self, found):
        return '%s/%s' % (self.collection_url,
                          urllib.parse.quote(str(self.identify(found)), ''))

    def find(self, name):
        resp, body = self._send(self.list_url(name), 'GET')
        return [(resp, {self.member: item})
                for item in (body or {}).get(self.collection, [])
                if item.get('name') == name]

    def created_at(self, found):
        if self.created_field is None:
            return None
        return parse_time(found[1][self.member].get(self.created_field))

    def identify(self, found):
        return found[1][self.member].get('id')

    def resource_name(self, found):
        return found[1][self.member].get('name')

    def delete(self, found):
        self._send(self.member_url(found), 'DELETE')

    def is_gone(self, found):
        try:
            self._send(self.member_url(found), 'GET')
        except self._not_found:
            return True
        return False


class ServerReconciler(ByNameReconciler):
    """Nova ``POST /servers``."""

    kind = 'server'
    member, collection = 'server', 'servers'
    collection_url = '/servers'
    created_field = 'created'

    def name(self, args, kwargs):
        name = super().name(args, kwargs)
        if ((self._request.get('min_count') or 1) > 1 or
                (self._request.get('max_count') or 1) > 1 or
                self._request.get('return_reservation_id')):
            # NOTE: several servers share the name by design.
            return None
        return name

    def list_url(self, name):
        # NOTE: Nova treats the name filter as a regular expression: anchor
        # and escape it (and find() compares exactly), so that 'web-1'
        # never finds 'web-10' nor 'web.1' finds 'web-1'.
        return '/servers/detail?%s' % urllib.parse.urlencode(
            {'name': '^%s$' % re.escape(name)})


class KeypairReconciler(ByNameReconciler):
    """Nova ``POST /os-keypairs``.

    A keypair whose private key Nova generated is not adoptable: the key is
    in the create's response only, so the engine deletes what the lost
    attempt made and creates it again.
    """

    kind = 'keypair'
    member = 'keypair'
    collection_url = '/os-keypairs'
    created_field = 'created_at'

    def adoptable(self, args, kwargs):
        return bool(self._request.get('public_key'))

    def identify(self, found):
        return found[1][self.member].get('name')

    def find(self, name):
        found = {'name': name}
        try:
            resp, body = self._send(self.member_url((None, {
                self.member: found})), 'GET')
        except self._not_found:
            return []
        return [(resp, body)]


class ProjectReconciler(ByNameReconciler):
    """Keystone ``POST /projects``, found by name in its domain.

    Keystone reports no creation time: the project is adopted when it is
    the only one with the name in the domain.
    """

    kind = 'project'
    member, collection = 'project', 'projects'
    collection_url = '/projects'

    def list_url(self, name):
        query = {'name': name}
        if self._request.get('domain_id'):
            query['domain_id'] = self._request['domain_id']
        return '%s?%s' % (self.collection_url,
                          urllib.parse.urlencode(query))


class UserReconciler(ProjectReconciler):
    """Keystone ``POST /users``, found by name in its domain."""

    kind = 'user'
    member, collection = 'user', 'users'
    collection_url = '/users'

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

"""What every reconciler of a JSON API create shares.

A reconciler serves one create route of one service (``POST /servers``):
:meth:`JsonReconciler.mark` puts the call's ownership token on the request
body before the first attempt; after an AMBIGUOUS failure the engine asks
it to find the resources of the create's name, to tell ours (they carry
the token) from the others, and to delete or adopt ours. Its requests go
through a :class:`Lookup`: once each, to the endpoint the create was sent
to, with the create's microversion headers; the engine retries them.

Most APIs wrap the resource in its member key (``{"server": {...}}``);
one whose body is the resource itself (Glance) sets ``member = None``.
Where the resource carries the token is its ``token_place`` (see
:mod:`~heat_retry_plugins.reconcilers.markers`). A create found by
something other than its name (a natural key, a chosen id) overrides
:meth:`JsonReconciler.findable` and :meth:`JsonReconciler.find`, with
:meth:`~JsonReconciler.listed` and :meth:`~JsonReconciler.shown` to send
the lookup.
"""

import copy
import dataclasses
import json
import typing
import urllib.parse

import requests

from heat_retry_plugins.reconcilers import markers
from heat_retry_plugins.retry import reconcile
from heat_retry_plugins.session import classify
from heat_retry_plugins.session import ownership


@dataclasses.dataclass(frozen=True)
class Found:
    """A resource a lookup found.

    :param response: the lookup's :class:`requests.Response`.
    :param member: the resource, as the API renders it.
    """

    response: requests.Response
    member: dict


class Lookup:
    """Sends a reconciler's requests, once each.

    :param send: the session's request function without retries,
        ``send(url, method, **kwargs) -> requests.Response``.
    :param base_kwargs: what every request repeats from the create
        (endpoint filter or override, auth, microversion headers).
    """

    def __init__(self, send: typing.Callable[..., requests.Response],
                 base_kwargs: dict):
        self._send = send
        self._base = base_kwargs

    def request(self, method: str, url: str, **kwargs
                ) -> requests.Response:
        """Send one request.

        :raises ErrorResponse: for an HTTP error status.
        """
        merged = dict(self._base)
        merged['headers'] = dict(self._base.get('headers') or {})
        merged['headers'].update(kwargs.pop('headers', {}))
        merged.update(kwargs)
        response = self._send(url, method, **merged)
        if response.status_code >= 400:
            raise classify.ErrorResponse(response)
        return response

    def delete(self, url: str) -> None:
        """DELETE ``url``; a 404 (it is gone already) is not an error."""
        try:
            self.request('DELETE', url)
        except classify.ErrorResponse as exc:
            if exc.response.status_code != 404:
                raise

    def get_json(self, url: str) -> tuple[requests.Response, dict]:
        """GET ``url``; return the response and its JSON object body."""
        response = self.request('GET', url)
        try:
            body = response.json()
        except ValueError:
            body = None
        return response, body if isinstance(body, dict) else {}


def with_query(url: str, **query: str) -> str:
    """``url`` with ``query`` appended as its query string."""
    return '%s?%s' % (url, urllib.parse.urlencode(query))


def rebuilt(response: requests.Response, body: dict) -> requests.Response:
    """A copy of ``response`` whose JSON body is ``body``."""
    changed = copy.copy(response)
    changed.headers = requests.structures.CaseInsensitiveDict(
        response.headers)
    changed.headers.pop('Content-Length', None)
    changed._content = json.dumps(body).encode('utf-8')
    return changed


class JsonReconciler(reconcile.Reconciler):
    """A create that POSTs ``{member: {...}}`` to a collection URL.

    Subclasses set the class attributes, and override :meth:`findable`,
    :meth:`mark`, :meth:`is_ours` and :meth:`find` where the API differs.

    :param lookup: the :class:`Lookup` to send requests with.
    :param create: the call's marked
        :class:`~heat_retry_plugins.session.ownership.CreateRequest`.
    :param on_settled: ``on_settled(reconciler, result)``, called when a
        call with lost attempts returned, with None for ``result`` when it
        gave up (see :mod:`heat_retry_plugins.session.sweeps`).
    """

    #: The service whose route this is (``nova``).
    service = None
    #: A regular expression searched in the URL path of the create.
    route = None
    #: The HTTP method of the create.
    method = 'POST'
    #: The key of the member in request and response bodies (``server``);
    #: None when the body is the member itself.
    member = None
    #: The key of the list in a listing body (``servers``).
    collection = None
    #: Names are not unique: a late duplicate is swept after the call, and
    #: so is what a call that gave up made (an orphan).
    sweeps = False
    #: Names are unique, but what a call that gave up made is swept as an
    #: orphan: only for kinds deleted by id (a keypair, deleted by name,
    #: could be another's by the time of the DELETE).
    orphans = False
    #: Where the resource carries the token: a
    #: :class:`~heat_retry_plugins.reconcilers.markers.Place`.
    token_place = markers.KEY

    def __init__(self, lookup: Lookup, create: ownership.CreateRequest,
                 on_settled: typing.Callable | None = None):
        self.lookup = lookup
        self.create = create
        self._on_settled = on_settled

    @classmethod
    def mark(cls, create: ownership.CreateRequest
             ) -> ownership.CreateRequest | None:
        """Put the token on a create's body.

        :param create: the create as the client library sent it, with the
            call's new token.
        :returns: the marked create, or None when this create cannot be
            reconciled (it is then sent under ``never``).
        """
        member = cls.member_of(create.body)
        if not cls.findable(member):
            return None
        member = cls.token_place.put(member, create.token)
        return None if member is None else cls.marked(create, member)

    @classmethod
    def findable(cls, member: dict) -> bool:
        """Does a create's member say what a lookup finds it by (a name)?"""
        return _named(member)

    @classmethod
    def member_of(cls, body: dict) -> dict:
        """The resource in a request or response body, or {}."""
        value = body.get(cls.member) if cls.member is not None else body
        return value if isinstance(value, dict) else {}

    @classmethod
    def marked(cls, create, member, **changes):
        """``create`` with ``member`` in place of its body's member."""
        if cls.member is None:
            body = dict(member)
        else:
            body = dict(create.body)
            body[cls.member] = member
        return dataclasses.replace(create, body=body, **changes)

    def wrapped(self, member: dict) -> dict:
        """A response body that holds ``member``."""
        return dict(member) if self.member is None else {self.member: member}

    @property
    def name(self) -> str:
        return self.member_of(self.create.body).get('name')

    @property
    def collection_url(self) -> str:
        """The URL the create was sent to."""
        return self.create.url

    def member_url(self, resource_id: str) -> str:
        """The URL of one member of the collection."""
        return '%s/%s' % (self.collection_url.rstrip('/'),
                          urllib.parse.quote(str(resource_id), ''))

    def list_url(self) -> str:
        """The URL that lists the members of the create's name."""
        return with_query(self.collection_url, name=self.name)

    def find(self) -> list[Found]:
        return self.listed(self.list_url(),
                           lambda item: item.get('name') == self.name)

    def listed(self, url: str,
               keep: typing.Callable[[dict], bool] | None = None
               ) -> list[Found]:
        """GET a listing; return its members that ``keep`` accepts.

        :param url: the listing's URL, with its filters.
        :param keep: ``keep(member) -> bool``; every member when None.
        """
        response, body = self.lookup.get_json(url)
        return [Found(response, item)
                for item in body.get(self.collection) or ()
                if isinstance(item, dict) and (keep is None or keep(item))]

    def shown(self, url: str) -> list[Found]:
        """GET one resource; return it, or nothing for a 404."""
        try:
            response, body = self.lookup.get_json(url)
        except classify.ErrorResponse as exc:
            if exc.response.status_code == 404:
                return []
            raise
        member = self.member_of(body)
        return [Found(response, member)] if member else []

    def is_ours(self, resource: Found) -> bool:
        return self.token_place.holds(resource.member, self.create.token)

    def identify(self, resource: Found) -> str:
        return resource.member.get('id')

    def delete(self, resource: Found) -> None:
        self.lookup.delete(self.member_url(self.identify(resource)))

    def is_gone(self, resource: Found) -> bool:
        try:
            self.lookup.request('GET',
                                self.member_url(self.identify(resource)))
        except classify.ErrorResponse as exc:
            if exc.response.status_code == 404:
                return True
            raise
        return False

    def respond(self, resource: Found) -> requests.Response:
        return rebuilt(resource.response, self.wrapped(
            dict(resource.member, **self.create.secrets)))

    def complete(self, response: requests.Response) -> requests.Response:
        """The create's own response, with what the layer made itself."""
        if not self.create.secrets:
            return response
        try:
            body = response.json()
        except ValueError:
            return response
        member = self.member_of(body) if isinstance(body, dict) else {}
        if not member:
            return response
        member = dict(member, **self.create.secrets)
        if self.member is None:
            return rebuilt(response, member)
        return rebuilt(response, dict(body, **{self.member: member}))

    def kept_id(self, response: requests.Response) -> str | None:
        """The id of the resource a create's response returned."""
        try:
            body = response.json()
        except ValueError:
            return None
        member = self.member_of(body) if isinstance(body, dict) else {}
        return member.get('id')

    def settled(self, result, lost_attempts) -> None:
        if self._on_settled is not None:
            self._on_settled(self, result)

    def abandoned(self, lost_attempts) -> None:
        if self._on_settled is not None:
            self._on_settled(self, None)


def _named(member):
    name = member.get('name')
    return isinstance(name, str) and bool(name)

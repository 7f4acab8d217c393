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

"""What the request contexts of one engine share: tokens and discovery.

Heat's convergence engine builds a new request context, and with it a new
keystoneauth session and auth plugin, for every resource it checks: each
would fetch a token, discover the compute microversion and read the image
schema again (10 servers: 11 token POSTs, 11 ``GET /v2.1``). Every one of
those is a request that can fail. This module lets them share, per
process, what is the same for them:

* :class:`SharedTokens`: a token serves every context of the same
  principal while it is valid. Contexts are matched by keystoneauth's own
  ``get_cache_id()`` of their auth plugin, a hash of the auth URL, the
  user, the credentials and the scope (project, domain, trust): never
  another user's or another project's token. A token a service rejected
  (401) is dropped for all.
* :class:`SharedDocuments`: the version documents and schemas of a
  service endpoint (``GET`` of the endpoint root, Glance's
  ``/v2/schemas/...``) are kept for :data:`DOCUMENT_TTL` seconds.

Both are deliberately module state (:data:`TOKENS`, :data:`DOCUMENTS`) and
bounded; :func:`reset` forgets them.
"""

import collections
import copy
import re
import threading
import time
import weakref

#: Seconds a version document or schema is served from memory.
DOCUMENT_TTL = 300.0
#: The most principals and documents kept.
MAX_ENTRIES = 1024

#: Paths (relative to the endpoint) whose GET returns a static document.
_DOCUMENT_PATHS = re.compile(r'^/?(v\d+(\.\d+)?/?)?$|/schemas/[\w-]+$')


class _Bounded:
    def __init__(self, limit):
        self._limit = limit
        self._items = collections.OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            return self._items.get(key)

    def put(self, key, value):
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self._limit:
                self._items.popitem(last=False)

    def pop(self, key, expected=None):
        with self._lock:
            if expected is None or self._items.get(key) == expected:
                self._items.pop(key, None)

    def clear(self):
        with self._lock:
            self._items.clear()


class SharedTokens:
    """Tokens shared by the auth plugins of one principal."""

    def __init__(self, limit: int = MAX_ENTRIES):
        self._states = _Bounded(limit)
        self._ids = weakref.WeakKeyDictionary()

    def _cache_id(self, auth):
        try:
            return self._ids[auth]
        except (KeyError, TypeError):
            pass
        try:
            cache_id = auth.get_cache_id()
        except Exception:
            cache_id = None
        try:
            self._ids[auth] = cache_id
        except TypeError:
            pass
        return cache_id

    def lend(self, auth) -> None:
        """Give ``auth`` its principal's shared token, if it has none."""
        if auth is None or getattr(auth, 'auth_ref', True) is not None:
            return
        cache_id = self._cache_id(auth)
        if cache_id is None:
            return
        kept = self._states.get(cache_id)
        if kept is not None:
            auth.set_auth_state(kept[1])

    def keep(self, auth) -> None:
        """Share the token ``auth`` holds with its principal's others."""
        access = getattr(auth, 'auth_ref', None)
        if access is None:
            return
        cache_id = self._cache_id(auth)
        if cache_id is None:
            return
        kept = self._states.get(cache_id)
        token = access.auth_token
        if kept is None or kept[0] != token:
            self._states.put(cache_id, (token, auth.get_auth_state()))

    def forget(self, auth) -> None:
        """The token of ``auth`` was rejected: share it no more."""
        access = getattr(auth, 'auth_ref', None)
        cache_id = self._cache_id(auth) if auth is not None else None
        if access is None or cache_id is None:
            return
        kept = self._states.get(cache_id)
        if kept is not None and kept[0] == access.auth_token:
            self._states.pop(cache_id, kept)

    def clear(self) -> None:
        """Forget every shared token."""
        self._states.clear()


class SharedDocuments:
    """Version documents and schemas, per endpoint, for a while.

    :param clock: a monotonic clock in seconds.
    """

    def __init__(self, limit: int = MAX_ENTRIES, clock=time.monotonic):
        self._documents = _Bounded(limit)
        self._clock = clock

    @staticmethod
    def is_document(method: str, url: str) -> bool:
        """Is this request a GET of a static document?"""
        return method == 'GET' and '?' not in url and \
            _DOCUMENT_PATHS.search(url.split('://', 1)[-1].split('/', 1)[-1]
                                   if '://' in url else url) is not None

    def get(self, key):
        """Return a copy of the document response kept for ``key``."""
        kept = self._documents.get(key)
        if kept is None or self._clock() - kept[0] > DOCUMENT_TTL:
            return None
        return copy.copy(kept[1])

    def put(self, key, response) -> None:
        """Keep a successful document response (a version list is 300)."""
        if 200 <= response.status_code <= 300:
            self._documents.put(key, (self._clock(), copy.copy(response)))

    def clear(self) -> None:
        """Forget every document."""
        self._documents.clear()


#: The process's shared tokens and documents.
TOKENS = SharedTokens()
DOCUMENTS = SharedDocuments()
#: keystoneauth's own discovery cache, shared by the sessions the request
#: layer is installed on (what ``Session(discovery_cache=...)`` takes).
DISCOVERY = {}


def reset() -> None:
    """Forget what the contexts of this process share."""
    TOKENS.clear()
    DOCUMENTS.clear()
    DISCOVERY.clear()

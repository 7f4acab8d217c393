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

"""The in-memory objects of the fake cloud and its tokens.

Objects are plain dicts with at least ``id`` (and usually ``name``), stored
per kind (``server``, ``keypair``, ``project``, ``user``, ``flavor``,
``image``...). The services render them into API bodies. *Seeded* objects
are not counted as created, live or duplicates: those of a new cloud (the
admin project and user, flavors, images, roles) and those made through the
API inside :meth:`CloudState.preexisting` (another team's objects, for the
hostile tests). The counters report instead how many of them are still
there and how many were deleted. All access goes through one re-entrant
lock.
"""

import base64
import collections
import contextlib
import dataclasses
import datetime
import hashlib
import secrets
import threading
from typing import Any
from typing import Callable
from typing import Iterator
from typing import Optional

#: Kinds that the counters always report, even when zero.
TRACKED_KINDS = ('server', 'keypair', 'project', 'user', 'network',
                 'subnet', 'router', 'port', 'security_group',
                 'security_group_rule', 'floatingip', 'volume',
                 'volume_attachment', 'image', 'loadbalancer', 'listener',
                 'pool', 'member', 'healthmonitor', 'l7policy', 'l7rule',
                 'container', 'object', 'zone', 'recordset', 'stack')


#: The fields that own an object's name: two live objects are duplicates
#: when they have the same name and the same values of these fields (a
#: server's project and user, a keypair's user, a project's domain, a
#: subnet's network, a Swift object's container...).
OWNER_FIELDS = ('domain_id', 'project_id', 'tenant_id', 'owner', 'user_id',
                'container', 'network_id', 'zone_id', 'loadbalancer_id',
                'listener_id', 'pool_id')


def utcnow() -> datetime.datetime:
    """Return the current time as an aware UTC datetime.

    :returns: the current time.
    """
    return datetime.datetime.now(datetime.timezone.utc)


def isotime(when: datetime.datetime, subsecond: bool = True) -> str:
    """Format a datetime as ISO 8601 with a ``Z`` suffix.

    :param when: an aware UTC datetime.
    :param subsecond: include microseconds (Keystone does, Nova does not).
    :returns: e.g. ``'2024-05-01T12:00:00.000000Z'``.
    """
    fmt = '%Y-%m-%dT%H:%M:%S.%fZ' if subsecond else '%Y-%m-%dT%H:%M:%SZ'
    return when.astimezone(datetime.timezone.utc).strftime(fmt)


def short_hash(secret: str) -> str:
    """Name a secret in logs without revealing it.

    :param secret: a token or password.
    :returns: the first 8 hex digits of its SHA-256.
    """
    return hashlib.sha256(secret.encode('utf-8')).hexdigest()[:8]


def new_token_id() -> str:
    """Make an opaque token id that looks like a Fernet token.

    :returns: a random url-safe string.
    """
    raw = base64.urlsafe_b64encode(secrets.token_bytes(96)).decode('ascii')
    return 'gAAAAA' + raw.rstrip('=')


@dataclasses.dataclass
class Token:
    """An issued Keystone token (what it was scoped to, and until when)."""

    id: str
    user_id: str
    methods: list
    issued_at: datetime.datetime
    expires_at: datetime.datetime
    audit_id: str
    project_id: Optional[str] = None
    domain_id: Optional[str] = None
    trust_id: Optional[str] = None
    system: bool = False
    role_ids: list = dataclasses.field(default_factory=list)

    @property
    def log_name(self) -> str:
        """A short hash that log lines may use instead of the token.

        :returns: 8 hex digits.
        """
        return short_hash(self.id)


class CloudState:
    """Objects, tokens and role assignments of the fake cloud.

    :param token_ttl: token lifetime in seconds.
    :param clock: returns the current aware UTC datetime.
    """

    def __init__(self, token_ttl: float = 3600,
                 clock: Callable[[], datetime.datetime] = utcnow) -> None:
        self.lock = threading.RLock()
        self.token_ttl = token_ttl
        self.clock = clock
        self._objects = collections.defaultdict(dict)
        self._seeded = collections.defaultdict(set)
        self._created = collections.Counter()
        self._seeded_deleted = collections.Counter()
        self._preexisting = 0
        self._tokens = {}
        #: Role grants: ``(actor_type, actor_id, target_type, target_id,
        #: role_id)`` tuples.
        self.assignments = set()
        #: Group memberships: ``(group_id, user_id)`` tuples.
        self.memberships = set()

    # -- objects ----------------------------------------------------------

    @contextlib.contextmanager
    def preexisting(self) -> Iterator[None]:
        """Mark every object stored meanwhile as seeded (someone else's).

        Objects made through the real API inside the block, by any thread,
        are not counted as created, live or duplicates: use it to set a
        hostile scene up before the code under test runs. Blocks nest.
        """
        with self.lock:
            self._preexisting += 1
        try:
            yield
        finally:
            with self.lock:
                self._preexisting -= 1

    def add(self, kind: str, obj: dict, seeded: bool = False) -> dict:
        """Store a new object.

        :param kind: the object kind.
        :param obj: the object; must have ``id``.
        :param seeded: part of the initial cloud, not counted (implied
            inside :meth:`preexisting`).
        :returns: the stored object.
        """
        with self.lock:
            self._objects[kind][obj['id']] = obj
            if seeded or self._preexisting:
                self._seeded[kind].add(obj['id'])
            else:
                self._created[kind] += 1
        return obj

    def get(self, kind: str, obj_id: str) -> Optional[dict]:
        """Find an object by id.

        :param kind: the object kind.
        :param obj_id: its id.
        :returns: the object, or None.
        """
        with self.lock:
            return self._objects[kind].get(obj_id)

    def remove(self, kind: str, obj_id: str) -> Optional[dict]:
        """Delete an object.

        :param kind: the object kind.
        :param obj_id: its id.
        :returns: the removed object, or None if there was none.
        """
        with self.lock:
            if obj_id in self._seeded[kind]:
                self._seeded[kind].discard(obj_id)
                self._seeded_deleted[kind] += 1
            return self._objects[kind].pop(obj_id, None)

    def list(self, kind: str, **filters: Any) -> list:
        """List objects in creation order, filtered by equal fields.

        :param kind: the object kind.
        :param filters: field=value pairs that must all match; None values
            are ignored.
        :returns: a list of objects.
        """
        with self.lock:
            objs = list(self._objects[kind].values())
        for key, value in filters.items():
            if value is not None:
                objs = [o for o in objs if o.get(key) == value]
        return objs

    def find(self, kind: str, **filters: Any) -> Optional[dict]:
        """Return the first object whose fields match.

        :param kind: the object kind.
        :param filters: field=value pairs.
        :returns: the object, or None.
        """
        found = self.list(kind, **filters)
        return found[0] if found else None

    def live(self, kind: str) -> list:
        """List the objects of a kind that were created through the API.

        :param kind: the object kind.
        :returns: a list of objects, oldest first.
        """
        with self.lock:
            return [o for o in self._objects[kind].values()
                    if o['id'] not in self._seeded[kind]]

    def kinds(self) -> list:
        """List the kinds the counters know: tracked or ever stored.

        :returns: the kinds, sorted.
        """
        with self.lock:
            return sorted(set(TRACKED_KINDS) | {
                kind for kind, objs in self._objects.items() if objs} |
                set(self._created) | set(self._seeded_deleted))

    def object_summary(self) -> dict:
        """Summarise created, live and duplicate objects for the counters.

        Every kind in :data:`TRACKED_KINDS` is reported, and every other
        kind once an object of it was created through the API. A duplicate
        is a live object beyond the first with the same name and the same
        :data:`OWNER_FIELDS`; objects without a name are never duplicates.
        Seeded objects count nowhere here (see :meth:`seeded_summary`).

        :returns: a dict with ``created``, ``live``, ``live_objects``,
            ``duplicates`` and ``duplicates_total``.
        """
        with self.lock:
            kinds = sorted(set(TRACKED_KINDS) | set(self._created) | {
                kind for kind in list(self._objects) if self.live(kind)})
            summary = {key: {} for key in (
                'created', 'live', 'live_objects', 'duplicates')}
            for kind in kinds:
                objs = self.live(kind)
                summary['created'][kind] = self._created.get(kind, 0)
                summary['live'][kind] = len(objs)
                summary['live_objects'][kind] = [
                    {'id': o['id'], 'name': o.get('name')} for o in objs]
                # NOTE: repr, as an API body may have made any field a list.
                names = collections.Counter(
                    repr((o['name'],) + tuple(o.get(f) for f in OWNER_FIELDS))
                    for o in objs if o.get('name'))
                summary['duplicates'][kind] = sum(
                    n - 1 for n in names.values())
        summary['duplicates_total'] = sum(summary['duplicates'].values())
        return summary

    def seeded_summary(self) -> dict:
        """Count the seeded objects that are left and those deleted.

        A hostile test checks with it that the code under test deleted
        nothing it did not create.

        :returns: a dict with ``preexisting`` (seeded objects still there
            per kind), ``preexisting_deleted`` (seeded objects deleted since
            the last :meth:`reset_created`, per kind) and
            ``preexisting_deleted_total``.
        """
        with self.lock:
            kinds = sorted(set(TRACKED_KINDS) | set(self._seeded_deleted) | {
                kind for kind, ids in self._seeded.items() if ids})
            left = {kind: len(self._seeded[kind]) for kind in kinds}
            deleted = {kind: self._seeded_deleted.get(kind, 0)
                       for kind in kinds}
        return {'preexisting': left, 'preexisting_deleted': deleted,
                'preexisting_deleted_total': sum(deleted.values())}

    def reset_created(self) -> None:
        """Set the ``created`` and ``preexisting_deleted`` counts to zero."""
        with self.lock:
            self._created.clear()
            self._seeded_deleted.clear()

    # -- tokens -----------------------------------------------------------

    def issue_token(self, user_id: str, methods: list,
                    project_id: Optional[str] = None,
                    domain_id: Optional[str] = None,
                    trust_id: Optional[str] = None,
                    role_ids: Optional[list] = None,
                    system: bool = False,
                    expires_at: Optional[datetime.datetime] = None) -> Token:
        """Create and remember a token.

        :param user_id: the authenticated user.
        :param methods: the auth methods used (``['password']``...).
        :param project_id: the project scope, if any.
        :param domain_id: the domain scope, if any.
        :param trust_id: the trust scope, if any.
        :param role_ids: the roles the token carries.
        :param system: the token is system scoped.
        :param expires_at: cap the expiry (a token from a token).
        :returns: the new :class:`Token`.
        """
        now = self.clock()
        expiry = now + datetime.timedelta(seconds=self.token_ttl)
        if expires_at is not None:
            expiry = min(expiry, expires_at)
        token = Token(id=new_token_id(), user_id=user_id,
                      methods=list(methods), issued_at=now,
                      expires_at=expiry,
                      audit_id=secrets.token_urlsafe(16)[:22],
                      project_id=project_id, domain_id=domain_id,
                      trust_id=trust_id, system=system,
                      role_ids=list(role_ids or []))
        with self.lock:
            if len(self._tokens) > 1000:
                self._tokens = {k: t for k, t in self._tokens.items()
                                if t.expires_at > now}
            self._tokens[token.id] = token
        return token

    def validate_token(self, token_id: Optional[str]) -> Optional[Token]:
        """Look a token up.

        :param token_id: the token presented, or None.
        :returns: the :class:`Token` if it exists and has not expired.
        """
        if not token_id:
            return None
        with self.lock:
            token = self._tokens.get(token_id)
            if token is None:
                return None
            if token.expires_at <= self.clock():
                del self._tokens[token_id]
                return None
            return token

    def revoke_token(self, token_id: Optional[str]) -> bool:
        """Invalidate one token.

        :param token_id: the token.
        :returns: True if it was valid.
        """
        with self.lock:
            return self._tokens.pop(token_id or '', None) is not None

    def expire_tokens(self) -> int:
        """Invalidate every token issued so far.

        :returns: how many tokens were valid.
        """
        with self.lock:
            count = self.token_count()
            self._tokens.clear()
        return count

    def token_count(self) -> int:
        """Count the tokens currently valid.

        :returns: the count.
        """
        now = self.clock()
        with self.lock:
            return sum(1 for t in self._tokens.values() if t.expires_at > now)

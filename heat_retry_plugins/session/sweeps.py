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

"""Sweeping the duplicates that a lost create leaves after the call.

A create sent again after an AMBIGUOUS failure can be followed by the
first one landing late (a load balancer answered 504 and still forwarded
it; a read timed out while the service worked). Where names are not unique
(servers, volumes, networks, ...) that makes a second resource carrying the
call's token. So once such a call returns, the resource it returned is
*pending*: its late duplicates are looked for, kept one aside, and deleted
when they carry the token,

* by every later request the layer sends that names its id (Heat's
  ``check_create_complete`` polling, an update, the delete), before it;
* and, for requests there may never be, a few times after the call
  (:data:`SWEEP_AFTER` seconds), by one background thread of the process.

A create that gave up after lost attempts returned nothing: what they
made is an *orphan*, which nobody knows the id of (Heat records no
``resource_id``), so the background sweeps delete every resource that
carries its token, and the last of them ends the watch. So it is once the
kept resource is deleted: a duplicate that lands after that delete is an
orphan too. The registry is per process, deliberately module state
(:data:`PENDING`), and bounded.
"""

import collections
import dataclasses
import heapq
import itertools
import threading
import time
import typing

from oslo_log import log as logging

from heat_retry_plugins.retry import policies
from heat_retry_plugins.retry import reconcile

LOG = logging.getLogger(__name__)

#: The most pending resources kept; the oldest are forgotten first.
MAX_PENDING = 10000
#: Seconds after the call at which its resource is swept in the
#: background: a late create lands within its request's own time.
SWEEP_AFTER = (0.5, 2.0, 10.0, 60.0, 300.0)
#: The longest a sweep retries (the policy's deadline, if shorter): the
#: next sweep tries again, and one thread sweeps every service.
SWEEP_DEADLINE = 30.0


@dataclasses.dataclass(frozen=True)
class Pending:
    """A resource returned by a create that had lost attempts, or none.

    :param service: the service (``nova``).
    :param kept_id: the id of the resource the call returned; None for a
        call that gave up.
    :param reconciler: the reconciler class of the create's route.
    :param create: the call's marked
        :class:`~heat_retry_plugins.session.ownership.CreateRequest`.
    :param lookup: ``lookup()`` returns a Lookup to the create's endpoint
        (through the session of the call), for the background sweeps.
    :param retrier: ``retrier()`` returns the service's
        :class:`~heat_retry_plugins.retry.retrying.Retrier`, which the
        background sweeps send their requests under.
    :param orphaned: the call gave up, or its kept resource was deleted:
        whatever else carries the token is nobody's, and no request names
        it.
    """

    service: str
    kept_id: str | None
    reconciler: typing.Any
    create: typing.Any = dataclasses.field(repr=False)
    lookup: typing.Callable | None = dataclasses.field(default=None,
                                                       repr=False,
                                                       compare=False)
    retrier: typing.Callable | None = dataclasses.field(default=None,
                                                        repr=False,
                                                        compare=False)
    orphaned: bool = False

    @property
    def key(self) -> tuple:
        """What the registry knows it by: a request names a kept id."""
        if self.orphaned:
            return (self.service, None, self.create.token)
        return (self.service, self.kept_id)


def sweep(pending: Pending, lookup: typing.Any,
          retrier: typing.Any = None) -> None:
    """Delete the duplicates of ``pending`` that carry its token.

    The lookup and each delete are sent under the service's retry policy
    (``default`` and ``delete``, with its guards), as a reconcile's are: one
    503 does not leave a duplicate until the next sweep. The sweep retries
    for :data:`SWEEP_DEADLINE` seconds at the most. Never raises: a lookup
    or a delete that fails all the same is logged, and tried again later;
    the other duplicates are still deleted.

    :param pending: the :class:`Pending` resource.
    :param lookup: the Lookup to send the requests with.
    :param retrier: the service's
        :class:`~heat_retry_plugins.retry.retrying.Retrier`; None sends
        each request once.
    """
    reconciler = pending.reconciler(lookup, pending.create)
    if retrier is not None:
        retrier = retrier.within(SWEEP_DEADLINE)
    try:
        found = _send(retrier, policies.DEFAULT,
                      'find %s' % reconciler.kind, reconciler.find)
        duplicates = reconcile.extras(reconciler, found, pending.kept_id)
    except Exception as exc:
        _could_not_sweep(pending, reconciler, exc)
        return
    # NOTE: a duplicate the service will not delete yet (locked, still
    # creating) does not keep the others that a listing puts after it.
    for duplicate in duplicates:
        try:
            _send(retrier, policies.DELETE, 'delete %s' % reconciler.kind,
                  reconciler.delete, duplicate)
        except Exception as exc:
            _could_not_sweep(pending, reconciler, exc)
        else:
            _log_deleted(pending, reconciler, duplicate)


def _could_not_sweep(pending, reconciler, exc):
    """Log a sweep's lookup or delete that failed after its retries."""
    LOG.warning('Could not sweep the %(what)s of %(service)s %(kind)s '
                '%(kept)s: %(error)s; trying again later',
                {'what': 'orphans' if pending.orphaned else 'duplicates',
                 'service': pending.service, 'kind': reconciler.kind,
                 'kept': reconciler.name if pending.orphaned else
                 pending.kept_id,
                 'error': type(exc).__name__})


def _log_deleted(pending, reconciler, resource):
    what = {'service': pending.service, 'kind': reconciler.kind,
            'name': reconciler.name, 'id': reconciler.identify(resource),
            'kept': pending.kept_id}
    if pending.orphaned:
        LOG.warning('Deleted the orphan %(service)s %(kind)s %(name)s '
                    '(%(id)s) that a lost attempt of a create made after '
                    'the create gave up or what it made was deleted', what)
    else:
        LOG.warning('Deleted the duplicate %(service)s %(kind)s %(name)s '
                    '(%(id)s) that a lost create left; kept %(kept)s', what)


def _send(retrier, operation, label, func, *args):
    """``func(*args)``: under ``retrier`` and ``operation``, or once."""
    if retrier is None:
        return func(*args)
    return retrier.call(operation, func, args, label=label)


class PendingSweeps:
    """The resources whose late duplicates are still swept.

    :param limit: the most resources kept.
    :param after: the delays of the background sweeps of each.
    :param clock: a monotonic clock.
    """

    def __init__(self, limit: int = MAX_PENDING,
                 after: typing.Sequence[float] = SWEEP_AFTER,
                 clock: typing.Callable[[], float] = time.monotonic):
        self._limit = limit
        self._after = tuple(after)
        self._clock = clock
        self._pending = collections.OrderedDict()
        self._due = []
        self._order = itertools.count()
        self._lock = threading.Condition()
        self._thread = None

    def __bool__(self):
        return bool(self._pending)

    def watch(self, pending: Pending) -> None:
        """Start sweeping duplicates of ``pending.kept_id``, or orphans."""
        key = pending.key
        with self._lock:
            self._pending[key] = pending
            while len(self._pending) > self._limit:
                self._pending.popitem(last=False)
            if pending.lookup is not None:
                now = self._clock()
                for number, delay in enumerate(self._after, 1):
                    heapq.heappush(self._due, (
                        now + delay, next(self._order), key,
                        number == len(self._after)))
                self._start()
                self._lock.notify()

    def due(self, service: str, path: str) -> list[Pending]:
        """Return the pending resources a request to ``path`` names."""
        if not self._pending:
            return []
        segments = path.split('/')
        with self._lock:
            return [self._pending[(service, segment)]
                    for segment in segments
                    if (service, segment) in self._pending]

    def forget(self, pending: Pending) -> None:
        """Stop watching ``pending``."""
        with self._lock:
            self._pending.pop(pending.key, None)

    def deleted(self, pending: Pending) -> None:
        """The kept resource of ``pending`` was deleted.

        No request names it again; a duplicate that lands after the delete
        is an orphan, which the background sweeps (from now) still look
        for.
        """
        self.forget(pending)
        if pending.lookup is not None:
            self.watch(dataclasses.replace(pending, orphaned=True))

    def clear(self, join_seconds: float = 5.0) -> None:
        """Forget every pending resource and background sweep.

        The background thread, if any, ends; this waits for it (a sweep
        under way ends first) for up to ``join_seconds``.
        """
        with self._lock:
            self._pending.clear()
            self._due = []
            thread = self._thread
            self._lock.notify_all()
        if thread is not None and thread is not threading.current_thread():
            thread.join(join_seconds)

    def _start(self):
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(
                target=self._run, name='heat-retry-sweeps', daemon=True)
            self._thread.start()

    def _next(self):
        """Wait for the next background sweep; None when there is none."""
        with self._lock:
            while self._due:
                when, _, key, last = self._due[0]
                wait = when - self._clock()
                if wait > 0:
                    self._lock.wait(wait)
                    continue
                heapq.heappop(self._due)
                pending = self._pending.get(key)
                if pending is not None and last and pending.orphaned:
                    # NOTE: no request names an orphan: its last
                    # background sweep ends the watch.
                    del self._pending[key]
                if pending is not None:
                    return pending
            self._thread = None
            return None

    def _run(self):
        while True:
            pending = self._next()
            if pending is None:
                return
            try:
                lookup = pending.lookup()
                retrier = pending.retrier and pending.retrier()
            except Exception as exc:
                LOG.warning('Cannot sweep %(kept)s: %(error)s',
                            {'kept': pending.kept_id,
                             'error': type(exc).__name__})
                continue
            sweep(pending, lookup, retrier)


#: The process's pending sweeps.
PENDING = PendingSweeps()

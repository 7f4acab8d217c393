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
*pending*: every later request the layer sends that names its id (Heat's
``check_create_complete`` polling, an update, the delete) first looks the
resource up again, keeps the one returned and deletes every other one that
carries the token. The delete of the kept resource ends the watch.

A duplicate that lands after the last request naming the resource is
swept by the next one (at the latest, the stack's delete). The registry is
per process, deliberately module state (:data:`PENDING`), and bounded.
"""

import collections
import dataclasses
import threading
import typing

#: The most pending resources kept; the oldest are forgotten first.
MAX_PENDING = 10000


@dataclasses.dataclass(frozen=True)
class Pending:
    """A resource returned by a create that had lost attempts.

    :param service: the service (``nova``).
    :param kept_id: the id of the resource the call returned.
    :param reconciler: the reconciler class of the create's route.
    :param create: the call's marked
        :class:`~heat_retry_plugins.session.ownership.CreateRequest`.
    """

    service: str
    kept_id: str
    reconciler: typing.Any
    create: typing.Any


class PendingSweeps:
    """The resources whose late duplicates are still swept."""

    def __init__(self, limit: int = MAX_PENDING):
        self._limit = limit
        self._pending = collections.OrderedDict()
        self._lock = threading.Lock()

    def __bool__(self):
        return bool(self._pending)

    def watch(self, pending: Pending) -> None:
        """Start sweeping duplicates of ``pending.kept_id``."""
        with self._lock:
            self._pending[(pending.service, pending.kept_id)] = pending
            while len(self._pending) > self._limit:
                self._pending.popitem(last=False)

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
        """Stop watching ``pending`` (it was deleted)."""
        with self._lock:
            self._pending.pop((pending.service, pending.kept_id), None)

    def clear(self) -> None:
        """Forget every pending resource."""
        with self._lock:
            self._pending.clear()


#: The process's pending sweeps.
PENDING = PendingSweeps()

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

"""Resource events of one stack, read from Heat's database.

Every resource state change makes Heat store a row in its ``event`` table,
whichever engine runs the stack and whichever thread or worker makes the
change. :class:`EventReader` reads the rows of one stack that are newer
than the last it read (by the table's integer id, so Heat's pruning of the
oldest events beyond ``max_events_per_stack`` does not disturb it), keeps
them as :class:`ResourceEvent` and calls a progress callback each time a
resource finishes the action under way. It reads through its own admin
context, in the caller's thread: the progress callback runs there too.

The stack's own events (type ``OS::Heat::Stack``) are left out.
"""

import dataclasses
import logging
from typing import Callable
from typing import List
from typing import Optional
from typing import Set
from typing import Tuple

from heat.common import context as heat_context
from heat.db import api as db_api
from heat.db import models

LOG = logging.getLogger(__name__)

#: ``progress(event, done, total)``: ``event`` is ``'<resource>
#: <ACTION>_<STATUS>'``, ``done`` how many resources have finished the
#: current action (COMPLETE or FAILED), ``total`` how many the stack has.
ProgressCallback = Callable[[str, int, int], None]

_FINAL = ('COMPLETE', 'FAILED')
_STACK_TYPE = 'OS::Heat::Stack'


@dataclasses.dataclass(frozen=True)
class ResourceEvent:
    """One resource state change.

    :param resource: the resource name in the template.
    :param action: ``CREATE``, ``DELETE``...
    :param status: ``IN_PROGRESS``, ``COMPLETE`` or ``FAILED``.
    :param reason: Heat's status reason.
    :param resource_type: e.g. ``OS::Nova::KeyPair``.
    """

    resource: str
    action: str
    status: str
    reason: str
    resource_type: str

    @property
    def label(self) -> str:
        """The progress label.

        :returns: ``'<resource> <ACTION>_<STATUS>'``.
        """
        return '%s %s_%s' % (self.resource, self.action, self.status)


class EventReader:
    """The new resource events of one stack, and the progress they make.

    :param stack_id: the stack's id.
    :param total: how many resources the stack has.
    :param progress: an optional :data:`ProgressCallback`; its exceptions
        are logged, never raised.
    """

    def __init__(self, stack_id: str, total: int,
                 progress: Optional[ProgressCallback] = None) -> None:
        self.stack_id = stack_id
        self.total = total
        self.events: List[ResourceEvent] = []
        self._progress = progress
        self._context = heat_context.get_admin_context()
        self._last_id = 0
        self._action: Optional[str] = None
        self._done: Set[str] = set()

    def begin(self, action: str) -> None:
        """Start counting the resources that finish ``action``.

        :param action: ``'CREATE'`` or ``'DELETE'``.
        """
        self._action = action
        self._done = set()

    @property
    def done(self) -> int:
        """How many resources finished the current action.

        :returns: the count.
        """
        return len(self._done)

    def skip_stored(self) -> None:
        """Ignore the events stored so far (those of an earlier action)."""
        for row_id, _event in self._fetch():
            self._last_id = row_id

    def read(self) -> List[ResourceEvent]:
        """Read the events stored since the last read, report progress.

        :returns: the new events, oldest first (also appended to
            :attr:`events`).
        """
        new = []
        for row_id, event in self._fetch():
            self._last_id = row_id
            if event is None:
                continue
            new.append(event)
            self.events.append(event)
            if event.action == self._action and event.status in _FINAL:
                self._done.add(event.resource)
                self._report(event)
        return new

    def _fetch(self) -> List[Tuple[int, Optional[ResourceEvent]]]:
        """The rows since the last read: ``(id, event or None)``."""
        with db_api.context_manager.reader.using(self._context) as session:
            rows = (session.query(models.Event)
                    .filter(models.Event.stack_id == self.stack_id,
                            models.Event.id > self._last_id)
                    .order_by(models.Event.id)
                    .all())
            return [(row.id, None if row.resource_type == _STACK_TYPE
                     else ResourceEvent(
                         resource=str(row.resource_name),
                         action=str(row.resource_action),
                         status=str(row.resource_status),
                         reason=str(row.resource_status_reason or ''),
                         resource_type=str(row.resource_type)))
                    for row in rows]

    def _report(self, event: ResourceEvent) -> None:
        if self._progress is None:
            return
        try:
            self._progress(event.label, len(self._done), self.total)
        except Exception:
            LOG.exception('progress callback failed on %s', event.label)

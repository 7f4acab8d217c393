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

"""Resource events of one stack, for a progress display.

Every resource state change makes Heat store an event and call
``Stack.dispatch_event``, which hands the event sinks to
``stack.thread_group_mgr.start(stack.id, func, context, sinks, event)``.
Outside heat-engine's service, a legacy stack has no thread group manager
and nothing is dispatched; :class:`EventTap` stands in for one: it runs the
sinks at once, in the calling thread, and sees every event on its way.
"""

import dataclasses
import logging
import threading
from typing import Any
from typing import Callable
from typing import List
from typing import Optional

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


class EventTap:
    """A stand-in for ``heat.engine.service.ThreadGroupManager``.

    Assign it to ``stack.thread_group_mgr`` before ``create()``. Only the
    legacy engine's event dispatch goes through it; the convergence engine
    would start its workers here, which this class does not do.

    :param total: how many resources the stack has.
    :param progress: an optional :data:`ProgressCallback`; its exceptions
        are logged, never raised into Heat.
    """

    def __init__(self, total: int,
                 progress: Optional[ProgressCallback] = None) -> None:
        self.total = total
        self.events: List[ResourceEvent] = []
        self._progress = progress
        self._action: Optional[str] = None
        self._done = set()
        self._lock = threading.Lock()

    def begin(self, action: str) -> None:
        """Start counting the resources that finish ``action``.

        :param action: ``'CREATE'`` or ``'DELETE'``.
        """
        with self._lock:
            self._action = action
            self._done = set()

    def done(self) -> int:
        """Tell how many resources finished the current action.

        :returns: the count.
        """
        with self._lock:
            return len(self._done)

    def start(self, stack_id: Any, func: Callable, *args: Any,
              **kwargs: Any) -> None:
        """Run ``func`` now (the event sinks) and observe the event.

        :param stack_id: the stack id.
        :param func: the function Heat would start in a thread.
        :param args: ``(context, sinks, event_dict)`` from
            ``Stack.dispatch_event``.
        :param kwargs: passed to ``func``.
        """
        func(*args, **kwargs)
        if len(args) == 3 and isinstance(args[2], dict):
            self._observe(args[2].get('payload') or {})

    def _observe(self, payload: dict) -> None:
        if payload.get('resource_type') == _STACK_TYPE:
            return
        event = ResourceEvent(
            resource=str(payload.get('resource_name')),
            action=str(payload.get('resource_action')),
            status=str(payload.get('resource_status')),
            reason=str(payload.get('resource_status_reason') or ''),
            resource_type=str(payload.get('resource_type')))
        with self._lock:
            self.events.append(event)
            final = (event.action == self._action
                     and event.status in _FINAL)
            if final:
                self._done.add(event.resource)
            done = len(self._done)
        if final and self._progress is not None:
            try:
                self._progress(event.label, done, self.total)
            except Exception:
                LOG.exception('progress callback failed on %s', event.label)

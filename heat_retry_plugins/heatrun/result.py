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

"""What one run of a stack reports."""

import dataclasses
from typing import Any
from typing import Dict
from typing import List
from typing import Optional

from heat_retry_plugins.heatrun import events as events_mod


@dataclasses.dataclass
class RunResult:
    """The outcome of :func:`heat_retry_plugins.heatrun.engine.run_stack`.

    The same fields on both engines. A stack whose validation fails is
    never stored nor created, as with heat-api, which would answer 400:
    its ``create_status`` is ``'CREATE_FAILED'``, ``validation_failed`` is
    True and the reason starts with ``'Validation failed: '``; there is
    nothing to delete.

    :param name: the stack name.
    :param engine: ``'convergence'`` or ``'legacy'``.
    :param stagger: whether Heat's one-second stagger between independent
        resources was on (it does nothing on the legacy engine).
    :param stack_id: the stack's id, None if it was never stored.
    :param create_status: ``'CREATE_COMPLETE'`` or ``'CREATE_FAILED'``.
    :param create_reason: Heat's status reason of the stack.
    :param delete_status: ``'DELETE_COMPLETE'``, ``'DELETE_FAILED'``, or
        None when the stack was not deleted.
    :param delete_reason: Heat's status reason, or why nothing was deleted.
    :param validate_seconds: until the engine accepted the stack: legacy,
        ``Stack.validate()`` and ``store()``; convergence, the
        ``create_stack`` call (validation, store, traversal started).
    :param create_seconds: from the request to the create's end, as a user
        waits.
    :param delete_seconds: from the delete request to its end (0 if
        skipped).
    :param resources_total: how many resources the template defines.
    :param resources_complete: how many reached CREATE_COMPLETE.
    :param resource_states: resource name -> its state in Heat's resource
        table when the create ended, as ``'CREATE_COMPLETE'``;
        ``'INIT_COMPLETE'`` for those not started.
    :param validation_failed: True when validation failed.
    :param validate_counters: the cloud's counters when the engine had
        accepted the stack (convergence: workers may have started).
    :param create_counters: the cloud's counters when the create ended.
    :param counters: the cloud's counters at the end.
    :param events: every resource event of the run, create then delete,
        from Heat's event table.
    """

    name: str
    engine: str = 'convergence'
    stagger: bool = True
    stack_id: Optional[str] = None
    create_status: Optional[str] = None
    create_reason: str = ''
    delete_status: Optional[str] = None
    delete_reason: str = ''
    validate_seconds: float = 0.0
    create_seconds: float = 0.0
    delete_seconds: float = 0.0
    resources_total: int = 0
    resources_complete: int = 0
    resource_states: Dict[str, str] = dataclasses.field(default_factory=dict)
    validation_failed: bool = False
    validate_counters: Dict[str, Any] = dataclasses.field(
        default_factory=dict)
    create_counters: Dict[str, Any] = dataclasses.field(default_factory=dict)
    counters: Dict[str, Any] = dataclasses.field(default_factory=dict)
    events: List[events_mod.ResourceEvent] = dataclasses.field(
        default_factory=list)

    @property
    def create_complete(self) -> bool:
        """Tell whether the stack reached CREATE_COMPLETE.

        :returns: True if it did.
        """
        return self.create_status == 'CREATE_COMPLETE'

    @property
    def delete_complete(self) -> bool:
        """Tell whether the stack reached DELETE_COMPLETE.

        :returns: True if it did.
        """
        return self.delete_status == 'DELETE_COMPLETE'

    def summary(self) -> str:
        """Describe the run in one line.

        :returns: e.g. ``'demo: CREATE_COMPLETE 10/10 in 0.4s,
            DELETE_COMPLETE in 0.1s, 23 requests'``.
        """
        text = '%s: %s %d/%d in %.1fs' % (
            self.name, self.create_status, self.resources_complete,
            self.resources_total, self.create_seconds)
        if self.delete_status is not None:
            text += ', %s in %.1fs' % (self.delete_status,
                                       self.delete_seconds)
        if self.counters:
            text += ', %d requests' % self.counters.get('requests_total', 0)
        return text

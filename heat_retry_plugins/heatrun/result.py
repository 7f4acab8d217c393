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

    A stack whose validation fails is never stored nor created, as with
    heat-api, which would answer 400: its ``create_status`` is
    ``'CREATE_FAILED'``, ``validation_failed`` is True and the reason
    starts with ``'Validation failed: '``; there is nothing to delete.

    :param name: the stack name.
    :param stack_id: the stack's id, None if it was never stored.
    :param create_status: ``'CREATE_COMPLETE'`` or ``'CREATE_FAILED'``.
    :param create_reason: Heat's status reason of the stack.
    :param delete_status: ``'DELETE_COMPLETE'``, ``'DELETE_FAILED'``, or
        None when the stack was not deleted.
    :param delete_reason: Heat's status reason, or why nothing was deleted.
    :param validate_seconds: the time ``Stack.validate()`` took.
    :param create_seconds: validate, store and create, as a user waits.
    :param delete_seconds: the time ``Stack.delete()`` took (0 if skipped).
    :param resources_total: how many resources the template defines.
    :param resources_complete: how many reached CREATE_COMPLETE.
    :param resource_states: resource name -> its state after create, as
        ``'CREATE_COMPLETE'``; ``'INIT_COMPLETE'`` for those not started.
    :param validation_failed: True when validation failed.
    :param validate_counters: the cloud's counters after validation.
    :param create_counters: the cloud's counters after create.
    :param counters: the cloud's counters at the end.
    :param events: every resource event of the run.
    """

    name: str
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

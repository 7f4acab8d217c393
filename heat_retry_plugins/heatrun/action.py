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

"""A stack action under way, on either engine, and waiting for its end.

Both engine drivers (:mod:`.legacy`, :mod:`.convergence`) start a create
or a delete and hand back a :class:`StackAction`; :func:`follow` then
polls it and the stack's events (:class:`~.events.EventReader`) until the
action has ended or a deadline has passed. A create that the engine
refuses before storing the stack raises :class:`ValidationFailed`.
"""

import time
from typing import Protocol
from typing import Tuple

from heat_retry_plugins.heatrun import events

#: How often :func:`follow` looks at the stack and its events, in seconds.
POLL_SECONDS = 0.1

#: An action's end state and Heat's reason: ``('CREATE_COMPLETE',
#: 'Stack CREATE completed successfully')``.
Outcome = Tuple[str, str]


class StackAction(Protocol):
    """One create or delete that an engine is running."""

    #: The stack's id.
    stack_id: str

    def finished(self) -> bool:
        """Tell whether the action has ended (COMPLETE or FAILED)."""

    def outcome(self) -> Outcome:
        """Return the end state; only once :meth:`finished` is true."""


class ValidationFailed(Exception):
    """The engine refused a stack before storing it (heat-api: a 4xx).

    :param error: the class name of Heat's exception, without the
        ``_Remote`` that oslo.messaging adds to an RPC's exceptions.
    :param message: its message (the first line, as heat-api shows it).
    """

    def __init__(self, error: str, message: str) -> None:
        super().__init__('%s: %s' % (error, message))
        self.error = error
        self.message = message

    @property
    def reason(self) -> str:
        """The create reason a run reports.

        :returns: ``'Validation failed: <error>: <message>'``.
        """
        return 'Validation failed: %s: %s' % (self.error, self.message)


def follow(action: StackAction, reader: events.EventReader,
           deadline: float, what: str,
           poll_seconds: float = POLL_SECONDS) -> Outcome:
    """Wait for ``action`` to end, reading its events as it runs.

    The events stored until the end are all read before this returns.

    :param action: the action under way.
    :param reader: the reader of the stack's events.
    :param deadline: the ``time.monotonic()`` by which it must end.
    :param what: what is waited for, for the error message (``'stack demo
        create'``).
    :param poll_seconds: the interval between two looks.
    :returns: the action's :data:`Outcome`.
    :raises TimeoutError: if the action has not ended by ``deadline``.
    """
    while True:
        finished = action.finished()
        reader.read()
        if finished:
            return action.outcome()
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError('%s has not ended by its deadline (%d of %d '
                               'resources done)' % (what, reader.done,
                                                    reader.total))
        time.sleep(min(poll_seconds, remaining))

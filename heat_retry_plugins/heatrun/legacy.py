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

"""The legacy engine (``convergence_engine = false``), without RPC.

Heat deprecated this engine for removal; it is kept to compare with.
:func:`create` does what heat-api and heat-engine do for ``openstack
stack create``: ``Template`` -> ``Stack`` -> ``validate()`` -> ``store()``
in the calling thread, then ``create()`` in a thread of its own, where
the legacy engine steps every resource of the stack
(``scheduler.DependencyTaskGroup``: a blocking wait in one resource stalls
them all). :func:`delete` is ``Stack.load()`` -> ``delete()`` in a thread,
as a separate ``stack delete`` request would be (so the delete
authenticates and discovers the compute microversion again).

What is left out of heat-engine's ``create_stack``, on purpose: the
per-tenant limits and name check (``_validate_new_stack``), the resource
type policy (``resource_enforcer``) and the stack lock. The stack user
project is set as heat-engine does; with no ``stack_user_domain`` in
heat.conf Heat falls back to the user's project, without a request.

The legacy engine writes a create's final state to the database only when
heat-engine releases the stack lock, which is left out here, so the end
state is read from the ``Stack`` object once its thread has ended.
"""

import logging
import threading
from typing import Any
from typing import Callable
from typing import Optional

from heat.common import context as heat_context
from heat.engine import environment
from heat.engine import stack as stack_mod
from heat.engine import template as template_mod

from heat_retry_plugins.heatrun import action

LOG = logging.getLogger(__name__)


class LegacyAction:
    """A create or delete of one ``Stack``, run in a thread of its own.

    :param stack: the stack, stored.
    :param func: ``stack.create`` or ``stack.delete``.
    """

    def __init__(self, stack: stack_mod.Stack,
                 func: Callable[[], Any]) -> None:
        self.stack = stack
        self.stack_id: str = stack.id
        self._error: Optional[BaseException] = None
        self._thread = threading.Thread(
            target=self._run, args=(func,), daemon=True,
            name='heatrun-legacy-%s-%s' % (func.__name__, stack.name))
        self._thread.start()

    def _run(self, func: Callable[[], Any]) -> None:
        try:
            func()
        except BaseException as exc:
            LOG.debug('stack %s: %s raised', self.stack.name,
                      func.__name__, exc_info=True)
            self._error = exc

    def finished(self) -> bool:
        """Tell whether the thread has ended.

        :returns: True once it has.
        """
        return not self._thread.is_alive()

    def outcome(self) -> action.Outcome:
        """Return the stack's state and reason.

        :returns: e.g. ``('CREATE_COMPLETE', 'Stack CREATE completed
            successfully')``.
        :raises Exception: what the stack's create or delete raised, if it
            raised.
        """
        self._thread.join()
        if self._error is not None:
            raise self._error
        return ('%s_%s' % (self.stack.action, self.stack.status),
                str(self.stack.status_reason))


def create(context: heat_context.RequestContext, name: str,
           template: dict, timeout_mins: int) -> LegacyAction:
    """Validate and store a stack, then start its create.

    :param context: the user's request context.
    :param name: the stack name.
    :param template: a HOT template as a dict.
    :param timeout_mins: the stack timeout, in minutes.
    :returns: the :class:`LegacyAction` of the create.
    :raises heat_retry_plugins.heatrun.action.ValidationFailed: if
        ``Stack.validate()`` raised; nothing was stored.
    """
    tmpl = template_mod.Template(template, env=environment.Environment({}))
    stack = stack_mod.Stack(context, name, tmpl, timeout_mins=timeout_mins,
                            disable_rollback=True)
    try:
        stack.validate()
    except Exception as exc:
        LOG.debug('stack %s failed validation', name, exc_info=True)
        raise action.ValidationFailed(type(exc).__name__, str(exc)) from exc
    stack.store()
    stack.create_stack_user_project_id()
    return LegacyAction(stack, stack.create)


def delete(context: heat_context.RequestContext, stack_id: str,
           name: str, timeout_mins: int) -> LegacyAction:
    """Load a stack from the database and start its delete.

    :param context: the user's request context, new for the delete.
    :param stack_id: the stack's id.
    :param name: the stack name (the stack is loaded by id).
    :param timeout_mins: the stack timeout of the delete, in minutes.
    :returns: the :class:`LegacyAction` of the delete.
    """
    stack = stack_mod.Stack.load(context, stack_id=stack_id)
    stack.timeout_mins = timeout_mins
    return LegacyAction(stack, stack.delete)

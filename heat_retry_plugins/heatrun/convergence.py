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

"""The convergence engine (Heat's default), driven as heat-api drives it.

:func:`create` and :func:`delete` call the EngineService of
:mod:`.service` through ``heat.rpc.client.EngineClient``, the client
heat-api uses, over the in-memory transport: ``create_stack(context, name,
template, params, files, args)`` with ``args`` holding the stack timeout
and ``disable_rollback`` as ``openstack stack create --timeout N``
(without ``--enable-rollback``) sends them, and ``delete_stack(context,
identity)``. Each call returns once the engine has started the
traversal (validation and store happen inside ``create_stack``; the
traversal's one-second stagger between independent resources runs in an
engine thread, see :mod:`.stagger`); the resources are then created or
deleted by ``check_resource`` messages to the engine's workers, each with
a request context of its own, up to 64 at a time.

The worker that completes the last resource writes the stack's final state
to the database; :class:`ConvergenceAction` reads it from there. A stack
whose create fails may still have resources in progress when it reads
``CREATE_FAILED``: convergence does not cancel them (a delete that follows
does, and waits for them). A failed create is over only once the worker
has purged it too (the row's traversal is then empty): Heat drops a
delete sent between the two writes, so the stack would stay
``CREATE_FAILED`` for good (Heat's race, which heat-api's users meet as a
delete that did nothing). A delete is over when the stack's row is
deleted, which the same worker does just after writing
``DELETE_COMPLETE`` (or writes ``DELETE_FAILED`` instead, if it could not
delete the stack's credentials): until then a new stack of the same name
is refused (``StackExists``).
"""

import logging

from heat.common import context as heat_context
from heat.common import exception as heat_exception
from heat.common import identifier
from heat.objects import stack as stack_object
from heat.rpc import api as rpc_api
from heat.rpc import client as rpc_client

from heat_retry_plugins.heatrun import action

LOG = logging.getLogger(__name__)

_FINAL = ('COMPLETE', 'FAILED')


class ConvergenceAction:
    """A stack action that the engine's workers run; read from the DB.

    :param stack_id: the stack's id.
    :param stack_action: ``'CREATE'`` or ``'DELETE'``.
    """

    def __init__(self, stack_id: str, stack_action: str) -> None:
        self.stack_id = stack_id
        self.stack_action = stack_action
        self._context = heat_context.get_admin_context(show_deleted=True)
        self._outcome = None

    def finished(self) -> bool:
        """Tell whether the stack's row shows the action's end.

        :returns: True once the action is COMPLETE or FAILED.
        """
        row = stack_object.Stack.get_by_id(self._context, self.stack_id,
                                           show_deleted=True,
                                           eager_load=False)
        if (row is None or row.action != self.stack_action
                or row.status not in _FINAL):
            return False
        if row.status == 'COMPLETE' and self.stack_action == 'DELETE' and (
                row.deleted_at is None):
            # NOTE: Stack.purge_db() has not deleted the row yet.
            return False
        if (row.status == 'FAILED' and self.stack_action == 'CREATE'
                and row.current_traversal):
            # NOTE: Stack.mark_failed() writes CREATE_FAILED, then its
            # purge_db() stores the row with an empty traversal. A delete
            # sent in between is dropped: its converge_stack() stores the
            # row expecting the traversal it loaded ("Failed to store stack
            # ... aborting stack DELETE"), and the stack stays
            # CREATE_FAILED for good. The create is over once purged.
            return False
        self._outcome = ('%s_%s' % (row.action, row.status),
                         str(row.status_reason))
        return True

    def outcome(self) -> action.Outcome:
        """Return the state and reason :meth:`finished` last read.

        :returns: e.g. ``('DELETE_COMPLETE', 'Stack DELETE completed
            successfully')``.
        :raises RuntimeError: before :meth:`finished` has returned True.
        """
        if self._outcome is None:
            raise RuntimeError('stack %s has not finished %s'
                               % (self.stack_id, self.stack_action))
        return self._outcome


def create(context: heat_context.RequestContext, name: str,
           template: dict, timeout_mins: int) -> ConvergenceAction:
    """Ask the engine to create a stack, as heat-api does.

    :param context: the user's request context.
    :param name: the stack name.
    :param template: a HOT template as a dict.
    :param timeout_mins: the stack timeout, in minutes.
    :returns: the :class:`ConvergenceAction` of the create.
    :raises heat_retry_plugins.heatrun.action.ValidationFailed: if the
        engine refused the stack (any of Heat's own exceptions: heat-api
        would answer 4xx); nothing was stored.
    """
    args = {rpc_api.PARAM_TIMEOUT: timeout_mins,
            rpc_api.PARAM_DISABLE_ROLLBACK: True}
    client = rpc_client.EngineClient()
    try:
        identity = client.create_stack(context, name, template, {}, {},
                                       args)
    except heat_exception.HeatException as exc:
        LOG.debug('stack %s refused', name, exc_info=True)
        raise action.ValidationFailed(
            client.local_error_name(exc),
            str(exc).split('\n', 1)[0]) from exc
    return ConvergenceAction(identity['stack_id'], 'CREATE')


def delete(context: heat_context.RequestContext, stack_id: str,
           name: str, timeout_mins: int) -> ConvergenceAction:
    """Ask the engine to delete a stack, as heat-api does.

    :param context: the user's request context, new for the delete.
    :param stack_id: the stack's id.
    :param name: the stack name.
    :param timeout_mins: unused: the engine applies the timeout stored
        with the stack at create, as for ``openstack stack delete``.
    :returns: the :class:`ConvergenceAction` of the delete.
    """
    identity = identifier.HeatIdentifier(context.project_id, name, stack_id)
    rpc_client.EngineClient().delete_stack(context, dict(identity))
    return ConvergenceAction(stack_id, 'DELETE')

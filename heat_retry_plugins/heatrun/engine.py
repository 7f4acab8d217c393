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

"""Run the real Heat engine in-process: create a stack, delete it.

:func:`prepare` makes the process a (legacy, single-threaded) heat-engine
pointed at one FakeCloud; :func:`run_stack` then does what heat-api and
heat-engine do for ``openstack stack create`` and ``stack delete``,
without RPC: ``Template`` -> ``Stack`` -> ``validate()`` -> ``store()`` ->
``create()``, then ``Stack.load()`` -> ``delete()``.

What is left out of heat-engine's ``create_stack``, on purpose: the
per-tenant limits and name check (``_validate_new_stack``), the resource
type policy (``resource_enforcer``) and the stack lock. The stack user
project is set as heat-engine does; with no ``stack_user_domain`` in
heat.conf Heat falls back to the user's project, without a request.

Heat's configuration is global, so runs are serialised by a lock, and the
whole module is process-wide state: one prepared cloud at a time.
"""

import contextlib
import copy
import logging
import math
import random
import threading
import time
from typing import Any
from typing import Iterator
from typing import Mapping
from typing import Optional

from heat.common import context as heat_context
from heat.common import messaging
from heat.engine import environment
from heat.engine import resources
from heat.engine import stack as stack_mod
from heat.engine import template as template_mod

from heat_retry_plugins.heatrun import conf
from heat_retry_plugins.heatrun import database
from heat_retry_plugins.heatrun import events
from heat_retry_plugins.heatrun import logs
from heat_retry_plugins.heatrun import result as result_mod

LOG = logging.getLogger(__name__)

#: The messaging transport: in memory, nothing listens.
TRANSPORT_URL = 'fake://'

_lock = threading.RLock()
_overrides = conf.Overrides()


class _Prepared:
    """What :func:`prepare` set up last."""

    def __init__(self) -> None:
        self.cloud: Any = None
        self.conf_path: Optional[str] = None
        self.base_overrides: dict = {}
        self.log_level: int = logging.WARNING


_prepared = _Prepared()


def prepare(state_dir: str, cloud: Any,
            config_overrides: Optional[conf.OverrideMap] = None,
            log_level: logs.Level = logging.WARNING) -> str:
    """Make this process a heat-engine for ``cloud``.

    Writes heat.conf in ``state_dir`` (with the sqlite database beside it,
    see :mod:`.conf`), parses Heat's ``cfg.CONF`` from it, creates the
    database schema, sets up in-memory messaging and loads Heat's client
    plugins and resource types. Call it again for another cloud or state
    directory: the configuration is re-parsed and the database re-pointed
    (client plugins and resource types load once per process).

    :param state_dir: the directory of Heat's files, created if missing.
    :param cloud: a started FakeCloud.
    :param config_overrides: ``{(group, option): value}`` set with
        ``set_override`` for every run until the next :func:`prepare` or
        :func:`reset`, e.g. ``{('DEFAULT', 'cloud_backend'):
        'heat_retry_plugins.clients.RetryingClients'}``; the group
        ``'DEFAULT'`` is [DEFAULT]. The overrides of a previous call are
        cleared first.
    :param log_level: the level of the ``heat`` loggers (see :mod:`.logs`).
    :returns: the path of the generated heat.conf.
    :raises ValueError: if an override names an unknown option or has a
        value of the wrong type.
    """
    with _lock:
        level = logs.configure(log_level)
        _overrides.clear()
        _prepared.cloud = None
        conf_path = conf.write_heat_conf(state_dir, cloud)
        conf.parse(conf_path)
        database.use(conf.db_path(state_dir))
        messaging.setup(TRANSPORT_URL)
        with logs.registry_muted(level):
            resources.initialise()
        base = dict(config_overrides or {})
        _overrides.apply(base)
        _prepared.cloud = cloud
        _prepared.conf_path = conf_path
        _prepared.base_overrides = base
        _prepared.log_level = level
        LOG.debug('heat engine prepared for %s: %s', cloud.auth_url,
                  conf_path)
        return conf_path


def reset() -> None:
    """Undo :func:`prepare`'s global changes, as far as Heat allows.

    Clears the overrides, re-parses ``cfg.CONF`` without a file and
    disposes of the database connections. Loaded plugins, resource types
    and messaging stay. :func:`prepare` must be called before the next run.
    """
    with _lock:
        _overrides.clear()
        _prepared.cloud = None
        _prepared.base_overrides = {}
        conf.parse(None)
        database.dispose()


def make_context(cloud: Any) -> heat_context.RequestContext:
    """Build the request context of a user of ``cloud``.

    It holds the password, so that Heat authenticates (and
    re-authenticates) by itself, as with ``deferred_auth_method =
    password``.

    :param cloud: a started FakeCloud.
    :returns: a RequestContext as the admin user of the cloud's project.
    """
    return heat_context.RequestContext(
        username=cloud.username, password=cloud.password,
        auth_url=cloud.auth_url, user_id=cloud.user_id,
        project_id=cloud.project_id, project_name=cloud.project_name,
        user_domain_id=cloud.domain_id, project_domain_id=cloud.domain_id,
        region_name=cloud.region, is_admin=False)


def run_stack(cloud: Any, template: Mapping[str, Any], name: str = 'demo',
              delete: bool = True,
              progress: Optional[events.ProgressCallback] = None,
              timeout: float = 600,
              config_overrides: Optional[conf.OverrideMap] = None,
              seed: Optional[int] = None) -> result_mod.RunResult:
    """Create a stack from ``template`` and, if asked, delete it.

    A failed create is still deleted when ``delete`` is true, as a user
    would clean up; see :func:`delete_stack` for how.

    :param cloud: the cloud :func:`prepare` was last called with.
    :param template: a HOT template as a dict (see :mod:`.templates`).
    :param name: the stack name.
    :param delete: delete the stack after the create.
    :param progress: ``progress(event, done, total)``, called each time a
        resource finishes an action (see :data:`.events.ProgressCallback`).
    :param timeout: the stack timeout of create and of delete, in seconds;
        Heat counts it in whole minutes, so it is rounded up to one.
    :param config_overrides: overrides for this run only, on top of those
        given to :func:`prepare`; cleared when the run ends.
    :param seed: if given, ``random.seed(seed)`` first, for Heat's jitter.
    :returns: a :class:`~.result.RunResult`.
    :raises RuntimeError: if :func:`prepare` was not called for ``cloud``.
    :raises ValueError: if an override is invalid.
    """
    with _overridden(cloud, config_overrides):
        if seed is not None:
            random.seed(seed)
        result = _create(cloud, dict(template), name, progress,
                         _minutes(timeout))
        if delete and result.stack_id is not None:
            _delete(cloud, result, progress, _minutes(timeout))
        elif delete:
            result.delete_reason = ('nothing to delete: the stack was not '
                                    'stored')
        else:
            result.delete_reason = 'not deleted (delete=False)'
        return result


def delete_stack(cloud: Any, result: result_mod.RunResult,
                 progress: Optional[events.ProgressCallback] = None,
                 timeout: float = 600,
                 config_overrides: Optional[conf.OverrideMap] = None
                 ) -> result_mod.RunResult:
    """Delete a stack that :func:`run_stack` left (``delete=False``).

    The stack is loaded from the database with a new context, as a
    separate ``stack delete`` request would be (so the delete
    authenticates and discovers the compute microversion again).

    :param cloud: the cloud :func:`prepare` was last called with.
    :param result: the result of the run that created the stack; its
        ``delete_*``, ``events`` and ``counters`` fields are updated.
    :param progress: as for :func:`run_stack`.
    :param timeout: as for :func:`run_stack`.
    :param config_overrides: as for :func:`run_stack`.
    :returns: ``result``.
    :raises RuntimeError: if :func:`prepare` was not called for ``cloud``
        or the stack was never stored.
    """
    if result.stack_id is None:
        raise RuntimeError('stack %s was never stored' % result.name)
    with _overridden(cloud, config_overrides):
        _delete(cloud, result, progress, _minutes(timeout))
    return result


@contextlib.contextmanager
def _overridden(cloud: Any,
                overrides: Optional[conf.OverrideMap]) -> Iterator[None]:
    """Hold the run lock with the prepared overrides plus ``overrides``."""
    with _lock:
        if _prepared.cloud is not cloud:
            raise RuntimeError('call heatrun.engine.prepare(state_dir, cloud)'
                               ' for this cloud first')
        merged = dict(_prepared.base_overrides)
        merged.update(overrides or {})
        _overrides.apply(merged)
        try:
            yield
        finally:
            _overrides.apply(_prepared.base_overrides)


def _minutes(timeout: float) -> int:
    return max(1, math.ceil(timeout / 60.0))


def _state(entity: Any) -> str:
    return '%s_%s' % (entity.action, entity.status)


def _create(cloud: Any, template: dict, name: str,
            progress: Optional[events.ProgressCallback],
            timeout_mins: int) -> result_mod.RunResult:
    tmpl = template_mod.Template(template, env=environment.Environment({}))
    stack = stack_mod.Stack(make_context(cloud), name, tmpl,
                            timeout_mins=timeout_mins, disable_rollback=True)
    result = result_mod.RunResult(name=name,
                                  resources_total=len(stack.resources))
    tap = events.EventTap(result.resources_total, progress)
    stack.thread_group_mgr = tap

    started = time.monotonic()
    try:
        stack.validate()
    except Exception as exc:
        LOG.debug('stack %s failed validation', name, exc_info=True)
        result.validate_counters = copy.deepcopy(cloud.counters())
        result.validate_seconds = time.monotonic() - started
        result.create_seconds = result.validate_seconds
        result.validation_failed = True
        result.create_status = 'CREATE_FAILED'
        result.create_reason = 'Validation failed: %s: %s' % (
            type(exc).__name__, exc)
        result.resource_states = {rsrc: 'INIT_COMPLETE'
                                  for rsrc in stack.resources}
        result.create_counters = copy.deepcopy(result.validate_counters)
        result.counters = copy.deepcopy(result.validate_counters)
        return result
    result.validate_seconds = time.monotonic() - started
    result.validate_counters = copy.deepcopy(cloud.counters())

    result.stack_id = stack.store()
    stack.create_stack_user_project_id()
    tap.begin(stack.CREATE)
    stack.create()
    result.create_seconds = time.monotonic() - started
    result.create_status = _state(stack)
    result.create_reason = stack.status_reason
    result.resource_states = {rsrc.name: _state(rsrc)
                              for rsrc in stack.resources.values()}
    result.resources_complete = sum(
        1 for state in result.resource_states.values()
        if state == 'CREATE_COMPLETE')
    result.events = list(tap.events)
    result.create_counters = copy.deepcopy(cloud.counters())
    result.counters = copy.deepcopy(result.create_counters)
    LOG.info('stack %s: %s (%s)', name, result.create_status,
             result.create_reason)
    return result


def _delete(cloud: Any, result: result_mod.RunResult,
            progress: Optional[events.ProgressCallback],
            timeout_mins: int) -> None:
    started = time.monotonic()
    stack = stack_mod.Stack.load(make_context(cloud),
                                 stack_id=result.stack_id)
    stack.timeout_mins = timeout_mins
    tap = events.EventTap(result.resources_total, progress)
    stack.thread_group_mgr = tap
    tap.begin(stack.DELETE)
    stack.delete()
    result.delete_seconds = time.monotonic() - started
    result.delete_status = _state(stack)
    result.delete_reason = stack.status_reason
    result.events.extend(tap.events)
    result.counters = copy.deepcopy(cloud.counters())
    LOG.info('stack %s: %s (%s)', result.name, result.delete_status,
             result.delete_reason)

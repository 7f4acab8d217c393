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

:func:`prepare` makes the process a heat-engine pointed at one FakeCloud,
running either of Heat's two engines:

``'convergence'`` (the default, as in Heat since 2016)
    heat-engine's EngineService runs in this process (:mod:`.service`);
    :func:`run_stack` calls it as heat-api does, ``create_stack`` then
    ``delete_stack`` over RPC (:mod:`.convergence`), and the engine's
    workers create and delete the resources in parallel.
``'legacy'`` (``convergence_engine = false``, deprecated by Heat)
    :func:`run_stack` builds, validates and stores the ``Stack`` itself
    and runs its create, then its delete, each in a thread of its own
    (:mod:`.legacy`).

Either way :func:`run_stack` waits for the stack's final state with a
deadline, reading the stack's events from Heat's database as they are
stored (:mod:`.events`), and reports a :class:`~.result.RunResult` of the
same shape. Heat's one-second stagger between the independent resources
of a convergence traversal is on unless ``prepare(..., stagger=False)``
(:mod:`.stagger`).

Heat's configuration is global, so runs are serialised by a lock, and the
whole module is process-wide state: one prepared cloud at a time.
:func:`reset` stops the EngineService and waits for its threads.
"""

import contextlib
import copy
import logging
import math
import random
import threading
import time
from typing import Any
from typing import Dict
from typing import Iterator
from typing import List
from typing import Mapping
from typing import Optional

from heat.common import context as heat_context
from heat.common import messaging
from heat.engine import resources
from heat.engine import template as template_mod
from heat.objects import resource as resource_objects
from oslo_config import cfg

from heat_retry_plugins.heatrun import action
from heat_retry_plugins.heatrun import conf
from heat_retry_plugins.heatrun import convergence
from heat_retry_plugins.heatrun import database
from heat_retry_plugins.heatrun import events
from heat_retry_plugins.heatrun import legacy
from heat_retry_plugins.heatrun import logs
from heat_retry_plugins.heatrun import result as result_mod
from heat_retry_plugins.heatrun import service
from heat_retry_plugins.heatrun import stagger as stagger_mod
from heat_retry_plugins import session

LOG = logging.getLogger(__name__)

#: The messaging transport: in memory, in this process.
TRANSPORT_URL = 'fake://'
#: The engines :func:`prepare` can run.
CONVERGENCE = conf.CONVERGENCE
LEGACY = conf.LEGACY
ENGINES = conf.ENGINES
#: The roles of the fake cloud's user on its project: heat-api puts the
#: token's roles in the request context, and Heat's resource type policy
#: (convergence) allows OS::Keystone::* to admins only.
USER_ROLES = ('admin', 'member', 'reader')
#: How long past the stack timeout a run still waits for Heat to report
#: the stack's end. Heat fails a convergence stack that times out only when
#: a worker next checks one of its resources: a stalled stack never ends.
GRACE_SECONDS = 60.0

_DRIVERS = {CONVERGENCE: convergence, LEGACY: legacy}

_lock = threading.RLock()
_overrides = conf.Overrides()


class _Prepared:
    """What :func:`prepare` set up last."""

    def __init__(self) -> None:
        self.cloud: Any = None
        self.conf_path: Optional[str] = None
        self.base_overrides: dict = {}
        self.log_level: int = logging.WARNING
        self.engine: str = CONVERGENCE
        self.stagger: bool = True
        self.service: Optional[service.RunningService] = None


_prepared = _Prepared()


def prepare(state_dir: str, cloud: Any,
            config_overrides: Optional[conf.OverrideMap] = None,
            log_level: logs.Level = logging.WARNING,
            engine: str = CONVERGENCE, stagger: bool = True) -> str:
    """Make this process a heat-engine for ``cloud``.

    Stops the EngineService of a previous call, writes heat.conf in
    ``state_dir`` (with the sqlite database beside it, see :mod:`.conf`),
    parses Heat's ``cfg.CONF`` from it, creates the database schema, sets
    up in-memory messaging, loads Heat's client plugins and resource
    types, applies ``config_overrides`` and, for the convergence engine,
    starts an EngineService (:mod:`.service`), which reads them. Call it
    again for another cloud, engine or state directory: the
    configuration is re-parsed and the database re-pointed (client plugins
    and resource types load once per process).

    :param state_dir: the directory of Heat's files, created if missing.
    :param cloud: a started FakeCloud.
    :param config_overrides: ``{(group, option): value}`` set with
        ``set_override`` for every run until the next :func:`prepare` or
        :func:`reset`, e.g. ``{('DEFAULT', 'cloud_backend'):
        'heat_retry_plugins.clients.RetryingClients'}``; the group
        ``'DEFAULT'`` is [DEFAULT]. The overrides of a previous call are
        cleared first.
    :param log_level: the level of the ``heat`` loggers (see :mod:`.logs`).
    :param engine: ``'convergence'`` or ``'legacy'`` (:data:`ENGINES`).
    :param stagger: False turns Heat's one-second stagger between
        independent resources off during the runs (see :mod:`.stagger`);
        the legacy engine has none.
    :returns: the path of the generated heat.conf.
    :raises ValueError: for an unknown engine, or if an override names an
        unknown option or has a value of the wrong type.
    """
    conf.check_engine(engine)
    with _lock:
        _stop_service()
        level = logs.configure(log_level)
        _overrides.clear()
        _prepared.cloud = None
        conf_path = conf.write_heat_conf(state_dir, cloud, engine)
        conf.parse(conf_path)
        database.use(conf.db_path(state_dir))
        messaging.setup(TRANSPORT_URL)
        with logs.registry_muted(level):
            resources.initialise()
        base = dict(config_overrides or {})
        _overrides.apply(base)
        if engine == CONVERGENCE:
            _prepared.service = service.start(cfg.CONF.host)
        _prepared.cloud = cloud
        _prepared.conf_path = conf_path
        _prepared.base_overrides = base
        _prepared.log_level = level
        _prepared.engine = engine
        _prepared.stagger = bool(stagger)
        LOG.debug('heat %s engine prepared for %s: %s', engine,
                  cloud.auth_url, conf_path)
        return conf_path


def reset() -> None:
    """Undo :func:`prepare`'s global changes, as far as Heat allows.

    Ends what the retry plugins keep per process (the background sweeps,
    guards and shared tokens), as a heat-engine's process would end with
    it: no sweep of this run goes on, and logs, while the engine stops or
    against a cloud that stops. Stops the EngineService and waits for its
    threads, clears the overrides,
    re-parses ``cfg.CONF`` without a file, disposes of the database
    connections and tears the in-memory messaging down (so that no
    message of this cloud's stacks reaches the next engine). Loaded
    plugins and resource types stay. :func:`prepare` must be called
    before the next run.
    """
    with _lock:
        session.reset_process_state()
        _stop_service()
        _overrides.clear()
        _prepared.cloud = None
        _prepared.base_overrides = {}
        conf.parse(None)
        database.dispose()
        messaging.cleanup()


def _stop_service() -> None:
    running, _prepared.service = _prepared.service, None
    if running is not None:
        service.stop(running)


def prepared_engine() -> Optional[str]:
    """Tell which engine :func:`prepare` set up, if any.

    :returns: ``'convergence'``, ``'legacy'``, or None after :func:`reset`.
    """
    with _lock:
        return _prepared.engine if _prepared.cloud is not None else None


def make_context(cloud: Any) -> heat_context.RequestContext:
    """Build the request context of a user of ``cloud``.

    It holds the password, so that Heat authenticates (and
    re-authenticates) by itself, as with ``deferred_auth_method =
    password``, and the user's roles (:data:`USER_ROLES`), as heat-api
    would take them from the token.

    :param cloud: a started FakeCloud.
    :returns: a RequestContext as the admin user of the cloud's project.
    """
    return heat_context.RequestContext(
        username=cloud.username, password=cloud.password,
        auth_url=cloud.auth_url, user_id=cloud.user_id,
        project_id=cloud.project_id, project_name=cloud.project_name,
        user_domain_id=cloud.domain_id, project_domain_id=cloud.domain_id,
        region_name=cloud.region, roles=list(USER_ROLES), is_admin=False)


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
    :param progress: ``progress(event, done, total)``, called in this
        thread each time a resource finishes an action (see
        :data:`.events.ProgressCallback`).
    :param timeout: the stack timeout of create and of delete, in seconds;
        Heat counts it in whole minutes, so it is rounded up to one. The
        run waits that long plus :data:`GRACE_SECONDS` for each.
    :param config_overrides: overrides for this run only, on top of those
        given to :func:`prepare`; cleared when the run ends.
    :param seed: if given, ``random.seed(seed)`` first, for Heat's jitter.
    :returns: a :class:`~.result.RunResult`.
    :raises RuntimeError: if :func:`prepare` was not called for ``cloud``.
    :raises ValueError: if an override is invalid.
    :raises TimeoutError: if Heat did not report the end of the create or
        the delete within the timeout and grace.
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

    The delete has a new request context, as a separate ``stack delete``
    request would (so it authenticates and discovers the compute
    microversion again).

    :param cloud: the cloud :func:`prepare` was last called with.
    :param result: the result of the run that created the stack; its
        ``delete_*``, ``events`` and ``counters`` fields are updated.
    :param progress: as for :func:`run_stack`.
    :param timeout: as for :func:`run_stack`.
    :param config_overrides: as for :func:`run_stack`.
    :returns: ``result``.
    :raises RuntimeError: if :func:`prepare` was not called for ``cloud``
        or the stack was never stored.
    :raises TimeoutError: as for :func:`run_stack`.
    """
    if result.stack_id is None:
        raise RuntimeError('stack %s was never stored' % result.name)
    with _overridden(cloud, config_overrides):
        _delete(cloud, result, progress, _minutes(timeout))
    return result


@contextlib.contextmanager
def _overridden(cloud: Any,
                overrides: Optional[conf.OverrideMap]) -> Iterator[None]:
    """Hold the run lock, with ``overrides`` and the stagger in force."""
    with _lock:
        if _prepared.cloud is not cloud:
            raise RuntimeError('call heatrun.engine.prepare(state_dir, cloud)'
                               ' for this cloud first')
        merged = dict(_prepared.base_overrides)
        merged.update(overrides or {})
        _overrides.apply(merged)
        try:
            with stagger_mod.switched(_prepared.stagger):
                yield
        finally:
            _overrides.apply(_prepared.base_overrides)


def _minutes(timeout: float) -> int:
    return max(1, math.ceil(timeout / 60.0))


def _deadline(started: float, timeout_mins: int) -> float:
    return started + timeout_mins * 60.0 + GRACE_SECONDS


def resource_names(template: Mapping[str, Any]) -> List[str]:
    """Return the names of the resources a template defines.

    :param template: a HOT (or CFN) template as a dict.
    :returns: the names, in the template's order.
    """
    tmpl = template_mod.Template(dict(template))
    return list(tmpl[tmpl.RESOURCES] or {})


def _resource_states(stack_id: str, names: List[str]) -> Dict[str, str]:
    """Each resource's state in the resource table, or 'INIT_COMPLETE'."""
    stored = resource_objects.Resource.get_all_by_stack(
        heat_context.get_admin_context(), stack_id)
    states = {name: 'INIT_COMPLETE' for name in names}
    states.update({name: '%s_%s' % (rsrc.action, rsrc.status)
                   for name, rsrc in stored.items()})
    return states


def _create(cloud: Any, template: dict, name: str,
            progress: Optional[events.ProgressCallback],
            timeout_mins: int) -> result_mod.RunResult:
    names = resource_names(template)
    result = result_mod.RunResult(name=name, engine=_prepared.engine,
                                  stagger=_prepared.stagger,
                                  resources_total=len(names))
    driver = _DRIVERS[_prepared.engine]
    started = time.monotonic()
    try:
        running = driver.create(make_context(cloud), name, template,
                                timeout_mins)
    except action.ValidationFailed as exc:
        result.validate_counters = copy.deepcopy(cloud.counters())
        result.validate_seconds = time.monotonic() - started
        result.create_seconds = result.validate_seconds
        result.validation_failed = True
        result.create_status = 'CREATE_FAILED'
        result.create_reason = exc.reason
        result.resource_states = {rsrc: 'INIT_COMPLETE' for rsrc in names}
        result.create_counters = copy.deepcopy(result.validate_counters)
        result.counters = copy.deepcopy(result.validate_counters)
        return result
    result.validate_seconds = time.monotonic() - started
    result.validate_counters = copy.deepcopy(cloud.counters())
    result.stack_id = running.stack_id

    reader = events.EventReader(running.stack_id, len(names), progress)
    reader.begin('CREATE')
    result.create_status, result.create_reason = action.follow(
        running, reader, _deadline(started, timeout_mins),
        'stack %s create' % name)
    result.create_seconds = time.monotonic() - started
    result.create_counters = copy.deepcopy(cloud.counters())
    result.counters = copy.deepcopy(result.create_counters)
    result.resource_states = _resource_states(running.stack_id, names)
    result.resources_complete = sum(
        1 for state in result.resource_states.values()
        if state == 'CREATE_COMPLETE')
    result.events = list(reader.events)
    LOG.info('stack %s: %s (%s)', name, result.create_status,
             result.create_reason)
    return result


def _delete(cloud: Any, result: result_mod.RunResult,
            progress: Optional[events.ProgressCallback],
            timeout_mins: int) -> None:
    driver = _DRIVERS[_prepared.engine]
    reader = events.EventReader(result.stack_id, result.resources_total,
                                progress)
    reader.skip_stored()
    reader.begin('DELETE')
    started = time.monotonic()
    running = driver.delete(make_context(cloud), result.stack_id,
                            result.name, timeout_mins)
    result.delete_status, result.delete_reason = action.follow(
        running, reader, _deadline(started, timeout_mins),
        'stack %s delete' % result.name)
    result.delete_seconds = time.monotonic() - started
    result.events.extend(reader.events)
    result.counters = copy.deepcopy(cloud.counters())
    LOG.info('stack %s: %s (%s)', result.name, result.delete_status,
             result.delete_reason)

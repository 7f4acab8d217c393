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

"""heat-engine's EngineService, running in this process for convergence.

:func:`start` does what the heat-engine command does after parsing its
configuration: ``EngineService(host, ENGINE_TOPIC).start()``. That starts
the engine's RPC server (what heat-api calls: ``create_stack``,
``delete_stack``...), the worker RPC server (the ``check_resource``
messages of the convergence engine, each handled in a thread of the RPC
executor's pool, ``executor_thread_pool_size`` = 64 by default), the
engine listener, the thread group manager, and a timer that reports the
service in the database. Messages travel over oslo.messaging's in-memory
``fake://`` transport, set up by :func:`heat_retry_plugins.heatrun.engine
.prepare`.

:func:`stop` is ``EngineService.stop()`` (the RPC servers stopped and their
executors waited for, every stack's thread group waited for), then a join,
with a deadline, of the threads ``start`` left running (the report timer
runs in a pool worker of its own, which :func:`stop` tells to stop first).
Nothing the service started is running once ``stop`` returns, unless a
thread is stuck, which is logged.

``EngineService.start`` also raises ``[database] max_overflow`` to the
executor's pool size with ``set_override``; :func:`stop` clears it again.
"""

import logging
import threading
import time
from typing import List
from typing import Optional

from heat.engine import service as service_mod
from heat.rpc import api as rpc_api
from oslo_config import cfg

from heat_retry_plugins.heatrun import heat_fixes

LOG = logging.getLogger(__name__)

#: How long :func:`stop` waits for the service's own threads to end.
JOIN_SECONDS = 30.0


class RunningService:
    """An EngineService that :func:`start` started.

    :param service: the started ``heat.engine.service.EngineService``;
        None once stopped.
    :param threads: the threads its ``start()`` left running.
    """

    def __init__(self, service: service_mod.EngineService,
                 threads: List[threading.Thread]) -> None:
        self.service: Optional[service_mod.EngineService] = service
        self.threads = threads
        self.engine_id: str = service.engine_id


def start(host: str) -> RunningService:
    """Start heat-engine's EngineService in this process.

    :param host: the engine's host name (``[DEFAULT] host``).
    :returns: the :class:`RunningService`, to pass to :func:`stop`.
    """
    before = set(threading.enumerate())
    heat_fixes.apply()
    service = service_mod.EngineService(host, rpc_api.ENGINE_TOPIC)
    service.start()
    threads = [thread for thread in threading.enumerate()
               if thread not in before]
    LOG.debug('engine %s started, %d threads', service.engine_id,
              len(threads))
    return RunningService(service, threads)


def stop(running: RunningService, join_seconds: float = JOIN_SECONDS) -> None:
    """Stop a :class:`RunningService` and wait for its threads.

    :param running: what :func:`start` returned.
    :param join_seconds: how long to wait for the threads ``start`` left.
    """
    for thread in running.threads:
        # NOTE: the report timer runs in a pool worker of its own
        # (futurist's ThreadWorker), which ends only when its pool is
        # garbage-collected or the worker has been told to stop(). Told
        # now, it ends as soon as the timer loop it runs returns (when
        # EngineService.stop() stops the timer), not a poll later.
        stop_worker = getattr(thread, 'stop', None)
        if callable(stop_worker):
            stop_worker()
    try:
        running.service.stop()
    finally:
        cfg.CONF.clear_override('max_overflow', group='database')
        heat_fixes.revert()
    running.service = None
    deadline = time.monotonic() + join_seconds
    for thread in running.threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    stuck = [thread.name for thread in running.threads if thread.is_alive()]
    if stuck:
        LOG.warning('engine %s stopped, but threads still run: %s',
                    running.engine_id, ', '.join(stuck))
    running.threads = []

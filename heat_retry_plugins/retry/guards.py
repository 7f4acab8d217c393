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

"""Doing no harm under overload: who shares a budget and a breaker.

Retries that help one call hurt a service that is down, so the
:class:`~heat_retry_plugins.retry.budget.RetryBudget` and the
:class:`~heat_retry_plugins.retry.breaker.CircuitBreaker` are shared by
every call of one process to one service *endpoint*: a :class:`GuardKey`
names the service, the cloud (its auth URL) and the region, so that an
outage of one cloud or region never blocks calls to another. Rate limits
belong to a project, so the retries of a THROTTLED failure spend from a
budget of the (key, project) instead: one project's 429s slow that
project's retries and never open the service's breaker nor drain the
budget of the others.

This is deliberately module state (one :class:`GuardRegistry` per process,
:data:`REGISTRY`); :func:`reset_guards` forgets it.
"""

import collections
import dataclasses
import threading
import time
import typing
import urllib.parse

from heat_retry_plugins.retry import breaker as breaker_mod
from heat_retry_plugins.retry import budget as budget_mod
from heat_retry_plugins.retry import policies

DEFAULT_BUDGET_CAPACITY = 10.0
DEFAULT_BUDGET_RATIO = 0.2
DEFAULT_BUDGET_FLOOR = 1.0
DEFAULT_BREAKER_THRESHOLD = 10
DEFAULT_BREAKER_COOLDOWN = 15.0
DEFAULT_BREAKER_PROBE_TIMEOUT = 30.0

#: The most projects whose throttle budgets are kept per key.
MAX_PROJECTS = 1024


@dataclasses.dataclass(frozen=True)
class GuardSettings:
    """The numbers of a service's budget and breaker.

    :param budget_capacity: see
        :class:`~heat_retry_plugins.retry.budget.RetryBudget`; 0 disables
        the budget.
    :param budget_ratio: see the budget.
    :param budget_floor: see the budget.
    :param breaker_threshold: see
        :class:`~heat_retry_plugins.retry.breaker.CircuitBreaker`; 0
        disables it.
    :param breaker_cooldown: see the breaker.
    :param breaker_probe_timeout: see the breaker.
    :raises ValueError: naming the field, for a value that is not a finite
        number in range.
    """

    budget_capacity: float = DEFAULT_BUDGET_CAPACITY
    budget_ratio: float = DEFAULT_BUDGET_RATIO
    budget_floor: float = DEFAULT_BUDGET_FLOOR
    breaker_threshold: int = DEFAULT_BREAKER_THRESHOLD
    breaker_cooldown: float = DEFAULT_BREAKER_COOLDOWN
    breaker_probe_timeout: float = DEFAULT_BREAKER_PROBE_TIMEOUT

    def __post_init__(self):
        for field in dataclasses.fields(self):
            policies.require_finite(field.name, getattr(self, field.name), 0)
        if self.budget_ratio > 1:
            raise ValueError('budget_ratio must be at most 1, not %r'
                             % self.budget_ratio)


@dataclasses.dataclass(frozen=True)
class GuardKey:
    """Who shares a budget and a breaker.

    :param service: the service (Heat's client plugin name, ``nova``).
    :param cloud: the cloud: its Keystone auth URL.
    :param region: the region of the endpoint, or ``''``.
    """

    service: str
    cloud: str = ''
    region: str = ''

    @property
    def label(self) -> str:
        """How log lines and errors name it: ``nova (RegionOne, host)``."""
        where = [part for part in (self.region,
                                   urllib.parse.urlsplit(self.cloud).netloc)
                 if part]
        return '%s (%s)' % (self.service, ', '.join(where)) if where \
            else self.service


@dataclasses.dataclass(frozen=True)
class Guards:
    """The guards of one call.

    :param budget: the key's RetryBudget, or None.
    :param breaker: the key's CircuitBreaker, or None.
    :param throttle: the RetryBudget of the key's calling project, spent
        by the retries of THROTTLED failures, or None.
    """

    budget: budget_mod.RetryBudget | None = None
    breaker: breaker_mod.CircuitBreaker | None = None
    throttle: budget_mod.RetryBudget | None = None


NO_GUARDS = Guards()


class _Entry:
    def __init__(self, key, settings, clock):
        self.settings = settings
        self.clock = clock
        self.budget = self._budget()
        self.breaker = (breaker_mod.CircuitBreaker(
            key.label, settings.breaker_threshold,
            settings.breaker_cooldown, settings.breaker_probe_timeout,
            clock=clock) if settings.breaker_threshold > 0 else None)
        self.throttles = collections.OrderedDict()

    def _budget(self):
        settings = self.settings
        if settings.budget_capacity <= 0:
            return None
        return budget_mod.RetryBudget(settings.budget_capacity,
                                      settings.budget_ratio,
                                      settings.budget_floor, clock=self.clock)

    def throttle(self, project):
        if project is None or self.budget is None:
            return None
        try:
            self.throttles.move_to_end(project)
            return self.throttles[project]
        except KeyError:
            throttle = self.throttles[project] = self._budget()
            if len(self.throttles) > MAX_PROJECTS:
                self.throttles.popitem(last=False)
            return throttle


class GuardRegistry:
    """The process's guards, by :class:`GuardKey`."""

    def __init__(self):
        self._entries = {}
        self._lock = threading.Lock()
        #: Counts the resets: callers that keep guards key them by it.
        self.generation = 0

    def guards(self, key: GuardKey, settings: GuardSettings,
               project: str | None = None,
               clock: typing.Callable[[], float] = time.monotonic
               ) -> Guards:
        """Return the guards of a call to ``key`` made for ``project``.

        Changed settings (a config reload) make new guards; the same
        settings keep the state. ``clock`` is used when the guards are
        made.

        :param key: the :class:`GuardKey`.
        :param settings: the service's :class:`GuardSettings`.
        :param project: the project the call is made for, if known.
        :param clock: a monotonic clock in seconds.
        """
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or entry.settings != settings:
                entry = self._entries[key] = _Entry(key, settings, clock)
            return Guards(entry.budget, entry.breaker,
                          entry.throttle(project))

    def reset(self) -> None:
        """Forget every budget and breaker."""
        with self._lock:
            self._entries.clear()
            self.generation += 1


#: The process's guards.
REGISTRY = GuardRegistry()
guards_for = REGISTRY.guards
reset_guards = REGISTRY.reset

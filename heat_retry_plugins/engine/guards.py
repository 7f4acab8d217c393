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

"""Doing no harm under overload: the retry budget and the circuit breaker.

Retries that help one call hurt a service that is down. Both guards here
are shared by every call to one service in one process (deliberately
module state: see :func:`guards_for`), so that twenty resources of a stack
retrying at once draw on one budget.

* :class:`RetryBudget` is a token bucket (gRPC's retry throttling, the AWS
  SDKs' retry quota): each success earns a fraction of a token, each retry
  spends one, and a floor refills it slowly so a quiet engine can still
  retry. Empty, it stops retries; first attempts still go out.
* :class:`CircuitBreaker` fails calls at once while the service is hard
  down: after a run of failed attempts it opens for a cool-down, then lets
  one probe through; the first success closes it.
"""

import dataclasses
import threading
import time
import typing

from oslo_log import log as logging

LOG = logging.getLogger(__name__)


class RetryBudget:
    """A token bucket of retries for one service.

    :param capacity: the most tokens it holds, and so the largest burst of
        retries; it starts full.
    :param ratio: the tokens a success earns (0.2: one retry per five
        successes in the long run).
    :param floor: tokens earned per second whatever happens, so that an
        engine that makes few calls can still retry.
    :param clock: a monotonic clock in seconds.
    """

    def __init__(self, capacity: float, ratio: float, floor: float,
                 clock: typing.Callable[[], float] = time.monotonic):
        self.capacity = float(capacity)
        self.ratio = float(ratio)
        self.floor = float(floor)
        self._clock = clock
        self._tokens = self.capacity
        self._refilled = clock()
        self._lock = threading.Lock()

    @property
    def tokens(self):
        """The tokens held now."""
        with self._lock:
            self._refill()
            return self._tokens

    def _refill(self):
        now = self._clock()
        self._tokens = min(self.capacity, self._tokens +
                           (now - self._refilled) * self.floor)
        self._refilled = now

    def try_spend(self) -> bool:
        """Take a token for one retry; False when there is none."""
        with self._lock:
            self._refill()
            if self._tokens < 1.0:
                return False
            self._tokens -= 1.0
            return True

    def deposit(self) -> None:
        """A call succeeded: earn ``ratio`` of a token."""
        # NOTE: under the lock although it runs after every successful
        # call: unlocked, it could overwrite a concurrent try_spend and
        # hand out a retry the budget does not hold.
        with self._lock:
            tokens = self._tokens + self.ratio
            self._tokens = tokens if tokens < self.capacity else self.capacity


class CircuitOpen(Exception):
    """A call was not made: its service is failing and cooling down.

    :param service: the service.
    :param retry_in: seconds until a probe call is let through.
    """

    def __init__(self, service, retry_in):
        self.service = service
        self.retry_in = retry_in
        super().__init__('%s is failing: calls fail at once for %.1fs more '
                         '(circuit breaker open)' % (service, retry_in))


class CircuitBreaker:
    """Fails calls to a service at once while it is hard down.

    :param service: the service name, for log lines and errors.
    :param threshold: consecutive failed attempts that open it.
    :param cooldown: seconds it stays open before a probe is let through.
    :param clock: a monotonic clock in seconds.
    """

    CLOSED, OPEN, HALF_OPEN = 'closed', 'open', 'half-open'

    def __init__(self, service: str, threshold: int, cooldown: float,
                 clock: typing.Callable[[], float] = time.monotonic):
        self.service = service
        self.threshold = int(threshold)
        self.cooldown = float(cooldown)
        self._clock = clock
        self.state = self.CLOSED
        self._failures = 0
        self._opened = 0.0
        self._lock = threading.Lock()

    def before_call(self) -> None:
        """Let a call through, or raise :class:`CircuitOpen`."""
        if self.state is self.CLOSED:
            return
        with self._lock:
            if self.state is self.OPEN:
                left = self._opened + self.cooldown - self._clock()
                if left > 0:
                    raise CircuitOpen(self.service, left)
                self.state = self.HALF_OPEN
                LOG.warning('%(service)s: circuit breaker half-open, letting '
                            'one probe call through',
                            {'service': self.service})
                return
            # NOTE: half-open: one probe is in flight; the others wait for
            # its outcome by failing fast.
            raise CircuitOpen(self.service, 0.0)

    def record_success(self) -> None:
        """A request got an answer: the service is up."""
        if self.state is self.CLOSED and not self._failures:
            return
        with self._lock:
            if self.state is not self.CLOSED:
                LOG.warning('%(service)s: circuit breaker closed, the '
                            'service answers again',
                            {'service': self.service})
            self.state = self.CLOSED
            self._failures = 0

    def record_failure(self) -> None:
        """An attempt failed in a way that says the service is unwell."""
        with self._lock:
            self._failures += 1
            if (self.state is self.HALF_OPEN or
                    (self.state is self.CLOSED and
                     self._failures >= self.threshold)):
                self.state = self.OPEN
                self._opened = self._clock()
                LOG.warning('%(service)s: circuit breaker open after '
                            '%(failures)d failed attempts: calls fail at '
                            'once for %(cooldown).1fs',
                            {'service': self.service,
                             'failures': self._failures,
                             'cooldown': self.cooldown})


@dataclasses.dataclass(frozen=True)
class GuardSettings:
    """The numbers of a service's budget and breaker.

    :param budget_capacity: see :class:`RetryBudget`; 0 disables the
        budget.
    :param budget_ratio: see :class:`RetryBudget`.
    :param budget_floor: see :class:`RetryBudget`.
    :param breaker_threshold: see :class:`CircuitBreaker`; 0 disables it.
    :param breaker_cooldown: see :class:`CircuitBreaker`.
    """

    budget_capacity: float = 10.0
    budget_ratio: float = 0.2
    budget_floor: float = 1.0
    breaker_threshold: int = 10
    breaker_cooldown: float = 15.0


_guards = {}
_guards_lock = threading.Lock()


def guards_for(service: str, settings: GuardSettings
               ) -> tuple[RetryBudget | None, CircuitBreaker | None]:
    """Return the process-wide ``(budget, breaker)`` of ``service``.

    Either is None when its settings disable it. Changed settings (a
    config reload) make new guards; the same settings keep the state.

    :param service: the service name.
    :param settings: a :class:`GuardSettings`.
    """
    with _guards_lock:
        current = _guards.get(service)
        if current is None or current[0] != settings:
            budget = (RetryBudget(settings.budget_capacity,
                                  settings.budget_ratio,
                                  settings.budget_floor)
                      if settings.budget_capacity > 0 else None)
            breaker = (CircuitBreaker(service, settings.breaker_threshold,
                                      settings.breaker_cooldown)
                       if settings.breaker_threshold > 0 else None)
            current = _guards[service] = (settings, budget, breaker)
        return current[1], current[2]


def reset_guards() -> None:
    """Forget every service's budget and breaker (for tests)."""
    with _guards_lock:
        _guards.clear()

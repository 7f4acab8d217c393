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

"""The circuit breaker: fail at once while a service is hard down.

After a run of failed attempts it opens for a cool-down, then lets one probe
call through; the probe's answer closes it, its failure opens it again.
Each attempt holds a :class:`Permit`, whose ``with`` block guarantees that
the breaker never stays half-open: a probe ended by anything (an exception,
a killed greenthread, a ``KeyboardInterrupt``) without an answer counts as
failed, and a probe that takes longer than its time limit counts as failed
for every call that arrives after the limit.
"""

import threading
import time
import typing

from oslo_log import log as logging

from heat_retry_plugins.retry import errors

LOG = logging.getLogger(__name__)

CLOSED, OPEN, HALF_OPEN = 'closed', 'open', 'half-open'


class Permit:
    """One attempt let through a :class:`CircuitBreaker`.

    Use it as a context manager around the attempt, and tell it what the
    attempt showed with :meth:`answered`, :meth:`failed` or
    :meth:`neutral`; leaving the block without doing so counts as failed.

    :param breaker: the breaker, or None for an attempt no breaker guards.
    :param probe: True when this attempt is the half-open breaker's probe.
    """

    def __init__(self, breaker: 'CircuitBreaker | None', probe: bool):
        self._breaker = breaker
        self.probe = probe
        self._done = breaker is None

    def __enter__(self) -> 'Permit':
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if not self._done:
            self.failed()

    def answered(self) -> None:
        """The service answered (a success, or an error it chose to send)."""
        self._resolve(self._breaker and self._breaker.record_answer)

    def failed(self) -> None:
        """The attempt failed in a way that says the service is unwell."""
        self._resolve(self._breaker and self._breaker.record_failure)

    def neutral(self) -> None:
        """The attempt says nothing about this service (another's failed)."""
        self._resolve(self._breaker and self._breaker.release_probe)

    def _resolve(self, record):
        if self._done:
            return
        self._done = True
        record(self.probe)


class CircuitBreaker:
    """Fails calls to a service at once while it is hard down.

    :param service: the service name, for log lines and errors.
    :param threshold: consecutive failed attempts that open it.
    :param cooldown: seconds it stays open before a probe is let through.
    :param probe_timeout: seconds a probe may take; a probe still running
        after that counts as failed.
    :param clock: a monotonic clock in seconds.
    """

    def __init__(self, service: str, threshold: int, cooldown: float,
                 probe_timeout: float = 30.0,
                 clock: typing.Callable[[], float] = time.monotonic):
        self.service = service
        self.threshold = int(threshold)
        self.cooldown = float(cooldown)
        self.probe_timeout = float(probe_timeout)
        self._clock = clock
        self.state = CLOSED
        self._failures = 0
        self._opened = 0.0
        self._probe_started = 0.0
        self._lock = threading.Lock()

    def admit(self) -> Permit:
        """Let a first attempt through, or raise :class:`CircuitOpen`.

        :returns: the attempt's :class:`Permit`.
        :raises CircuitOpen: while open, and while a probe is in flight.
        """
        if self.state is CLOSED:
            return Permit(self, probe=False)
        with self._lock:
            now = self._clock()
            if (self.state is HALF_OPEN and
                    now - self._probe_started >= self.probe_timeout):
                self._open(self._probe_started + self.probe_timeout,
                           'the probe call took longer than %.1fs'
                           % self.probe_timeout)
            if self.state is OPEN:
                left = self._opened + self.cooldown - now
                if left > 0:
                    raise errors.CircuitOpen(self.service, left)
                self.state = HALF_OPEN
                self._probe_started = now
                LOG.warning('%(service)s: circuit breaker half-open, letting '
                            'one probe call through',
                            {'service': self.service})
                return Permit(self, probe=True)
            if self.state is CLOSED:
                return Permit(self, probe=False)
            # NOTE: half-open: one probe is in flight; the others wait for
            # its outcome by failing fast.
            raise errors.CircuitOpen(self.service, 0.0)

    def admit_retry(self) -> Permit | None:
        """Let a retry through, or return None while it is not closed.

        A call whose retry meets a breaker that opened gives up rather than
        wait for a probe.
        """
        if self.state is not CLOSED:
            return None
        return Permit(self, probe=False)

    def record_answer(self, probe: bool = False) -> None:
        """A request got an answer: the service is up."""
        if self.state is CLOSED and not self._failures:
            return
        with self._lock:
            if self.state is not CLOSED:
                LOG.warning('%(service)s: circuit breaker closed, the '
                            'service answers again',
                            {'service': self.service})
            self.state = CLOSED
            self._failures = 0

    def record_failure(self, probe: bool = False) -> None:
        """An attempt failed in a way that says the service is unwell."""
        with self._lock:
            self._failures += 1
            if probe and self.state is HALF_OPEN:
                self._open(self._clock(), 'the probe call failed')
            elif self.state is CLOSED and self._failures >= self.threshold:
                self._open(self._clock(), '%d failed attempts'
                           % self._failures)

    def release_probe(self, probe: bool = False) -> None:
        """A probe ended without telling anything about the service."""
        if not probe:
            return
        with self._lock:
            if self.state is HALF_OPEN:
                # NOTE: open with the cool-down already over: the next call
                # is the next probe.
                self.state = OPEN
                self._opened = self._clock() - self.cooldown

    def _open(self, when, why):
        self.state = OPEN
        self._opened = when
        LOG.warning('%(service)s: circuit breaker open (%(why)s): calls '
                    'fail at once for %(cooldown).1fs',
                    {'service': self.service, 'why': why,
                     'cooldown': self.cooldown})

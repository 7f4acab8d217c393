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

"""The retry loop.

:class:`Retrier` is the engine: a function of a
:class:`~heat_retry_plugins.engine.policy.RetryPolicy` (the numbers), an
:class:`~heat_retry_plugins.engine.policy.OperationPolicy` (what is safe), a
classifier (what a failure means), and an injectable clock and sleep. It
knows nothing of Heat, oslo.config or any client library.
"""

import dataclasses
import random
import time
import typing

from oslo_log import log as logging

from heat_retry_plugins.engine import backoff
from heat_retry_plugins.engine import policy as policy_mod
from heat_retry_plugins.engine import verdicts

LOG = logging.getLogger(__name__)

Verdict = verdicts.Verdict
OnAmbiguous = policy_mod.OnAmbiguous

#: Why the engine stopped retrying, as the give-up log line says it.
GAVE_UP_FATAL = 'the error is not retriable'
GAVE_UP_ATTEMPTS = 'attempts exhausted'
GAVE_UP_DEADLINE = 'deadline passed'
GAVE_UP_BUDGET = 'retry budget exhausted'
GAVE_UP_UNSAFE = ('the request may have been processed and is not safe '
                  'to repeat')
GAVE_UP_REAUTH = 'the token was rejected again after re-authenticating'
GAVE_UP_NO_REAUTH = 'the token was rejected and cannot be renewed'

_RNG = random.Random()


@dataclasses.dataclass(frozen=True)
class Attempt:
    """One failed attempt of a call, as kept in the history.

    :param number: 1 for the first attempt.
    :param error: the exception's class name and HTTP status.
    :param verdict: the :class:`~heat_retry_plugins.engine.verdicts.Verdict`.
    :param request_id: the response's request id, when known.
    :param elapsed: seconds since the first attempt started, at the failure.
    :param delay: seconds slept before the next attempt; None for the last.
    """

    number: int
    error: str
    verdict: Verdict
    request_id: str | None
    elapsed: float
    delay: float | None


@dataclasses.dataclass(frozen=True)
class Retrier:
    """Calls a function, retrying it as the policies allow.

    :param service: the service name used in log lines (``nova``).
    :param policy: the :class:`~heat_retry_plugins.engine.policy.RetryPolicy`.
    :param classify: ``classify(exc) -> Classification``; it must not raise.
    :param reauthenticate: called with no argument on a REAUTH verdict;
        returns True when the next attempt will carry a new token. None
        means the token cannot be renewed.
    :param budget: an object with ``try_spend() -> bool`` (may a retry be
        made?) and ``deposit()`` (a call succeeded), shared by every call
        to the service; None for no budget.
    :param clock: a monotonic clock in seconds.
    :param sleep: sleeps for the given seconds.
    :param rng: the :class:`random.Random` that draws jitter.
    """

    service: str
    policy: policy_mod.RetryPolicy
    classify: typing.Callable[[BaseException], verdicts.Classification]
    reauthenticate: typing.Callable[[], bool] | None = None
    budget: typing.Any = None
    clock: typing.Callable[[], float] = time.monotonic
    sleep: typing.Callable[[float], None] = time.sleep
    rng: random.Random = _RNG

    def call(self, operation, func, args=(), kwargs=None):
        """Call ``func(*args, **kwargs)`` under ``operation``'s policy.

        :param operation: the
            :class:`~heat_retry_plugins.engine.policy.OperationPolicy`.
        :param func: the callable, typically a python-*client method.
        :param args: its positional arguments.
        :param kwargs: its keyword arguments.
        :returns: what ``func`` returns; None for a ``delete`` whose retry
            found the resource already gone.
        :raises: the ORIGINAL exception of the last attempt when the engine
            gives up, with the attempts in its ``retry_history``
            attribute.
        """
        if kwargs is None:
            kwargs = {}
        started = self.clock()
        try:
            result = func(*args, **kwargs)
        except Exception as exc:
            return self._retry(operation, func, args, kwargs, exc, started)
        if self.budget is not None:
            self.budget.deposit()
        return result

    def _retry(self, operation, func, args, kwargs, exc, started):
        history = []
        attempt = 1
        delay = None
        reauthenticated = False
        while True:
            found = self.classify(exc)
            elapsed = self.clock() - started
            if (found.not_found and attempt > 1 and
                    operation.not_found_is_done):
                LOG.info('%(service)s %(operation)s: not found on attempt '
                         '%(attempt)d, an earlier attempt did it',
                         {'service': self.service,
                          'operation': _operation_name(operation, func),
                          'attempt': attempt})
                return None
            reason, delay = self._next_delay(operation, found, attempt,
                                             delay, elapsed, reauthenticated)
            history.append(Attempt(attempt, _describe(exc, found),
                                   found.verdict, found.request_id,
                                   elapsed, None if reason else delay))
            if reason is None and found.verdict is Verdict.REAUTH:
                reauthenticated = True
                if not self._reauthenticate():
                    reason = GAVE_UP_NO_REAUTH
            if reason is not None:
                self._give_up(operation, func, exc, found, history, reason,
                              elapsed)
                raise exc
            LOG.warning('Retrying %(service)s %(operation)s in %(delay).2fs '
                        '(attempt %(attempt)d/%(max)d failed: %(error)s, '
                        '%(verdict)s, request %(request_id)s)',
                        {'service': self.service,
                         'operation': _operation_name(operation, func),
                         'delay': delay, 'attempt': attempt,
                         'max': self.policy.max_attempts,
                         'error': history[-1].error,
                         'verdict': found.verdict.value,
                         'request_id': found.request_id or '-'})
            if delay > 0:
                self.sleep(delay)
            attempt += 1
            try:
                result = func(*args, **kwargs)
            except Exception as next_exc:
                exc = next_exc
                continue
            if self.budget is not None:
                self.budget.deposit()
            return result

    def _next_delay(self, operation, found, attempt, previous, elapsed,
                    reauthenticated):
        """Return (reason to give up or None, delay before the next try)."""
        verdict = found.verdict
        if verdict is Verdict.FATAL:
            return GAVE_UP_FATAL, None
        if verdict is Verdict.REAUTH and reauthenticated:
            return GAVE_UP_REAUTH, None
        if (verdict is Verdict.AMBIGUOUS and
                operation.on_ambiguous is not OnAmbiguous.RETRY):
            # NOTE: reconciling creates by name is not built yet; until it
            # is, a create whose request may have been processed is never
            # sent again (that is how duplicates are made).
            return GAVE_UP_UNSAFE, None
        if attempt >= self.policy.max_attempts:
            return GAVE_UP_ATTEMPTS, None
        if verdict is Verdict.REAUTH:
            delay = 0.0
        else:
            delay = backoff.backoff_delay(self.policy, attempt, previous,
                                          self.rng)
            if found.retry_after is not None:
                delay = min(self.policy.max_delay,
                            max(delay, found.retry_after))
        if elapsed + delay >= self.policy.deadline:
            return GAVE_UP_DEADLINE, None
        if self.budget is not None and not self.budget.try_spend():
            return GAVE_UP_BUDGET, None
        return None, delay

    def _reauthenticate(self):
        if self.reauthenticate is None:
            return False
        try:
            return bool(self.reauthenticate())
        except Exception as exc:
            LOG.warning('%(service)s: re-authentication failed: %(error)s',
                        {'service': self.service,
                         'error': type(exc).__name__})
            return False

    def _give_up(self, operation, func, exc, found, history, reason,
                 elapsed):
        exc.retry_history = tuple(history)
        attempts = len(history)
        if hasattr(exc, 'add_note'):
            exc.add_note('heat-retry-plugins: %s %s gave up after %d '
                         'attempt(s): %s' % (self.service,
                                             _operation_name(operation,
                                                             func),
                                             attempts, reason))
        if attempts == 1 and reason == GAVE_UP_FATAL:
            # NOTE: a first-time 404 or 409 is an answer, not a failure of
            # this layer (Heat probes with it); it is not worth a WARNING.
            return
        LOG.warning('Giving up on %(service)s %(operation)s after '
                    '%(attempts)d attempt(s) in %(elapsed).2fs: %(reason)s '
                    '(last error: %(error)s, %(verdict)s, request '
                    '%(request_id)s)',
                    {'service': self.service,
                     'operation': _operation_name(operation, func),
                     'attempts': attempts, 'elapsed': elapsed,
                     'reason': reason, 'error': history[-1].error,
                     'verdict': found.verdict.value,
                     'request_id': found.request_id or '-'})


def _operation_name(operation, func):
    name = getattr(func, '__qualname__', None) or type(func).__name__
    return '%s [%s]' % (name, operation.name)


def _describe(exc, found):
    # NOTE: only the class name and the status: an exception's message can
    # quote a request body, and request bodies carry passwords and keys.
    if found.status:
        return '%s (HTTP %d)' % (type(exc).__name__, found.status)
    return type(exc).__name__

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
from heat_retry_plugins.engine import reconcile
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
GAVE_UP_BREAKER = 'the circuit breaker opened'
GAVE_UP_LOOKUP = ('the lookup of what the lost create made failed, so it '
                  'is not safe to repeat')

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
    :param wall_clock: the time of day in POSIX seconds, compared with the
        creation time of a resource found by reconciliation.
    :param rng: the :class:`random.Random` that draws jitter.
    :param breaker: the service's
        :class:`~heat_retry_plugins.engine.guards.CircuitBreaker`, or None.
    """

    service: str
    policy: policy_mod.RetryPolicy
    classify: typing.Callable[[BaseException], verdicts.Classification]
    reauthenticate: typing.Callable[[], bool] | None = None
    budget: typing.Any = None
    clock: typing.Callable[[], float] = time.monotonic
    sleep: typing.Callable[[float], None] = time.sleep
    wall_clock: typing.Callable[[], float] = time.time
    rng: random.Random = _RNG
    breaker: typing.Any = None

    def call(self, operation: policy_mod.OperationPolicy,
             func: typing.Callable[..., typing.Any],
             args: typing.Sequence[typing.Any] = (),
             kwargs: dict[str, typing.Any] | None = None,
             reconciler: 'reconcile.Reconciler | None' = None
             ) -> typing.Any:
        """Call ``func(*args, **kwargs)`` under ``operation``'s policy.

        :param operation: the
            :class:`~heat_retry_plugins.engine.policy.OperationPolicy`.
        :param func: the callable, typically a python-*client method.
        :param args: its positional arguments.
        :param kwargs: its keyword arguments.
        :param reconciler: for ``create`` and ``create_cleanup``, the
            :class:`~heat_retry_plugins.engine.reconcile.Reconciler` that
            finds what a lost attempt made; without one, an AMBIGUOUS
            failure of a create is raised.
        :returns: what ``func`` returns; the adopted resource of a create
            whose response was lost; None for a ``delete`` whose retry found
            the resource already gone.
        :raises: the ORIGINAL exception of the last attempt when the engine
            gives up, with the attempts in its ``retry_history`` attribute;
            :class:`~heat_retry_plugins.engine.reconcile.ReconcileError`
            (from that exception) when a lost create cannot be reconciled;
            :class:`~heat_retry_plugins.engine.guards.CircuitOpen`, without
            calling ``func``, while the service's breaker is open.
        """
        if kwargs is None:
            kwargs = {}
        breaker = self.breaker
        if breaker is not None:
            breaker.before_call()
        started = self.clock()
        try:
            result = func(*args, **kwargs)
        except Exception as exc:
            return _Call(self, operation, func, args, kwargs, reconciler,
                         started).after_failure(exc)
        if self.budget is not None:
            self.budget.deposit()
        if breaker is not None:
            breaker.record_success()
        return result

    def remaining(self, started: float) -> 'Retrier':
        """This retrier, with the deadline left of a call that started."""
        left = max(0.0, self.policy.deadline - (self.clock() - started))
        return dataclasses.replace(
            self, policy=dataclasses.replace(self.policy, deadline=left))


class _Call:
    """The state of one call once its first attempt failed."""

    def __init__(self, retrier, operation, func, args, kwargs, reconciler,
                 started):
        self.retrier = retrier
        self.operation = operation
        self.func = func
        self.args = args
        self.kwargs = kwargs
        self.reconciler = reconciler
        self.started = started
        self.started_wall = retrier.wall_clock() - (retrier.clock() -
                                                    started)
        self.history = []
        self.attempt = 1
        self.delay = None
        self.reauthenticated = False
        self.ambiguous = False

    @property
    def name(self):
        return _operation_name(self.operation, self.func)

    def after_failure(self, exc):
        retrier = self.retrier
        while True:
            found = retrier.classify(exc)
            if retrier.breaker is not None:
                if found.verdict in _SERVICE_UNWELL:
                    retrier.breaker.record_failure()
                else:
                    retrier.breaker.record_success()
            if (found.not_found and self.attempt > 1 and
                    self.operation.not_found_is_done):
                LOG.info('%(service)s %(operation)s: not found on attempt '
                         '%(attempt)d, an earlier attempt did it',
                         {'service': retrier.service,
                          'operation': self.name, 'attempt': self.attempt})
                return None
            if self._must_reconcile(found):
                adopted = self._reconcile(exc, found)
                if adopted is not _NOTHING:
                    return adopted
                reason = None
            else:
                reason = self._refusal(found)
            self.ambiguous |= found.verdict is Verdict.AMBIGUOUS
            elapsed = retrier.clock() - self.started
            if reason is None:
                reason, self.delay = self._next_delay(found, elapsed)
            self.history.append(Attempt(
                self.attempt, _describe(exc, found), found.verdict,
                found.request_id, elapsed, None if reason else self.delay))
            if reason is None and found.verdict is Verdict.REAUTH:
                self.reauthenticated = True
                if not self._reauthenticate():
                    reason = GAVE_UP_NO_REAUTH
            if reason is not None:
                self._give_up(exc, found, reason, elapsed)
                raise exc
            LOG.warning('Retrying %(service)s %(operation)s in %(delay).2fs '
                        '(attempt %(attempt)d/%(max)d failed: %(error)s, '
                        '%(verdict)s, request %(request_id)s)',
                        {'service': retrier.service, 'operation': self.name,
                         'delay': self.delay, 'attempt': self.attempt,
                         'max': retrier.policy.max_attempts,
                         'error': self.history[-1].error,
                         'verdict': found.verdict.value,
                         'request_id': found.request_id or '-'})
            if self.delay > 0:
                retrier.sleep(self.delay)
            if (retrier.breaker is not None and
                    retrier.breaker.state is not retrier.breaker.CLOSED):
                self._give_up(exc, found, GAVE_UP_BREAKER,
                              retrier.clock() - self.started)
                raise exc
            self.attempt += 1
            try:
                result = self.func(*self.args, **self.kwargs)
            except Exception as next_exc:
                exc = next_exc
                continue
            if retrier.budget is not None:
                retrier.budget.deposit()
            if retrier.breaker is not None:
                retrier.breaker.record_success()
            return result

    def _must_reconcile(self, found):
        """Is this a create that may have made its resource?"""
        if self.operation.on_ambiguous not in policy_mod.RECONCILING:
            return False
        if found.verdict is Verdict.AMBIGUOUS:
            return True
        # NOTE: a 409 after an ambiguous attempt is that attempt's work.
        return found.conflict and self.ambiguous

    def _refusal(self, found):
        """Return why ``found`` may not be retried at all, or None."""
        verdict = found.verdict
        if verdict is Verdict.FATAL:
            return GAVE_UP_FATAL
        if verdict is Verdict.REAUTH and self.reauthenticated:
            return GAVE_UP_REAUTH
        if (verdict is Verdict.AMBIGUOUS and
                self.operation.on_ambiguous is not OnAmbiguous.RETRY):
            return GAVE_UP_UNSAFE
        return None

    def _next_delay(self, found, elapsed):
        """Return (reason to give up or None, delay before the next try)."""
        retrier = self.retrier
        policy = retrier.policy
        if self.attempt >= policy.max_attempts:
            return GAVE_UP_ATTEMPTS, None
        if found.verdict is Verdict.REAUTH:
            delay = 0.0
        else:
            delay = backoff.backoff_delay(policy, self.attempt, self.delay,
                                          retrier.rng)
            if found.retry_after is not None:
                delay = min(policy.max_delay, max(delay, found.retry_after))
        if elapsed + delay >= policy.deadline:
            return GAVE_UP_DEADLINE, None
        if retrier.budget is not None and not retrier.budget.try_spend():
            return GAVE_UP_BUDGET, None
        return None, delay

    def _reconcile(self, exc, found):
        """Adopt what the lost attempt made, or clear the way to resend.

        :returns: the adopted resource, or ``_NOTHING`` to send the create
            again.
        :raises: the original exception when there is no way to reconcile;
            ReconcileError when reconciling would mean guessing.
        """
        reconciler = self.reconciler
        name = reconciler.name(self.args, self.kwargs) if reconciler else None
        if name is None:
            self._give_up(exc, found, GAVE_UP_UNSAFE,
                          self.retrier.clock() - self.started)
            raise exc
        within = self.retrier.remaining(self.started)
        try:
            matches = within.call(policy_mod.DEFAULT, reconciler.find, (name,))
        except Exception:
            # NOTE: what matters to the caller is that the create failed;
            # the lookup's own failure is in the log.
            self._give_up(exc, found, GAVE_UP_LOOKUP,
                          self.retrier.clock() - self.started)
            raise exc
        matches = list(matches)
        if len(matches) > 1:
            raise reconcile.ReconcileError(
                reconciler.kind, name, matches,
                '%d of them exist' % len(matches)) from exc
        if matches:
            created = reconciler.created_at(matches[0])
            if (created is not None and
                    created < self.started_wall - reconcile.CLOCK_SLACK):
                raise reconcile.ReconcileError(
                    reconciler.kind, name, matches,
                    'the one that exists predates this create') from exc
        if not matches:
            return _NOTHING
        resource = matches[0]
        if (self.operation.on_ambiguous is OnAmbiguous.RECONCILE and
                reconciler.adoptable(self.args, self.kwargs)):
            self._log_reconciled('Adopted', reconciler, name, resource)
            if self.retrier.budget is not None:
                self.retrier.budget.deposit()
            return resource
        within.call(policy_mod.DELETE, reconciler.delete, (resource,))
        self._await_gone(within, reconciler, name, resource, exc)
        self._log_reconciled('Deleted', reconciler, name, resource)
        return _NOTHING

    def _await_gone(self, within, reconciler, name, resource, exc):
        retry = 0
        delay = None
        while not within.call(policy_mod.DEFAULT, reconciler.is_gone,
                              (resource,)):
            retry += 1
            delay = backoff.backoff_delay(within.policy, retry, delay,
                                          within.rng)
            if (self.retrier.clock() - self.started + delay >=
                    self.retrier.policy.deadline):
                raise reconcile.ReconcileError(
                    reconciler.kind, name, [resource],
                    'it was deleted but is not gone before the '
                    'deadline') from exc
            within.sleep(delay)

    def _log_reconciled(self, action, reconciler, name, resource):
        LOG.warning('%(action)s %(service)s %(kind)s %(name)s (%(id)s) that '
                    'the lost attempt %(attempt)d of %(operation)s made',
                    {'action': action, 'service': self.retrier.service,
                     'kind': reconciler.kind, 'name': name,
                     'id': reconciler.identify(resource),
                     'attempt': self.attempt, 'operation': self.name})

    def _reauthenticate(self):
        retrier = self.retrier
        if retrier.reauthenticate is None:
            return False
        try:
            return bool(retrier.reauthenticate())
        except Exception as exc:
            LOG.warning('%(service)s: re-authentication failed: %(error)s',
                        {'service': retrier.service,
                         'error': type(exc).__name__})
            return False

    def _give_up(self, exc, found, reason, elapsed):
        history = self.history
        if not history or history[-1].number != self.attempt:
            history.append(Attempt(self.attempt, _describe(exc, found),
                                   found.verdict, found.request_id,
                                   elapsed, None))
        exc.retry_history = tuple(history)
        attempts = len(history)
        if hasattr(exc, 'add_note'):
            exc.add_note('heat-retry-plugins: %s %s gave up after %d '
                         'attempt(s): %s' % (self.retrier.service, self.name,
                                             attempts, reason))
        if attempts == 1 and reason == GAVE_UP_FATAL:
            # NOTE: a first-time 404 or 409 is an answer, not a failure of
            # this layer (Heat probes with it); it is not worth a WARNING.
            return
        LOG.warning('Giving up on %(service)s %(operation)s after '
                    '%(attempts)d attempt(s) in %(elapsed).2fs: %(reason)s '
                    '(last error: %(error)s, %(verdict)s, request '
                    '%(request_id)s)',
                    {'service': self.retrier.service, 'operation': self.name,
                     'attempts': attempts, 'elapsed': elapsed,
                     'reason': reason, 'error': history[-1].error,
                     'verdict': found.verdict.value,
                     'request_id': found.request_id or '-'})


_NOTHING = object()
_SERVICE_UNWELL = (Verdict.TRANSIENT, Verdict.AMBIGUOUS, Verdict.THROTTLED)


def _operation_name(operation, func):
    name = getattr(func, '__qualname__', None) or type(func).__name__
    return '%s [%s]' % (name, operation.name)


def _describe(exc, found):
    # NOTE: only the class name and the status: an exception's message can
    # quote a request body, and request bodies carry passwords and keys.
    if found.status:
        return '%s (HTTP %d)' % (type(exc).__name__, found.status)
    return type(exc).__name__

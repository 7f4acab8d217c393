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

:class:`Retrier` makes the attempts of one call and carries out what
:func:`heat_retry_plugins.retry.decision.decide` says after each failure:
it is a function of a
:class:`~heat_retry_plugins.retry.policies.RetryPolicy` (the numbers), an
:class:`~heat_retry_plugins.retry.policies.OperationPolicy` (what is safe),
a classifier (what a failure means), the guards, and an injectable clock
and sleep. It knows nothing of Heat, oslo.config or any client library.
"""

import dataclasses
import functools
import random
import time
import typing

from oslo_log import log as logging

from heat_retry_plugins.retry import backoff
from heat_retry_plugins.retry import breaker as breaker_mod
from heat_retry_plugins.retry import decision
from heat_retry_plugins.retry import errors
from heat_retry_plugins.retry import policies
from heat_retry_plugins.retry import reconcile
from heat_retry_plugins.retry import verdicts

LOG = logging.getLogger(__name__)

Verdict = verdicts.Verdict

_RNG = random.Random()
_UNWELL = (Verdict.TRANSIENT, Verdict.AMBIGUOUS)
_RESEND = object()


@dataclasses.dataclass(frozen=True)
class Attempt:
    """One failed attempt of a call, as kept in the history.

    :param number: 1 for the first attempt.
    :param error: the exception's class name and HTTP status.
    :param verdict: the :class:`~heat_retry_plugins.retry.verdicts.Verdict`.
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
    :param policy: the :class:`~heat_retry_plugins.retry.policies.RetryPolicy`.
    :param classify: ``classify(exc) -> Classification``; it must not raise.
    :param reauthenticate: called with no argument on a REAUTH verdict;
        returns True when the next attempt will carry a new token. None
        means the token cannot be renewed.
    :param budget: the service's
        :class:`~heat_retry_plugins.retry.budget.RetryBudget`, spent by
        retries and refilled by successes; None for no budget.
    :param breaker: the service's
        :class:`~heat_retry_plugins.retry.breaker.CircuitBreaker`, or None.
    :param throttle: the calling project's RetryBudget, spent instead of
        ``budget`` by the retries of THROTTLED failures; None to spend
        ``budget``.
    :param clock: a monotonic clock in seconds.
    :param sleep: sleeps for the given seconds.
    :param rng: the :class:`random.Random` that draws jitter.
    """

    service: str
    policy: policies.RetryPolicy
    classify: typing.Callable[[BaseException], verdicts.Classification]
    reauthenticate: typing.Callable[[], bool] | None = None
    budget: typing.Any = None
    breaker: typing.Any = None
    throttle: typing.Any = None
    clock: typing.Callable[[], float] = time.monotonic
    sleep: typing.Callable[[float], None] = time.sleep
    rng: random.Random = _RNG

    def call(self, operation: policies.OperationPolicy,
             func: typing.Callable[..., typing.Any],
             args: typing.Sequence[typing.Any] = (),
             kwargs: dict[str, typing.Any] | None = None,
             reconciler: 'reconcile.Reconciler | None' = None,
             label: str | None = None) -> typing.Any:
        """Call ``func(*args, **kwargs)`` under ``operation``'s policy.

        :param operation: the
            :class:`~heat_retry_plugins.retry.policies.OperationPolicy`.
        :param func: the callable: a python-*client method, or one HTTP
            request of the request layer.
        :param args: its positional arguments.
        :param kwargs: its keyword arguments.
        :param reconciler: for ``create`` and ``create_cleanup``, the
            :class:`~heat_retry_plugins.retry.reconcile.Reconciler` of the
            call's marked create; without one, an AMBIGUOUS failure of a
            create is raised.
        :param label: what is called, for log lines (``POST /servers``);
            the function's name by default.
        :returns: what ``func`` returns; the adopted resource of a create
            whose response was lost; None for a ``delete`` whose retry found
            the resource already gone.
        :raises: the ORIGINAL exception of the last attempt when the engine
            gives up, with the attempts in its ``retry_history`` attribute;
            :class:`~heat_retry_plugins.retry.errors.ReconcileError` (from
            that exception) when a lost create cannot be reconciled;
            :class:`~heat_retry_plugins.retry.errors.CircuitOpen`, without
            calling ``func``, while the service's breaker is open.
        """
        attempt = functools.partial(func, *args, **(kwargs or {}))
        call = _Call(self, operation, reconciler, label, func)
        permit = _admit(self.breaker)
        call.started = self.clock()
        try:
            ok, result, found = _try(self, permit, attempt)
            if ok:
                return call.succeeded(result)
            # NOTE: most calls succeed at once; only a failure pays for
            # the loop below.
            return call.after_failure(attempt, result, found)
        except BaseException:
            call.interrupted()
            raise

    def remaining(self, started: float) -> 'Retrier':
        """This retrier, with the deadline left of a call that started."""
        return self.within(self.policy.deadline - (self.clock() - started))

    def within(self, seconds: float) -> 'Retrier':
        """This retrier, with a deadline of at most ``seconds``."""
        left = max(0.0, min(seconds, self.policy.deadline))
        return dataclasses.replace(
            self, policy=dataclasses.replace(self.policy, deadline=left))


class _Call:
    """The attempts of one call, carrying out the decisions."""

    __slots__ = ('retrier', 'operation', 'reconciler', 'label', 'func',
                 'history', 'attempt', 'previous_delay', 'reauthenticated',
                 'lost_attempts', 'started', 'over')

    def __init__(self, retrier, operation, reconciler, label, func):
        self.retrier = retrier
        self.operation = operation
        self.reconciler = reconciler
        self.label = label
        self.func = func
        self.history = []
        self.attempt = 1
        self.previous_delay = None
        self.reauthenticated = False
        self.lost_attempts = 0
        self.started = None
        #: True once the call succeeded or gave up: its reconciler knows.
        self.over = False

    @property
    def name(self):
        return '%s [%s]' % (self.label or _name(self.func),
                            self.operation.name)

    def after_failure(self, attempt, error, found):
        """Carry out the decisions after the first attempt failed."""
        retrier = self.retrier
        while True:
            reconciler = self.reconciler
            step = decision.decide(
                retrier.policy, self.operation, self._state(), found,
                retrier.rng, can_reconcile=reconciler is not None,
                conflicts=(reconciler.conflict_statuses if reconciler
                           else decision.CONFLICT_STATUSES))
            if isinstance(step, decision.Done):
                LOG.info('%(service)s %(operation)s: not found on attempt '
                         '%(attempt)d, an earlier attempt did it',
                         self._log_args())
                return None
            if isinstance(step, decision.Reconcile):
                outcome = self._reconcile(error, found)
                if outcome is not _RESEND:
                    return outcome
                step = decision.schedule(retrier.policy, self._state(),
                                         found, retrier.rng)
            permit = self._prepare_retry(error, found, step)
            # NOTE: after the decision: a 409 is judged by the attempts
            # before it, and only a lost attempt makes the next ones so.
            if found.verdict is Verdict.AMBIGUOUS:
                self.lost_attempts += 1
            self.attempt += 1
            ok, outcome, found = _try(retrier, permit, attempt)
            if ok:
                return self.succeeded(outcome)
            error = outcome

    def _state(self):
        return decision.CallState(
            attempt=self.attempt,
            elapsed=self.retrier.clock() - self.started,
            previous_delay=self.previous_delay,
            reauthenticated=self.reauthenticated,
            lost=self.lost_attempts > 0)

    def succeeded(self, result):
        self.over = True
        retrier = self.retrier
        for budget in (retrier.budget, retrier.throttle):
            if budget is not None:
                budget.deposit()
        if self.reconciler is not None and self.lost_attempts:
            self.reconciler.settled(result, self.lost_attempts)
        return result

    def _prepare_retry(self, error, found, step):
        """Spend, renew and sleep for a Retry; raise ``error`` otherwise."""
        if isinstance(step, decision.GiveUp):
            self._give_up(error, found, step.reason)
        if not self._spend(found):
            self._give_up(error, found, decision.GAVE_UP_BUDGET)
        if step.reauthenticate:
            self.reauthenticated = True
            if not self._reauthenticate():
                self._give_up(error, found, decision.GAVE_UP_NO_REAUTH)
        self._remember(error, found, step.delay)
        LOG.warning('Retrying %(service)s %(operation)s in %(delay).2fs '
                    '(attempt %(attempt)d/%(max)d failed: %(error)s, '
                    '%(verdict)s, request %(request_id)s)',
                    dict(self._log_args(), delay=step.delay,
                         max=self.retrier.policy.max_attempts,
                         error=self.history[-1].error,
                         verdict=found.verdict.value,
                         request_id=found.request_id or '-'))
        if step.delay > 0:
            self.retrier.sleep(step.delay)
        self.previous_delay = step.delay
        breaker = self.retrier.breaker
        permit = (breaker_mod.Permit(None, probe=False) if breaker is None
                  else breaker.admit_retry())
        if permit is None:
            self._give_up(error, found, decision.GAVE_UP_BREAKER)
        return permit

    def _spend(self, found):
        retrier = self.retrier
        budget = retrier.budget
        if found.verdict is Verdict.THROTTLED and retrier.throttle is not None:
            budget = retrier.throttle
        return budget is None or budget.try_spend()

    def _reconcile(self, error, found):
        """Adopt what the lost attempt made, or clear the way to resend.

        :returns: the adopted response, or ``_RESEND``.
        :raises: ``error`` when the lookup fails or the name is not ours.
        """
        reconciler = self.reconciler
        within = self.retrier.remaining(self.started)
        try:
            matches = within.call(policies.DEFAULT, reconciler.find,
                                  label='find %s' % reconciler.kind)
        except Exception:
            # NOTE: what matters to the caller is that the create failed;
            # the lookup's own failure is in the log.
            self._give_up(error, found, decision.GAVE_UP_LOOKUP)
        adopt = self.operation.on_ambiguous is policies.OnAmbiguous.RECONCILE
        judged = reconcile.judge(reconciler, matches, adopt=adopt)
        if isinstance(judged, reconcile.Resend):
            if found.status in reconciler.conflict_statuses:
                self._give_up(error, found, decision.GAVE_UP_NOT_OURS)
            return _RESEND
        if isinstance(judged, reconcile.Cleanup):
            for resource in judged.resources:
                self._delete(within, resource, 'Deleted', error)
            return _RESEND
        for resource in judged.extra:
            self._delete(within, resource, 'Deleted the duplicate', error)
        self._log_reconciled('Adopted', judged.resource)
        self.lost_attempts += found.verdict is Verdict.AMBIGUOUS
        return self.succeeded(reconciler.respond(judged.resource))

    def _delete(self, within, resource, action, error):
        reconciler = self.reconciler
        within.call(policies.DELETE, reconciler.delete, (resource,),
                    label='delete %s' % reconciler.kind)
        retry, delay = 0, None
        while not within.call(policies.DEFAULT, reconciler.is_gone,
                              (resource,), label='find %s' % reconciler.kind):
            retry += 1
            delay = backoff.backoff_delay(within.policy, retry, delay,
                                          within.rng)
            if (self.retrier.clock() - self.started + delay >=
                    self.retrier.policy.deadline):
                raise errors.ReconcileError(
                    reconciler.kind, reconciler.name,
                    [reconciler.identify(resource)],
                    'it was deleted but is not gone before the '
                    'deadline') from error
            within.sleep(delay)
        self._log_reconciled(action, resource)

    def _log_reconciled(self, action, resource):
        reconciler = self.reconciler
        LOG.warning('%(action)s %(service)s %(kind)s %(name)s (%(id)s) that '
                    'a lost attempt of %(operation)s made',
                    dict(self._log_args(), action=action,
                         kind=reconciler.kind, name=reconciler.name,
                         id=reconciler.identify(resource)))

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

    def _remember(self, error, found, delay):
        self.history.append(Attempt(
            self.attempt, _describe(error, found), found.verdict,
            found.request_id, self.retrier.clock() - self.started, delay))

    def interrupted(self):
        """The call ends by what no decision of it raised.

        A greenthread killed in a backoff or an attempt (``GreenletExit``,
        Heat cancelling the resource), a cleanup that failed, a bug: the
        caller gets no id, so what a lost attempt made is nobody's. The
        attempt cut short counts as lost, as it may have been sent.
        """
        if not self.over:
            self._abandon(self.lost_attempts + 1)

    def _abandon(self, lost):
        """End the call; tell its reconciler of ``lost`` attempts, if any."""
        self.over = True
        if self.reconciler is None or not lost:
            return
        try:
            self.reconciler.abandoned(lost)
        except Exception as exc:
            # NOTE: what ended the call (its error, a GreenletExit, a
            # SystemExit at shutdown, where no thread starts) is what the
            # caller gets.
            LOG.warning('%(service)s %(operation)s: cannot sweep what its '
                        'lost attempts made: %(error)s',
                        dict(self._log_args(), error=type(exc).__name__))

    def _give_up(self, error, found, reason):
        """Attach the history, log why, and raise ``error``."""
        self._abandon(self.lost_attempts +
                      (found.verdict is Verdict.AMBIGUOUS))
        if found.settled:
            # NOTE: the inner loop that settled it logged it and attached
            # its own history, which says more than ours.
            raise error
        self._remember(error, found, None)
        error.retry_history = tuple(self.history)
        attempts = len(self.history)
        if hasattr(error, 'add_note'):
            error.add_note('heat-retry-plugins: %s %s gave up after %d '
                           'attempt(s): %s' % (self.retrier.service,
                                               self.name, attempts, reason))
        if attempts > 1 or reason != decision.GAVE_UP_FATAL:
            # NOTE: a first-time 404 or 409 is an answer, not a failure of
            # this layer (Heat probes with it); it is not worth a WARNING.
            LOG.warning('Giving up on %(service)s %(operation)s after '
                        '%(attempts)d attempt(s) in %(elapsed).2fs: '
                        '%(reason)s (last error: %(error)s, %(verdict)s, '
                        'request %(request_id)s)',
                        dict(self._log_args(), attempts=attempts,
                             elapsed=self.history[-1].elapsed,
                             reason=reason, error=self.history[-1].error,
                             verdict=found.verdict.value,
                             request_id=found.request_id or '-'))
        raise error

    def _log_args(self):
        return {'service': self.retrier.service, 'operation': self.name,
                'attempt': self.attempt}


def _try(retrier, permit, attempt):
    """Make one attempt under its permit.

    :returns: ``(True, result, None)`` or ``(False, error, found)``.
    """
    with permit:
        try:
            result = attempt()
        except Exception as exc:
            found = retrier.classify(exc)
            _record(permit, found)
            return False, exc, found
        permit.answered()
        return True, result, None


def _admit(breaker):
    if breaker is None:
        return breaker_mod.Permit(None, probe=False)
    return breaker.admit()


def _record(permit, found):
    """Tell the breaker what a failed attempt says about the service."""
    if found.settled:
        permit.neutral()
    elif found.verdict in _UNWELL:
        permit.failed()
    else:
        # NOTE: a 4xx, a 401 and a 429 are answers: the service is up. A
        # 429 belongs to the project that got it and never opens the
        # breaker.
        permit.answered()


def _name(func):
    return getattr(func, '__qualname__', None) or type(func).__name__


def _describe(exc, found):
    # NOTE: only the class name and the status: an exception's message can
    # quote a request body, and request bodies carry passwords and keys.
    name = getattr(exc, 'log_name', None) or type(exc).__name__
    if found.status:
        return '%s (HTTP %d)' % (name, found.status)
    return name

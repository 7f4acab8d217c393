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

"""The retry decision, as a pure function.

:func:`decide` looks at one failed attempt and the state of its call and
returns what to do next: give up (and why), retry after a delay, reconcile
a create that may have been made, or stop because a delete's retry found
the work done. It sends nothing, sleeps not and spends no budget: the loop
in :mod:`heat_retry_plugins.retry.retrying` carries the step out.
"""

import dataclasses
import random
import typing

from heat_retry_plugins.retry import backoff
from heat_retry_plugins.retry import policies
from heat_retry_plugins.retry import verdicts

Verdict = verdicts.Verdict
OnAmbiguous = policies.OnAmbiguous

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
GAVE_UP_SETTLED = 'an inner retry loop already gave up on this failure'
GAVE_UP_NOT_OURS = ('the name is taken by a resource that does not carry '
                    "this call's ownership token")


@dataclasses.dataclass(frozen=True)
class CallState:
    """What the decision needs to know of a call after a failed attempt.

    :param attempt: the number of the attempt that failed, 1 for the first.
    :param elapsed: seconds since the first attempt started.
    :param previous_delay: the delay slept before this attempt, or None.
    :param reauthenticated: a REAUTH already renewed the token once.
    :param lost: an earlier attempt failed AMBIGUOUSLY (a create may have
        been made by it).
    """

    attempt: int
    elapsed: float
    previous_delay: float | None = None
    reauthenticated: bool = False
    lost: bool = False


@dataclasses.dataclass(frozen=True)
class GiveUp:
    """Raise the original exception.

    :param reason: one of the ``GAVE_UP_*`` strings.
    """

    reason: str


@dataclasses.dataclass(frozen=True)
class Retry:
    """Make the next attempt after ``delay`` seconds.

    :param delay: seconds to sleep first.
    :param reauthenticate: renew the token first.
    """

    delay: float
    reauthenticate: bool = False


@dataclasses.dataclass(frozen=True)
class Reconcile:
    """Look up what an earlier attempt of a create may have made."""


@dataclasses.dataclass(frozen=True)
class Done:
    """A delete's retry met a 404: an earlier attempt did the work."""


#: The statuses that, after a lost attempt, may be that attempt's work: a
#: name unique per project or domain now exists.
CONFLICT_STATUSES = frozenset([409])


def decide(policy: policies.RetryPolicy,
           operation: policies.OperationPolicy,
           state: CallState, found: verdicts.Classification,
           rng: random.Random, can_reconcile: bool = False,
           conflicts: typing.Collection[int] = CONFLICT_STATUSES
           ) -> GiveUp | Retry | Reconcile | Done:
    """Decide what follows a failed attempt.

    :param policy: the service's numbers.
    :param operation: what is safe to repeat.
    :param state: the :class:`CallState` after the failed attempt.
    :param found: the failure's classification.
    :param rng: draws the jitter.
    :param can_reconcile: the call has a reconciler for its create.
    :param conflicts: the statuses that, after a lost attempt, are
        reconciled: the create's service answers them when what the lost
        attempt made is in the way (409; Neutron's overlapping subnet and
        Nova's attached volume answer 400).
    :returns: :class:`GiveUp`, :class:`Retry`, :class:`Reconcile` or
        :class:`Done`.
    """
    if found.settled:
        return GiveUp(GAVE_UP_SETTLED)
    if (found.not_found and state.attempt > 1 and
            operation.not_found_is_done):
        return Done()
    if must_reconcile(operation, state, found, can_reconcile, conflicts):
        return Reconcile()
    reason = refusal(operation, state, found)
    if reason is not None:
        return GiveUp(reason)
    return schedule(policy, state, found, rng)


def must_reconcile(operation, state, found, can_reconcile,
                   conflicts=CONFLICT_STATUSES):
    """Is this the failure of a create that may have made its resource?"""
    if operation.on_ambiguous not in policies.RECONCILING:
        return False
    if found.verdict is Verdict.AMBIGUOUS:
        return can_reconcile
    # NOTE: a conflict after a lost attempt may be that attempt's work.
    return found.status in conflicts and state.lost and can_reconcile


def refusal(operation, state, found):
    """Return why ``found`` may not be retried at all, or None."""
    verdict = found.verdict
    if verdict is Verdict.FATAL:
        return GAVE_UP_FATAL
    if verdict is Verdict.REAUTH and state.reauthenticated:
        return GAVE_UP_REAUTH
    if verdict is Verdict.AMBIGUOUS and (
            operation.on_ambiguous is not OnAmbiguous.RETRY or
            not found.repeatable):
        return GAVE_UP_UNSAFE
    return None


def schedule(policy: policies.RetryPolicy, state: CallState,
             found: verdicts.Classification,
             rng: random.Random) -> GiveUp | Retry:
    """Return the next attempt's delay, or why there is none.

    Used by :func:`decide`, and by the loop to resend a create that a
    lookup did not find.
    """
    if state.attempt >= policy.max_attempts:
        return GiveUp(GAVE_UP_ATTEMPTS)
    if found.verdict is Verdict.REAUTH:
        delay = 0.0
    else:
        delay = backoff.backoff_delay(policy, state.attempt,
                                      state.previous_delay, rng)
        if found.retry_after is not None:
            delay = min(policy.max_delay, max(delay, found.retry_after))
    if state.elapsed + delay >= policy.deadline:
        return GiveUp(GAVE_UP_DEADLINE)
    return Retry(delay, reauthenticate=found.verdict is Verdict.REAUTH)

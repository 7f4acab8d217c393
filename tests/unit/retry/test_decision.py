"""The retry decision as a table: failure, attempt, elapsed -> step."""

import random

import pytest

from heat_retry_plugins.retry import decision
from heat_retry_plugins.retry import policies
from heat_retry_plugins.retry import verdicts

V = verdicts.Verdict
C = verdicts.Classification
POLICY = policies.RetryPolicy(max_attempts=3, initial_delay=1.0,
                              max_delay=8.0, multiplier=2.0,
                              jitter='none', deadline=30.0)
D = decision


def state(attempt=1, elapsed=0.0, **kwargs):
    return decision.CallState(attempt=attempt, elapsed=elapsed, **kwargs)


TABLE = [
    # (operation, classification, state, can_reconcile, expected step)
    ('default', C(V.TRANSIENT, status=503), state(), False, D.Retry(1.0)),
    ('default', C(V.TRANSIENT), state(attempt=2), False, D.Retry(2.0)),
    ('default', C(V.TRANSIENT), state(attempt=3), False,
     D.GiveUp(D.GAVE_UP_ATTEMPTS)),
    ('default', C(V.AMBIGUOUS, status=502), state(), False, D.Retry(1.0)),
    ('delete', C(V.AMBIGUOUS, status=504), state(), False, D.Retry(1.0)),
    ('create', C(V.AMBIGUOUS, status=500), state(), True, D.Reconcile()),
    ('create', C(V.AMBIGUOUS, status=500), state(), False,
     D.GiveUp(D.GAVE_UP_UNSAFE)),
    ('create_cleanup', C(V.AMBIGUOUS), state(), True, D.Reconcile()),
    ('never', C(V.AMBIGUOUS), state(), True, D.GiveUp(D.GAVE_UP_UNSAFE)),
    ('never', C(V.TRANSIENT), state(), False, D.Retry(1.0)),
    ('create', C(V.FATAL, status=409, conflict=True), state(), True,
     D.GiveUp(D.GAVE_UP_FATAL)),
    ('create', C(V.FATAL, status=409, conflict=True),
     state(attempt=2, lost=True), True, D.Reconcile()),
    ('default', C(V.FATAL, status=409, conflict=True),
     state(attempt=2, lost=True), True, D.GiveUp(D.GAVE_UP_FATAL)),
    ('delete', C(V.FATAL, status=404, not_found=True), state(attempt=2),
     False, D.Done()),
    ('delete', C(V.FATAL, status=404, not_found=True), state(), False,
     D.GiveUp(D.GAVE_UP_FATAL)),
    ('default', C(V.FATAL, status=404, not_found=True), state(attempt=2),
     False, D.GiveUp(D.GAVE_UP_FATAL)),
    ('default', C(V.REAUTH, status=401), state(), False,
     D.Retry(0.0, reauthenticate=True)),
    ('default', C(V.REAUTH, status=401), state(reauthenticated=True),
     False, D.GiveUp(D.GAVE_UP_REAUTH)),
    ('default', C(V.THROTTLED, status=429, retry_after=5.0), state(),
     False, D.Retry(5.0)),
    ('default', C(V.THROTTLED, retry_after=500.0), state(), False,
     D.Retry(8.0)),
    ('default', C(V.TRANSIENT, retry_after=0.0), state(attempt=2), False,
     D.Retry(2.0)),
    ('default', C(V.TRANSIENT), state(elapsed=29.5), False,
     D.GiveUp(D.GAVE_UP_DEADLINE)),
    ('default', C(V.THROTTLED, retry_after=8.0), state(elapsed=25.0),
     False, D.GiveUp(D.GAVE_UP_DEADLINE)),
    ('default', C(V.TRANSIENT, settled=True), state(), False,
     D.GiveUp(D.GAVE_UP_SETTLED)),
    ('delete', C(V.FATAL, not_found=True, settled=True), state(attempt=2),
     False, D.GiveUp(D.GAVE_UP_SETTLED)),
    ('default', verdicts.UNKNOWN, state(), False,
     D.GiveUp(D.GAVE_UP_FATAL)),
]


@pytest.mark.parametrize('operation, found, call, can_reconcile, step',
                         TABLE)
def test_decide(operation, found, call, can_reconcile, step):
    assert decision.decide(POLICY, policies.operation_policy(operation),
                           call, found, random.Random(0),
                           can_reconcile=can_reconcile) == step


@pytest.mark.parametrize('status, conflicts, step', [
    (400, frozenset([400, 409]), D.Reconcile()),
    (400, decision.CONFLICT_STATUSES, D.GiveUp(D.GAVE_UP_FATAL)),
    (409, decision.CONFLICT_STATUSES, D.Reconcile())])
def test_a_reconciler_names_the_statuses_a_lost_attempt_may_cause(
        status, conflicts, step):
    assert decision.decide(POLICY, policies.CREATE,
                           state(attempt=2, lost=True), C(V.FATAL,
                                                          status=status),
                           random.Random(0), can_reconcile=True,
                           conflicts=conflicts) == step


def test_the_same_inputs_give_the_same_jittered_delay():
    jittered = policies.RetryPolicy(jitter='full')
    steps = {decision.decide(jittered, policies.DEFAULT, state(),
                             C(V.TRANSIENT), random.Random(7))
             for _ in range(3)}
    assert len(steps) == 1
    (step,) = steps
    assert 0.0 <= step.delay <= jittered.initial_delay

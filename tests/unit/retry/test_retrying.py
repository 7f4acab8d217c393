"""The retry loop: the decisions carried out, with a fake clock.

Every verdict under every policy; the delays, the deadline and
re-authentication; the budget, the throttle and the breaker as the loop
spends and tells them; a lost create reconciled by its token; the log.
"""

import logging
import random

from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
import pytest

from heat_retry_plugins.retry import breaker as breaker_mod
from heat_retry_plugins.retry import decision
from heat_retry_plugins.retry import errors
from heat_retry_plugins.retry import guards
from heat_retry_plugins.retry import policies
from heat_retry_plugins.retry import reconcile
from heat_retry_plugins.retry import verdicts
from tests.unit.retry import fakes

Verdict = verdicts.Verdict
POLICIES = sorted(policies.OPERATION_POLICIES)
NO_JITTER = policies.RetryPolicy(max_attempts=4, initial_delay=1.0,
                                 max_delay=10.0, multiplier=2.0,
                                 jitter='none', deadline=100.0)

# What each policy does with a failure of each verdict: retried or not.
RETRIED = {
    Verdict.FATAL: set(),
    Verdict.REAUTH: set(POLICIES),
    Verdict.THROTTLED: set(POLICIES),
    Verdict.TRANSIENT: set(POLICIES),
    Verdict.AMBIGUOUS: {'default', 'delete'},
}


def run(policy_name, *outcomes, policy=NO_JITTER, **kwargs):
    clock = fakes.FakeClock()
    func = fakes.Script(clock, *outcomes)
    retrier = fakes.make_retrier(policy, clock, **kwargs)
    operation = policies.operation_policy(policy_name)
    return retrier, clock, func, operation


# -- verdicts, policies and attempts ------------------------------------------

@pytest.mark.parametrize('name', POLICIES)
@pytest.mark.parametrize('verdict', list(Verdict))
def test_each_verdict_under_each_policy(name, verdict):
    error = fakes.failure(verdict)
    retrier, clock, func, operation = run(
        name, error, 'ok', reauthenticate=lambda: True)
    if name in RETRIED[verdict]:
        assert retrier.call(operation, func) == 'ok'
        assert func.calls == 2
    else:
        with pytest.raises(fakes.Failure) as raised:
            retrier.call(operation, func)
        assert raised.value is error
        assert func.calls == 1
        assert clock.sleeps == []


def test_success_first_time_makes_one_call_and_no_sleep():
    retrier, clock, func, operation = run('default', 'ok')
    assert retrier.call(operation, func, (1,), {'b': 2}) == 'ok'
    assert func.last_args == ((1,), {'b': 2})
    assert clock.sleeps == []


def test_gives_up_after_max_attempts_with_the_original_exception():
    failed = [fakes.failure(Verdict.TRANSIENT, status=503) for _ in range(4)]
    retrier, clock, func, operation = run('default', *failed)
    with pytest.raises(fakes.Failure) as raised:
        retrier.call(operation, func)
    assert raised.value is failed[-1]
    assert func.calls == 4
    assert clock.sleeps == [1.0, 2.0, 4.0]
    history = raised.value.retry_history
    assert [a.number for a in history] == [1, 2, 3, 4]
    assert [a.delay for a in history] == [1.0, 2.0, 4.0, None]
    assert history[0].error == 'Failure (HTTP 503)'
    assert any(decision.GAVE_UP_ATTEMPTS in n
               for n in raised.value.__notes__)


def test_max_attempts_one_never_retries():
    policy = policies.RetryPolicy(max_attempts=1)
    error = fakes.failure(Verdict.TRANSIENT)
    retrier, clock, func, operation = run('default', error, 'ok',
                                          policy=policy)
    with pytest.raises(fakes.Failure):
        retrier.call(operation, func)
    assert func.calls == 1


# -- delays, Retry-After and the deadline -------------------------------------

def test_delays_are_capped_by_max_delay():
    policy = policies.RetryPolicy(max_attempts=6, initial_delay=3.0,
                                  max_delay=5.0, jitter='none',
                                  deadline=1000)
    failed = [fakes.failure(Verdict.TRANSIENT) for _ in range(5)]
    retrier, clock, func, operation = run('default', *failed, 'ok',
                                          policy=policy)
    assert retrier.call(operation, func) == 'ok'
    assert clock.sleeps == [3.0, 5.0, 5.0, 5.0, 5.0]


def test_retry_after_longer_than_backoff_is_honoured():
    error = fakes.failure(Verdict.THROTTLED, retry_after=7.0, status=429)
    retrier, clock, func, operation = run('default', error, 'ok')
    assert retrier.call(operation, func) == 'ok'
    assert clock.sleeps == [7.0]


def test_retry_after_shorter_than_backoff_keeps_the_backoff():
    error = fakes.failure(Verdict.TRANSIENT, retry_after=0.0, status=503)
    retrier, clock, func, operation = run('default', error, 'ok')
    assert retrier.call(operation, func) == 'ok'
    assert clock.sleeps == [1.0]


def test_retry_after_of_a_day_is_capped_by_max_delay():
    error = fakes.failure(Verdict.THROTTLED, retry_after=86400.0)
    retrier, clock, func, operation = run('default', error, 'ok')
    assert retrier.call(operation, func) == 'ok'
    assert clock.sleeps == [NO_JITTER.max_delay]


def test_a_retry_that_cannot_start_before_the_deadline_is_not_made():
    policy = policies.RetryPolicy(max_attempts=10, initial_delay=1.0,
                                  max_delay=60.0, jitter='none',
                                  deadline=10.0)
    error = fakes.failure(Verdict.THROTTLED, retry_after=30.0)
    retrier, clock, func, operation = run('default', error, 'ok',
                                          policy=policy)
    with pytest.raises(fakes.Failure) as raised:
        retrier.call(operation, func)
    assert clock.sleeps == []
    assert func.calls == 1
    assert any(decision.GAVE_UP_DEADLINE in n
               for n in raised.value.__notes__)


def test_deadline_counts_the_time_spent_in_attempts():
    policy = policies.RetryPolicy(max_attempts=100, initial_delay=1.0,
                                  max_delay=1.0, jitter='none',
                                  deadline=20.0)
    failed = [fakes.failure(Verdict.AMBIGUOUS, cost=4.0) for _ in range(10)]
    retrier, clock, func, operation = run('default', *failed, policy=policy)
    with pytest.raises(fakes.Failure):
        retrier.call(operation, func)
    # Attempts end at 4, 9, 14 and 19 s; a fifth could not start before 20.
    assert func.calls == 4
    assert clock.now - 1000.0 == 19.0


@settings(max_examples=300, deadline=None)
@given(policy=fakes.retry_policies, seed=st.integers(),
       failures=st.lists(st.tuples(
           st.sampled_from([Verdict.TRANSIENT, Verdict.THROTTLED,
                            Verdict.AMBIGUOUS]),
           st.none() | st.floats(0.0, 1e9),
           st.floats(0.0, 100.0)), min_size=1, max_size=120))
def test_sleeps_never_pass_the_deadline(policy, seed, failures):
    clock = fakes.FakeClock()
    failed = [fakes.failure(v, retry_after=after, cost=cost)
              for v, after, cost in failures]
    func = fakes.Script(clock, *failed, *(['ok'] * 200))
    retrier = fakes.make_retrier(policy, clock, rng=random.Random(seed))
    try:
        retrier.call(policies.DEFAULT, func)
    except fakes.Failure:
        pass
    assert sum(clock.sleeps) <= policy.deadline
    assert all(0.0 <= s <= policy.max_delay for s in clock.sleeps)
    assert func.calls <= policy.max_attempts


# -- re-authentication, not-found, bugs ---------------------------------------

def test_reauth_invalidates_once_and_retries_without_delay():
    calls = []
    first = fakes.failure(Verdict.REAUTH, status=401)
    retrier, clock, func, operation = run(
        'create', first, 'ok', reauthenticate=lambda: calls.append(1) or True)
    assert retrier.call(operation, func) == 'ok'
    assert calls == [1]
    assert clock.sleeps == []


def test_second_reauth_in_one_call_gives_up():
    failed = [fakes.failure(Verdict.REAUTH, status=401) for _ in range(2)]
    retrier, clock, func, operation = run('default', *failed, 'ok',
                                          reauthenticate=lambda: True)
    with pytest.raises(fakes.Failure) as raised:
        retrier.call(operation, func)
    assert raised.value is failed[1]
    assert func.calls == 2


@pytest.mark.parametrize('reauthenticate', [None, lambda: False])
def test_reauth_that_cannot_renew_the_token_gives_up(reauthenticate):
    error = fakes.failure(Verdict.REAUTH, status=401)
    retrier, clock, func, operation = run('default', error, 'ok',
                                          reauthenticate=reauthenticate)
    with pytest.raises(fakes.Failure) as raised:
        retrier.call(operation, func)
    assert func.calls == 1
    assert any(decision.GAVE_UP_NO_REAUTH in n
               for n in raised.value.__notes__)


def test_delete_not_found_on_a_retry_means_done():
    retrier, clock, func, operation = run(
        'delete', fakes.failure(Verdict.AMBIGUOUS, status=504),
        fakes.failure(Verdict.FATAL, status=404, not_found=True))
    assert retrier.call(operation, func) is None
    assert func.calls == 2


def test_delete_not_found_on_the_first_attempt_is_raised():
    error = fakes.failure(Verdict.FATAL, status=404, not_found=True)
    retrier, clock, func, operation = run('delete', error)
    with pytest.raises(fakes.Failure) as raised:
        retrier.call(operation, func)
    assert raised.value is error


def test_default_policy_raises_not_found_even_on_a_retry():
    error = fakes.failure(Verdict.FATAL, status=404, not_found=True)
    retrier, clock, func, operation = run(
        'default', fakes.failure(Verdict.AMBIGUOUS), error)
    with pytest.raises(fakes.Failure) as raised:
        retrier.call(operation, func)
    assert raised.value is error


def test_exceptions_nobody_classified_are_fatal():
    clock = fakes.FakeClock()
    func = fakes.Script(clock, TypeError('bug'), 'ok')
    retrier = fakes.make_retrier(NO_JITTER, clock)
    with pytest.raises(TypeError):
        retrier.call(policies.DEFAULT, func)
    assert func.calls == 1


# -- the budget, the throttle and the breaker ---------------------------------

def test_empty_budget_stops_retries_but_not_first_attempts():
    budget = fakes.CountingBudget(tokens=1)
    failed = [fakes.failure(Verdict.TRANSIENT) for _ in range(3)]
    retrier, clock, func, operation = run('default', *failed, budget=budget)
    with pytest.raises(fakes.Failure) as raised:
        retrier.call(operation, func)
    assert func.calls == 2
    assert any(decision.GAVE_UP_BUDGET in n for n in raised.value.__notes__)


def test_success_deposits_in_the_budget():
    budget = fakes.CountingBudget(tokens=1)
    retrier, clock, func, operation = run('default', 'ok', budget=budget)
    retrier.call(operation, func)
    assert budget.deposits == 1


def guarded_retrier(found, clock):
    """A retrier under the guards a GuardRegistry gave a project."""
    return fakes.make_retrier(
        policies.RetryPolicy(max_attempts=10, jitter='none'), clock,
        budget=found.budget, breaker=found.breaker, throttle=found.throttle)


def test_a_rate_limited_project_spends_only_its_own_throttle():
    clock = fakes.FakeClock()
    registry = guards.GuardRegistry()
    key = guards.GuardKey('nova', 'http://cloud-a/v3', 'RegionOne')
    settings = guards.GuardSettings(budget_capacity=3, budget_floor=0,
                                    breaker_threshold=2)
    limited = registry.guards(key, settings, 'p1', clock=clock)
    other = registry.guards(key, settings, 'p2', clock=clock)

    throttled = fakes.Script(clock, *[
        fakes.failure(Verdict.THROTTLED, status=429) for _ in range(10)])
    with pytest.raises(fakes.Failure) as raised:
        guarded_retrier(limited, clock).call(policies.DEFAULT, throttled)
    # p1's three throttle tokens went to its 429s, and nothing else did.
    assert throttled.calls == 4
    assert any(decision.GAVE_UP_BUDGET in n for n in raised.value.__notes__)
    assert limited.throttle.tokens == 0.0
    assert limited.breaker.state == breaker_mod.CLOSED
    assert other.budget.tokens == 3 and other.throttle.tokens == 3
    flaky = fakes.Script(clock, fakes.failure(Verdict.TRANSIENT), 'ok')
    assert guarded_retrier(other, clock).call(policies.DEFAULT,
                                              flaky) == 'ok'


def make_breaker(clock, threshold=2):
    return breaker_mod.CircuitBreaker('nova', threshold, cooldown=10.0,
                                      probe_timeout=5.0, clock=clock)


def test_retries_give_up_once_the_breaker_opened(caplog):
    caplog.set_level(logging.WARNING)
    clock = fakes.FakeClock()
    breaker = make_breaker(clock)
    retrier = fakes.make_retrier(NO_JITTER, clock, breaker=breaker)
    func = fakes.Script(clock, *[fakes.failure(Verdict.TRANSIENT)
                                 for _ in range(4)])
    with pytest.raises(fakes.Failure) as raised:
        retrier.call(policies.DEFAULT, func)
    assert func.calls == 2
    assert any(decision.GAVE_UP_BREAKER in n for n in raised.value.__notes__)
    untouched = fakes.Script(clock, 'ok')
    with pytest.raises(errors.CircuitOpen):
        retrier.call(policies.DEFAULT, untouched)
    assert untouched.calls == 0
    assert 'circuit breaker open (2 failed attempts)' in caplog.text


@pytest.mark.parametrize('verdict, status', [
    (Verdict.FATAL, 404), (Verdict.THROTTLED, 429), (Verdict.THROTTLED, 413),
    (Verdict.REAUTH, 401)])
def test_answers_mean_the_service_is_up(verdict, status):
    clock = fakes.FakeClock()
    breaker = make_breaker(clock)
    retrier = fakes.make_retrier(
        policies.RetryPolicy(max_attempts=1), clock, breaker=breaker,
        reauthenticate=lambda: True)
    for _ in range(5):
        func = fakes.Script(clock, fakes.failure(verdict, status=status))
        with pytest.raises(fakes.Failure):
            retrier.call(policies.DEFAULT, func)
    assert breaker.state is breaker_mod.CLOSED


def test_failures_an_inner_loop_settled_never_count():
    clock = fakes.FakeClock()
    breaker = make_breaker(clock)
    retrier = fakes.make_retrier(NO_JITTER, clock, breaker=breaker)
    for _ in range(5):
        func = fakes.Script(clock, fakes.failure(Verdict.TRANSIENT,
                                                 settled=True))
        with pytest.raises(fakes.Failure):
            retrier.call(policies.DEFAULT, func)
        assert func.calls == 1
    assert breaker.state is breaker_mod.CLOSED


def test_a_killed_probe_inside_the_retry_loop_restores_the_breaker():
    clock = fakes.FakeClock()
    breaker = make_breaker(clock, threshold=1)
    with breaker.admit() as permit:
        permit.failed()
    clock.now += breaker.cooldown
    retrier = fakes.make_retrier(NO_JITTER, clock, breaker=breaker)
    killed = fakes.Script(clock, KeyboardInterrupt())
    with pytest.raises(KeyboardInterrupt):
        retrier.call(policies.DEFAULT, killed)
    assert breaker.state is breaker_mod.OPEN
    clock.now += breaker.cooldown
    healthy = fakes.Script(clock, 'ok')
    assert retrier.call(policies.DEFAULT, healthy) == 'ok'
    assert breaker.state is breaker_mod.CLOSED


# -- what is logged -----------------------------------------------------------

def test_one_warning_per_retry_and_one_on_giving_up(caplog):
    caplog.set_level(logging.INFO, logger='heat_retry_plugins')
    failed = [fakes.failure(Verdict.TRANSIENT, status=503,
                            request_id='req-%d' % i) for i in range(4)]
    retrier, clock, func, operation = run('default', *failed)
    with pytest.raises(fakes.Failure):
        retrier.call(operation, func)
    warnings = [r.getMessage() for r in caplog.records
                if r.levelno == logging.WARNING]
    assert len(warnings) == 4
    assert warnings[0].startswith('Retrying nova Script [default] in 1.00s')
    assert 'attempt 1/4 failed: Failure (HTTP 503), transient' in warnings[0]
    assert 'request req-0' in warnings[0]
    assert warnings[-1].startswith('Giving up on nova Script [default] '
                                   'after 4 attempt(s)')
    assert decision.GAVE_UP_ATTEMPTS in warnings[-1]


def test_first_time_fatal_error_is_not_logged(caplog):
    caplog.set_level(logging.INFO, logger='heat_retry_plugins')
    retrier, clock, func, operation = run(
        'default', fakes.failure(Verdict.FATAL, status=404, not_found=True))
    with pytest.raises(fakes.Failure):
        retrier.call(operation, func)
    assert caplog.records == []


def test_ambiguous_create_is_not_repeated_and_says_why(caplog):
    caplog.set_level(logging.WARNING, logger='heat_retry_plugins')
    error = fakes.failure(Verdict.AMBIGUOUS, status=500)
    retrier, clock, func, operation = run('create', error, 'ok')
    with pytest.raises(fakes.Failure):
        retrier.call(operation, func)
    assert func.calls == 1
    (record,) = caplog.records
    assert decision.GAVE_UP_UNSAFE in record.getMessage()


def test_log_lines_never_carry_the_exception_message(caplog):
    caplog.set_level(logging.DEBUG, logger='heat_retry_plugins')
    secret = 'adminPass=s3cr3t-Pa55 X-Auth-Token: gAAAAAB-token'

    class Leaky(Exception):
        classification = verdicts.Classification(Verdict.TRANSIENT,
                                                 status=503)

    clock = fakes.FakeClock()
    func = fakes.Script(clock, *[Leaky(secret) for _ in range(4)])
    retrier = fakes.make_retrier(NO_JITTER, clock)
    with pytest.raises(Leaky):
        retrier.call(policies.DEFAULT, func, (secret,), {'pw': secret})
    text = '\n'.join(r.getMessage() for r in caplog.records)
    assert len(caplog.records) == 4
    assert 's3cr3t' not in text and 'gAAAA' not in text


# -- reconciling a create whose response was lost -----------------------------

def create(service, name='web-1', token='t1', policy='create', **kwargs):
    clock = fakes.FakeClock()
    reconciler = fakes.ThingReconciler(service, name, token, **kwargs)
    retrier = fakes.make_retrier(NO_JITTER, clock)
    result = retrier.call(policies.operation_policy(policy),
                          service.create, (name, token),
                          reconciler=reconciler)
    return result, reconciler, clock


def test_a_lost_create_is_adopted_by_its_token():
    service = fakes.Service()
    service.create_faults = ['after']
    made, reconciler, clock = create(service)
    assert made.token == 't1' and service.things == [made]
    assert service.creates == 1
    assert reconciler.settled_with == (made, 1)


def test_a_create_that_made_nothing_is_sent_again_with_the_same_token():
    service = fakes.Service()
    service.create_faults = ['before', 'after', None]
    made, reconciler, clock = create(service)
    assert service.creates == 2
    assert [t.token for t in service.things] == ['t1']


def test_a_same_named_thing_without_the_token_is_never_adopted():
    service = fakes.Service()
    theirs = service.add('web-1', token=None)
    older_ours = service.add('web-1', token='another-call')
    service.create_faults = ['late']
    made, reconciler, clock = create(service)
    # Neither theirs nor another call's thing was adopted or touched.
    assert made not in (theirs, older_ours)
    assert made.token == 't1'
    assert service.deletes == []
    assert service.things[:2] == [theirs, older_ours]


def test_a_unique_name_taken_by_someone_else_fails_as_a_conflict():
    service = fakes.Service(unique=True)
    theirs = service.add('finance', token=None)
    service.create_faults = ['late']   # a 504; the create never lands
    with pytest.raises(fakes.Failure) as raised:
        create(service, name='finance')
    assert raised.value.classification.status == 409
    assert any(decision.GAVE_UP_NOT_OURS in note
               for note in raised.value.__notes__)
    assert service.things == [theirs] and service.deletes == []


def test_a_conflict_after_a_lost_attempt_adopts_what_carries_the_token():
    service = fakes.Service(unique=True)
    service.create_faults = ['late']

    def land_then_send(*args, **kwargs):
        service.land()   # the lost create lands before the resend
        return real(*args, **kwargs)
    real = service.create
    service.create = land_then_send
    made, reconciler, clock = create(service, name='finance')
    assert made.token == 't1' and len(service.things) == 1


def test_a_conflict_on_a_first_attempt_is_raised_at_once():
    service = fakes.Service(unique=True)
    service.add('finance', token=None)
    with pytest.raises(fakes.Failure) as raised:
        create(service, name='finance')
    assert raised.value.classification.conflict
    assert service.creates == 1


def test_duplicates_that_carry_the_token_are_deleted_when_one_is_adopted():
    service = fakes.Service()
    service.add('web-1', token='t1')
    service.add('web-1', token='t1')
    service.create_faults = ['after']
    made, reconciler, clock = create(service)
    assert [t.token for t in service.things] == ['t1']
    assert made in service.things
    assert len(service.deletes) == 2


def test_a_lookup_failure_is_retried_within_the_deadline():
    service = fakes.Service()
    service.create_faults = ['after']
    service.lookup_faults = [Verdict.TRANSIENT]
    made, reconciler, clock = create(service)
    assert service.creates == 1 and made.token == 't1'


def test_a_lookup_that_keeps_failing_raises_the_create_error():
    service = fakes.Service()
    service.create_faults = ['after']
    service.lookup_faults = [Verdict.TRANSIENT] * 10
    with pytest.raises(fakes.Failure) as raised:
        create(service)
    assert raised.value.classification.status == 500
    assert any(decision.GAVE_UP_LOOKUP in n for n in raised.value.__notes__)


@pytest.mark.parametrize('create_faults, lookup_faults, lost', [
    pytest.param(['after'], [Verdict.TRANSIENT] * 10, 1, id='lookup-fails'),
    pytest.param(['late'] + ['before'] * 9, [], 1, id='attempts-run-out'),
    pytest.param(['before'] * 10, [], None, id='nothing-lost'),
])
def test_a_create_that_gives_up_after_lost_attempts_abandons_them(
        create_faults, lookup_faults, lost):
    # What a lost attempt made (or makes, landing late) is swept as an
    # orphan: the caller gets an error and no id.
    service = fakes.Service()
    service.create_faults = create_faults
    service.lookup_faults = lookup_faults
    reconciler = fakes.ThingReconciler(service, 'web-1', 't1')
    retrier = fakes.make_retrier(NO_JITTER, fakes.FakeClock())
    with pytest.raises(fakes.Failure):
        retrier.call(policies.CREATE, service.create, ('web-1', 't1'),
                     reconciler=reconciler)
    assert reconciler.abandoned_with == lost
    assert reconciler.settled_with is None


class Killed(BaseException):
    """A greenthread killed (``GreenletExit``), or Heat's cancel."""


class KilledInTheBackoff(fakes.FakeClock):
    def sleep(self, seconds):
        raise Killed()


def test_a_create_killed_in_its_backoff_abandons_the_lost_attempt():
    # Killed between the lost attempt and the retry: the caller gets no
    # id, so what the lost attempt made is swept as an orphan.
    service = fakes.Service()
    service.create_faults = ['late']
    reconciler = fakes.ThingReconciler(service, 'web-1', 't1')
    retrier = fakes.make_retrier(NO_JITTER, KilledInTheBackoff())
    with pytest.raises(Killed):
        retrier.call(policies.CREATE, service.create, ('web-1', 't1'),
                     reconciler=reconciler)
    assert service.creates == 1
    assert reconciler.abandoned_with == 1
    assert reconciler.settled_with is None


@pytest.mark.parametrize('killed_on', [1, 2], ids=['first', 'retry'])
def test_a_create_killed_in_an_attempt_abandons_that_attempt(killed_on):
    # Killed while its request was in flight: it may have been sent.
    service = fakes.Service()
    service.create_faults = ['before']

    def create(name, token):
        if service.creates + 1 == killed_on:
            service.creates += 1
            raise Killed()
        return service.create(name, token)
    reconciler = fakes.ThingReconciler(service, 'web-1', 't1')
    retrier = fakes.make_retrier(NO_JITTER, fakes.FakeClock())
    with pytest.raises(Killed):
        retrier.call(policies.CREATE, create, ('web-1', 't1'),
                     reconciler=reconciler)
    assert service.creates == killed_on
    assert reconciler.abandoned_with == 1


def test_a_kill_is_raised_though_the_orphan_watch_fails(caplog):
    # At interpreter shutdown no thread starts: the caller still gets
    # what ended the call, not the RuntimeError of the sweeps.
    class NoThreads(fakes.ThingReconciler):
        def abandoned(self, lost_attempts):
            raise RuntimeError("can't create new thread at interpreter "
                               "shutdown")
    service = fakes.Service()
    service.create_faults = ['late']
    retrier = fakes.make_retrier(NO_JITTER, KilledInTheBackoff())
    with pytest.raises(Killed):
        retrier.call(policies.CREATE, service.create, ('web-1', 't1'),
                     reconciler=NoThreads(service, 'web-1', 't1'))
    assert 'cannot sweep what its lost attempts made: RuntimeError' in (
        caplog.text)


def test_a_call_killed_without_a_reconciler_is_raised_as_it_is():
    service = fakes.Service()
    service.create_faults = ['before']
    retrier = fakes.make_retrier(NO_JITTER, KilledInTheBackoff())
    with pytest.raises(Killed):
        retrier.call(policies.DEFAULT, service.create, ('web-1', 't1'))
    assert service.creates == 1


def test_a_create_that_gives_up_is_abandoned_once():
    # _give_up() told the reconciler; the error it raises is not an
    # interruption.
    calls = []

    class Counting(fakes.ThingReconciler):
        def abandoned(self, lost_attempts):
            calls.append(lost_attempts)
    service = fakes.Service()
    service.create_faults = ['late'] + ['before'] * 9
    retrier = fakes.make_retrier(NO_JITTER, fakes.FakeClock())
    with pytest.raises(fakes.Failure):
        retrier.call(policies.CREATE, service.create, ('web-1', 't1'),
                     reconciler=Counting(service, 'web-1', 't1'))
    assert calls == [1]


def test_create_cleanup_deletes_what_carries_the_token_then_resends():
    service = fakes.Service()
    theirs = service.add('key', token=None)
    service.create_faults = ['after']
    made, reconciler, clock = create(service, name='key',
                                     policy='create_cleanup')
    assert service.creates == 2
    assert service.things == [theirs, made]
    assert len(service.deletes) == 1


def test_an_unadoptable_resource_is_cleaned_up_as_create_cleanup():
    service = fakes.Service()
    service.create_faults = ['after']
    made, reconciler, clock = create(service, adoptable=False)
    assert service.creates == 2 and service.things == [made]


def test_cleanup_waits_until_the_resource_is_gone():
    service = fakes.Service()
    service.create_faults = ['after']
    service.stubborn = 2
    made, reconciler, clock = create(service, policy='create_cleanup')
    # Two waits for it to go (backoff 1 s, 2 s), then the resend's 1 s.
    assert clock.sleeps == [1.0, 2.0, 1.0]
    assert service.creates == 2 and service.things == [made]


def test_cleanup_gives_up_when_the_resource_never_goes():
    service = fakes.Service()
    service.create_faults = ['after']

    class Stuck(fakes.ThingReconciler):
        def is_gone(self, thing):
            return False
    clock = fakes.FakeClock()
    retrier = fakes.make_retrier(NO_JITTER, clock)
    stuck = Stuck(service, 'web-1', 't1')
    with pytest.raises(errors.ReconcileError) as raised:
        retrier.call(policies.CREATE_CLEANUP, service.create,
                     ('web-1', 't1'), reconciler=stuck)
    assert 'not gone before the deadline' in str(raised.value)
    assert raised.value.__cause__.classification.status == 500
    # The call failed: what carries its token is an orphan, swept later.
    assert stuck.abandoned_with == 1


def test_a_late_landing_is_reported_to_the_reconciler_for_sweeping():
    service = fakes.Service()
    service.create_faults = ['late', None]
    made, reconciler, clock = create(service)
    assert service.creates == 2
    service.land()
    assert reconciler.settled_with == (made, 1)
    extra = reconcile.extras(reconciler, reconciler.find(), made.id)
    assert [t.token for t in extra] == ['t1'] and extra[0] is not made


def test_without_a_reconciler_an_ambiguous_create_is_not_repeated():
    service = fakes.Service()
    service.create_faults = ['after']
    clock = fakes.FakeClock()
    retrier = fakes.make_retrier(NO_JITTER, clock)
    with pytest.raises(fakes.Failure):
        retrier.call(policies.CREATE, service.create, ('web-1', 't1'))
    assert service.creates == 1


def test_adoption_and_sweeps_are_logged_with_ids(caplog):
    caplog.set_level(logging.WARNING, logger='heat_retry_plugins')
    service = fakes.Service()
    service.add('web-1', token='t1')
    service.add('web-1', token='t1')
    service.create_faults = ['after']
    create(service)
    text = caplog.text
    assert 'Adopted nova thing web-1 (1)' in text
    assert 'Deleted the duplicate nova thing web-1 (2)' in text

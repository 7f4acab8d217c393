"""The retry loop: every verdict under every policy, deadline, budget."""

import logging

import pytest

from heat_retry_plugins.retry import decision
from heat_retry_plugins.retry import policies
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
    errors = [fakes.failure(Verdict.TRANSIENT, status=503) for _ in range(4)]
    retrier, clock, func, operation = run('default', *errors)
    with pytest.raises(fakes.Failure) as raised:
        retrier.call(operation, func)
    assert raised.value is errors[-1]
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


def test_delays_are_capped_by_max_delay():
    policy = policies.RetryPolicy(max_attempts=6, initial_delay=3.0,
                                  max_delay=5.0, jitter='none',
                                  deadline=1000)
    errors = [fakes.failure(Verdict.TRANSIENT) for _ in range(5)]
    retrier, clock, func, operation = run('default', *errors, 'ok',
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
    errors = [fakes.failure(Verdict.AMBIGUOUS, cost=4.0) for _ in range(10)]
    retrier, clock, func, operation = run('default', *errors, policy=policy)
    with pytest.raises(fakes.Failure):
        retrier.call(operation, func)
    # Attempts end at 4, 9, 14 and 19 s; a fifth could not start before 20.
    assert func.calls == 4
    assert clock.now - 1000.0 == 19.0


def test_reauth_invalidates_once_and_retries_without_delay():
    calls = []
    first = fakes.failure(Verdict.REAUTH, status=401)
    retrier, clock, func, operation = run(
        'create', first, 'ok', reauthenticate=lambda: calls.append(1) or True)
    assert retrier.call(operation, func) == 'ok'
    assert calls == [1]
    assert clock.sleeps == []


def test_second_reauth_in_one_call_gives_up():
    errors = [fakes.failure(Verdict.REAUTH, status=401) for _ in range(2)]
    retrier, clock, func, operation = run('default', *errors, 'ok',
                                          reauthenticate=lambda: True)
    with pytest.raises(fakes.Failure) as raised:
        retrier.call(operation, func)
    assert raised.value is errors[1]
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


def test_empty_budget_stops_retries_but_not_first_attempts():
    budget = fakes.CountingBudget(tokens=1)
    errors = [fakes.failure(Verdict.TRANSIENT) for _ in range(3)]
    retrier, clock, func, operation = run('default', *errors, budget=budget)
    with pytest.raises(fakes.Failure) as raised:
        retrier.call(operation, func)
    assert func.calls == 2
    assert any(decision.GAVE_UP_BUDGET in n for n in raised.value.__notes__)


def test_success_deposits_in_the_budget():
    budget = fakes.CountingBudget(tokens=1)
    retrier, clock, func, operation = run('default', 'ok', budget=budget)
    retrier.call(operation, func)
    assert budget.deposits == 1


def test_one_warning_per_retry_and_one_on_giving_up(caplog):
    caplog.set_level(logging.INFO, logger='heat_retry_plugins')
    errors = [fakes.failure(Verdict.TRANSIENT, status=503,
                            request_id='req-%d' % i) for i in range(4)]
    retrier, clock, func, operation = run('default', *errors)
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

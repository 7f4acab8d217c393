"""The retry budget and the circuit breaker, with a fake clock."""

import threading

import pytest

from heat_retry_plugins.engine import guards
from heat_retry_plugins.engine import policy as policy_mod
from heat_retry_plugins.engine import retrying
from heat_retry_plugins.engine import verdicts
from tests.unit.engine import fakes

Verdict = verdicts.Verdict


def test_budget_starts_full_and_empties():
    clock = fakes.FakeClock()
    budget = guards.RetryBudget(capacity=3, ratio=0.5, floor=0.0,
                                clock=clock)
    assert [budget.try_spend() for _ in range(4)] == [True, True, True,
                                                      False]


def test_successes_earn_a_fraction_of_a_token():
    clock = fakes.FakeClock()
    budget = guards.RetryBudget(capacity=3, ratio=0.25, floor=0.0,
                                clock=clock)
    while budget.try_spend():
        pass
    for _ in range(3):
        budget.deposit()
    assert not budget.try_spend()
    budget.deposit()
    assert budget.try_spend()


def test_the_floor_refills_a_quiet_budget_up_to_capacity():
    clock = fakes.FakeClock()
    budget = guards.RetryBudget(capacity=2, ratio=0.0, floor=0.5,
                                clock=clock)
    budget.try_spend()
    budget.try_spend()
    clock.now += 2.0
    assert budget.tokens == 1.0
    clock.now += 100.0
    assert budget.tokens == 2.0


def test_budget_is_thread_safe():
    budget = guards.RetryBudget(capacity=1000, ratio=0.0, floor=0.0)
    granted = []

    def spend():
        granted.append(sum(budget.try_spend() for _ in range(200)))
    threads = [threading.Thread(target=spend) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(granted) == 1000


def test_concurrent_deposits_and_spends_lose_no_update():
    budget = guards.RetryBudget(capacity=10000, ratio=1.0, floor=0.0)
    while budget.try_spend():
        pass

    def deposit():
        for _ in range(500):
            budget.deposit()

    def spend():
        for _ in range(500):
            while not budget.try_spend():
                pass
    threads = ([threading.Thread(target=deposit) for _ in range(4)] +
               [threading.Thread(target=spend) for _ in range(4)])
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert budget.tokens == 0.0


def test_empty_budget_gives_up_saying_so():
    clock = fakes.FakeClock()
    budget = guards.RetryBudget(capacity=0.5, ratio=0.0, floor=0.0,
                                clock=clock)
    retrier = fakes.make_retrier(policy_mod.RetryPolicy(), clock,
                                 budget=budget)
    func = fakes.Script(clock, fakes.failure(Verdict.TRANSIENT), 'ok')
    with pytest.raises(fakes.Failure) as raised:
        retrier.call(policy_mod.DEFAULT, func)
    assert func.calls == 1
    assert any(retrying.GAVE_UP_BUDGET in n for n in raised.value.__notes__)


def make_breaker(clock, threshold=3, cooldown=10.0):
    return guards.CircuitBreaker('nova', threshold, cooldown, clock=clock)


def test_breaker_opens_after_a_run_of_failures_and_fails_fast():
    clock = fakes.FakeClock()
    breaker = make_breaker(clock)
    for _ in range(3):
        breaker.before_call()
        breaker.record_failure()
    with pytest.raises(guards.CircuitOpen) as raised:
        breaker.before_call()
    assert raised.value.retry_in == 10.0
    assert 'nova is failing' in str(raised.value)


def test_a_success_resets_the_run():
    clock = fakes.FakeClock()
    breaker = make_breaker(clock)
    for _ in range(2):
        breaker.record_failure()
    breaker.record_success()
    for _ in range(2):
        breaker.record_failure()
    breaker.before_call()
    assert breaker.state == breaker.CLOSED


def test_after_the_cooldown_one_probe_goes_through():
    clock = fakes.FakeClock()
    breaker = make_breaker(clock)
    for _ in range(3):
        breaker.record_failure()
    clock.now += 10.0
    breaker.before_call()
    assert breaker.state == breaker.HALF_OPEN
    with pytest.raises(guards.CircuitOpen):
        breaker.before_call()
    breaker.record_success()
    assert breaker.state == breaker.CLOSED
    breaker.before_call()


def test_a_failed_probe_opens_it_again():
    clock = fakes.FakeClock()
    breaker = make_breaker(clock)
    for _ in range(3):
        breaker.record_failure()
    clock.now += 10.0
    breaker.before_call()
    breaker.record_failure()
    with pytest.raises(guards.CircuitOpen):
        breaker.before_call()


def test_open_breaker_stops_a_call_before_it_is_made_and_logs(caplog):
    clock = fakes.FakeClock()
    breaker = make_breaker(clock, threshold=2)
    retrier = fakes.make_retrier(policy_mod.RetryPolicy(jitter='none'),
                                 clock, breaker=breaker)
    errors = [fakes.failure(Verdict.TRANSIENT) for _ in range(4)]
    func = fakes.Script(clock, *errors)
    with pytest.raises(fakes.Failure) as raised:
        retrier.call(policy_mod.DEFAULT, func)
    assert func.calls == 2
    assert any(retrying.GAVE_UP_BREAKER in n for n in raised.value.__notes__)
    untouched = fakes.Script(clock, 'ok')
    with pytest.raises(guards.CircuitOpen):
        retrier.call(policy_mod.DEFAULT, untouched)
    assert untouched.calls == 0
    assert 'circuit breaker open after 2 failed attempts' in caplog.text


def test_fatal_answers_mean_the_service_is_up():
    clock = fakes.FakeClock()
    breaker = make_breaker(clock, threshold=2)
    retrier = fakes.make_retrier(policy_mod.RetryPolicy(), clock,
                                 breaker=breaker)
    for _ in range(5):
        func = fakes.Script(clock, fakes.failure(Verdict.FATAL, status=404))
        with pytest.raises(fakes.Failure):
            retrier.call(policy_mod.DEFAULT, func)
    assert breaker.state == breaker.CLOSED


def test_guards_are_shared_per_service_until_the_settings_change():
    guards.reset_guards()
    settings = guards.GuardSettings()
    first = guards.guards_for('nova', settings)
    assert guards.guards_for('nova', settings) == first
    assert guards.guards_for('keystone', settings)[0] is not first[0]
    changed = guards.guards_for('nova', guards.GuardSettings(
        budget_capacity=5))
    assert changed[0] is not first[0] and changed[0].capacity == 5


def test_zero_disables_each_guard():
    guards.reset_guards()
    assert guards.guards_for('nova', guards.GuardSettings(
        budget_capacity=0, breaker_threshold=0)) == (None, None)

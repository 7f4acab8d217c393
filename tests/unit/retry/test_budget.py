"""The retry budget: a token bucket, with a fake clock."""

import sys
import threading

import pytest

from heat_retry_plugins.retry import budget as budget_mod
from heat_retry_plugins.retry import decision
from heat_retry_plugins.retry import policies
from heat_retry_plugins.retry import verdicts
from tests.unit.retry import fakes

Verdict = verdicts.Verdict


def make(clock, capacity=3, ratio=0.5, floor=0.0):
    return budget_mod.RetryBudget(capacity=capacity, ratio=ratio,
                                  floor=floor, clock=clock)


def test_budget_starts_full_and_empties():
    budget = make(fakes.FakeClock())
    assert [budget.try_spend() for _ in range(4)] == [True, True, True,
                                                      False]


def test_successes_earn_a_fraction_of_a_token():
    budget = make(fakes.FakeClock(), ratio=0.25)
    while budget.try_spend():
        pass
    for _ in range(3):
        budget.deposit()
    assert not budget.try_spend()
    budget.deposit()
    assert budget.try_spend()


def test_the_floor_refills_a_quiet_budget_up_to_capacity():
    clock = fakes.FakeClock()
    budget = make(clock, capacity=2, ratio=0.0, floor=0.5)
    budget.try_spend()
    budget.try_spend()
    clock.now += 2.0
    assert budget.tokens == 1.0
    clock.now += 100.0
    assert budget.tokens == 2.0


@pytest.fixture
def switchy():
    """Switch threads as often as the interpreter can, for the races."""
    previous = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(previous)


def _in_threads(count, func):
    barrier = threading.Barrier(count)

    def run():
        barrier.wait()
        func()
    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def test_spends_from_many_threads_never_exceed_the_tokens(switchy):
    budget = budget_mod.RetryBudget(capacity=20000, ratio=0.0, floor=0.0)
    granted = []
    _in_threads(8, lambda: granted.append(
        sum(budget.try_spend() for _ in range(4000))))
    assert sum(granted) == 20000


def test_concurrent_deposits_and_spends_lose_no_update(switchy):
    budget = budget_mod.RetryBudget(capacity=100000, ratio=1.0, floor=0.0)
    while budget.try_spend():
        pass

    def deposit_then_spend():
        for _ in range(2000):
            budget.deposit()
        for _ in range(2000):
            while not budget.try_spend():
                pass
    _in_threads(8, deposit_then_spend)
    assert budget.tokens == 0.0


def test_empty_budget_gives_up_saying_so():
    clock = fakes.FakeClock()
    budget = make(clock, capacity=0.5, ratio=0.0)
    retrier = fakes.make_retrier(policies.RetryPolicy(), clock,
                                 budget=budget)
    func = fakes.Script(clock, fakes.failure(Verdict.TRANSIENT), 'ok')
    with pytest.raises(fakes.Failure) as raised:
        retrier.call(policies.DEFAULT, func)
    assert func.calls == 1
    assert any(decision.GAVE_UP_BUDGET in n for n in raised.value.__notes__)

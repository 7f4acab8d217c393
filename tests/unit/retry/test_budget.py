"""The retry budget: a token bucket, with a fake clock."""

from heat_retry_plugins.retry import budget as budget_mod
from tests.unit.retry import fakes
from tests.unit.retry import races


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


def test_deposits_never_fill_it_past_capacity():
    budget = make(fakes.FakeClock(), capacity=2, ratio=0.5)
    for _ in range(10):
        budget.deposit()
    assert budget.tokens == 2.0


def test_two_threads_never_spend_one_token_twice():
    # Without the lock both pass the check for the last token before
    # either takes it: two retries from a budget that held one.
    budget = make(fakes.FakeClock(), capacity=1, ratio=0.0)
    race = races.Race(hold=(budget_mod.RetryBudget.try_spend, '-= 1.0'),
                      until=(budget_mod.RetryBudget.try_spend, '-= 1.0'))
    spent = race.run(budget.try_spend, budget.try_spend)
    assert sorted(spent) == [False, True]
    assert budget.tokens == 0.0
    assert not race.overlapped


def test_a_deposit_never_undoes_a_concurrent_spend():
    # Without the lock the deposit writes back what it read before the
    # spend: the spent token is handed out again.
    budget = make(fakes.FakeClock(), capacity=3, ratio=1.0)
    budget.try_spend()
    budget.try_spend()
    race = races.Race(
        hold=(budget_mod.RetryBudget.deposit, 'if tokens < self.capacity'),
        until=(budget_mod.RetryBudget.try_spend, 'return True'))
    race.run(budget.deposit, budget.try_spend)
    assert budget.tokens == 1.0
    assert not race.overlapped

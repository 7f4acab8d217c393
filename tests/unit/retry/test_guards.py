"""Who shares a budget and a breaker: keys, projects, settings."""

import math

import pytest

from heat_retry_plugins.retry import guards
from heat_retry_plugins.retry import policies
from heat_retry_plugins.retry import verdicts
from tests.unit.retry import fakes

Verdict = verdicts.Verdict
NOVA_A = guards.GuardKey('nova', 'http://cloud-a/v3', 'RegionOne')


@pytest.fixture
def registry():
    return guards.GuardRegistry()


def test_guards_are_shared_per_key_until_the_settings_change(registry):
    settings = guards.GuardSettings()
    first = registry.guards(NOVA_A, settings)
    again = registry.guards(NOVA_A, settings)
    assert (again.budget, again.breaker) == (first.budget, first.breaker)
    changed = registry.guards(NOVA_A, guards.GuardSettings(
        budget_capacity=5))
    assert changed.budget is not first.budget
    assert changed.budget.capacity == 5


@pytest.mark.parametrize('other', [
    guards.GuardKey('keystone', 'http://cloud-a/v3', 'RegionOne'),
    guards.GuardKey('nova', 'http://cloud-b/v3', 'RegionOne'),
    guards.GuardKey('nova', 'http://cloud-a/v3', 'RegionTwo')])
def test_another_service_cloud_or_region_has_guards_of_its_own(registry,
                                                               other):
    settings = guards.GuardSettings(breaker_threshold=1)
    down = registry.guards(NOVA_A, settings)
    with down.breaker.admit() as permit:
        permit.failed()
    assert down.breaker.state == 'open'
    elsewhere = registry.guards(other, settings)
    assert elsewhere.breaker is not down.breaker
    assert elsewhere.breaker.state == 'closed'
    assert elsewhere.budget is not down.budget


def test_each_project_has_its_own_throttle_and_shares_the_budget(registry):
    settings = guards.GuardSettings()
    one = registry.guards(NOVA_A, settings, project='p1')
    two = registry.guards(NOVA_A, settings, project='p2')
    assert one.budget is two.budget and one.breaker is two.breaker
    assert one.throttle is not two.throttle
    assert registry.guards(NOVA_A, settings, project='p1').throttle is \
        one.throttle
    assert registry.guards(NOVA_A, settings).throttle is None


def test_a_rate_limited_project_spends_only_its_own_throttle(registry):
    clock = fakes.FakeClock()
    settings = guards.GuardSettings(budget_capacity=3, budget_floor=0,
                                    breaker_threshold=2)
    limited = registry.guards(NOVA_A, settings, 'p1', clock=clock)
    other = registry.guards(NOVA_A, settings, 'p2', clock=clock)
    policy = policies.RetryPolicy(max_attempts=10, jitter='none')

    def retrier(found):
        return fakes.make_retrier(policy, clock, budget=found.budget,
                                  breaker=found.breaker,
                                  throttle=found.throttle)

    throttled = fakes.Script(clock, *[
        fakes.failure(Verdict.THROTTLED, status=429) for _ in range(10)])
    with pytest.raises(fakes.Failure):
        retrier(limited).call(policies.DEFAULT, throttled)
    # p1's three throttle tokens went to its 429s, and nothing else did.
    assert throttled.calls == 4
    assert limited.throttle.tokens < 1
    assert limited.breaker.state == 'closed'
    assert other.budget.tokens == 3 and other.throttle.tokens == 3
    flaky = fakes.Script(clock, fakes.failure(Verdict.TRANSIENT), 'ok')
    assert retrier(other).call(policies.DEFAULT, flaky) == 'ok'


def test_the_throttles_of_a_key_are_bounded(registry, monkeypatch):
    monkeypatch.setattr(guards, 'MAX_PROJECTS', 3)
    settings = guards.GuardSettings()
    first = registry.guards(NOVA_A, settings, project='p0').throttle
    for number in range(1, 4):
        registry.guards(NOVA_A, settings, project='p%d' % number)
    assert registry.guards(NOVA_A, settings,
                           project='p0').throttle is not first


def test_zero_disables_each_guard(registry):
    found = registry.guards(NOVA_A, guards.GuardSettings(
        budget_capacity=0, breaker_threshold=0), project='p1')
    assert found == guards.NO_GUARDS


@pytest.mark.parametrize('field', [
    'budget_capacity', 'budget_ratio', 'budget_floor', 'breaker_threshold',
    'breaker_cooldown', 'breaker_probe_timeout'])
@pytest.mark.parametrize('value', [math.nan, math.inf, -1, 'ten', True])
def test_settings_that_are_not_finite_numbers_in_range_name_the_field(
        field, value):
    with pytest.raises(ValueError, match=field):
        guards.GuardSettings(**{field: value})


def test_a_ratio_above_one_is_refused():
    with pytest.raises(ValueError, match='budget_ratio'):
        guards.GuardSettings(budget_ratio=1.5)


def test_defaults_are_the_named_constants():
    assert guards.GuardSettings() == guards.GuardSettings(
        guards.DEFAULT_BUDGET_CAPACITY, guards.DEFAULT_BUDGET_RATIO,
        guards.DEFAULT_BUDGET_FLOOR, guards.DEFAULT_BREAKER_THRESHOLD,
        guards.DEFAULT_BREAKER_COOLDOWN,
        guards.DEFAULT_BREAKER_PROBE_TIMEOUT)

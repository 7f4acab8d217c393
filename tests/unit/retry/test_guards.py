"""Who shares a budget and a breaker: keys, projects, settings."""

import math

import pytest

from heat_retry_plugins.retry import guards

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


def test_the_throttles_of_a_key_are_bounded_the_least_used_forgotten(
        registry):
    settings = guards.GuardSettings()

    def throttle(project):
        return registry.guards(NOVA_A, settings, project=project).throttle

    kept = {number: throttle('p%d' % number)
            for number in range(guards.MAX_PROJECTS)}
    # As many as MAX_PROJECTS are kept; using p0 leaves p1 the least used.
    assert throttle('p0') is kept[0]
    throttle('one-more')
    assert throttle('p0') is kept[0]
    assert throttle('p1') is not kept[1]


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

"""The circuit breaker, with a fake clock: opening, probes, permits."""

import pytest

from heat_retry_plugins.retry import breaker as breaker_mod
from heat_retry_plugins.retry import errors
from tests.unit.retry import fakes
from tests.unit.retry import races

CLOSED, OPEN, HALF_OPEN = (breaker_mod.CLOSED, breaker_mod.OPEN,
                           breaker_mod.HALF_OPEN)


def make_breaker(clock, threshold=3, cooldown=10.0, probe_timeout=5.0):
    return breaker_mod.CircuitBreaker('nova', threshold, cooldown,
                                      probe_timeout, clock=clock)


def fail(breaker, times):
    for _ in range(times):
        with breaker.admit() as permit:
            permit.failed()


def opened(clock, **kwargs):
    breaker = make_breaker(clock, **kwargs)
    fail(breaker, 3)
    assert breaker.state is OPEN
    return breaker


def test_breaker_opens_after_a_run_of_failures_and_fails_fast():
    clock = fakes.FakeClock()
    breaker = opened(clock)
    with pytest.raises(errors.CircuitOpen) as raised:
        breaker.admit()
    assert raised.value.retry_in == 10.0
    assert 'nova is failing' in str(raised.value)


def test_an_answer_resets_the_run():
    clock = fakes.FakeClock()
    breaker = make_breaker(clock)
    fail(breaker, 2)
    with breaker.admit() as permit:
        permit.answered()
    fail(breaker, 2)
    assert breaker.state is CLOSED


def test_after_the_cooldown_one_probe_goes_through():
    clock = fakes.FakeClock()
    breaker = opened(clock)
    clock.now += 10.0
    probe = breaker.admit()
    assert probe.probe and breaker.state is HALF_OPEN
    with pytest.raises(errors.CircuitOpen):
        breaker.admit()
    with probe:
        probe.answered()
    assert breaker.state is CLOSED
    assert not breaker.admit().probe


def test_a_failed_probe_opens_it_again_for_a_whole_cooldown():
    clock = fakes.FakeClock()
    breaker = opened(clock)
    clock.now += 10.0
    with breaker.admit() as probe:
        clock.now += 1.0
        probe.failed()
    with pytest.raises(errors.CircuitOpen) as raised:
        breaker.admit()
    assert raised.value.retry_in == 10.0


def test_racing_calls_after_the_cooldown_let_one_probe_through():
    # Without the lock both find it open with the cooldown over before
    # either makes it half-open: two probes at a service that is down.
    clock = fakes.FakeClock()
    breaker = opened(clock)
    clock.now += 10.0
    admit = breaker_mod.CircuitBreaker.admit
    race = races.Race(hold=(admit, 'self.state = HALF_OPEN'),
                      until=(admit, 'self.state = HALF_OPEN'))
    outcomes = race.run(breaker.admit, breaker.admit)
    names = sorted(type(outcome).__name__ for outcome in outcomes)
    assert names == ['CircuitOpen', 'Permit']
    (probe,) = [o for o in outcomes if isinstance(o, breaker_mod.Permit)]
    assert probe.probe and breaker.state is HALF_OPEN
    assert not race.overlapped


@pytest.mark.parametrize('ending', [KeyboardInterrupt, SystemExit,
                                    GeneratorExit, RuntimeError])
def test_a_probe_killed_by_anything_counts_as_failed(ending):
    clock = fakes.FakeClock()
    breaker = opened(clock)
    clock.now += 10.0
    with pytest.raises(ending):
        with breaker.admit():
            raise ending()
    # Never stuck half-open: open for a whole cooldown, then the next probe.
    assert breaker.state is OPEN
    with pytest.raises(errors.CircuitOpen) as raised:
        breaker.admit()
    assert raised.value.retry_in == 10.0
    clock.now += 10.0
    assert breaker.admit().probe


def test_a_probe_that_hangs_past_its_limit_counts_as_failed(caplog):
    clock = fakes.FakeClock()
    breaker = opened(clock, probe_timeout=5.0)
    clock.now += 10.0
    hanging = breaker.admit()
    clock.now += 4.9
    with pytest.raises(errors.CircuitOpen) as raised:
        breaker.admit()
    assert raised.value.retry_in == 0.0
    clock.now += 0.1
    # The limit passed: open again, counted from when the probe timed out.
    with pytest.raises(errors.CircuitOpen) as raised:
        breaker.admit()
    assert raised.value.retry_in == pytest.approx(10.0)
    assert 'the probe call took longer than 5.0s' in caplog.text
    clock.now += 10.0
    assert breaker.admit().probe
    # The hung probe answering at last still proves the service is up.
    hanging.answered()
    assert breaker.state is CLOSED


def test_a_probe_that_says_nothing_of_the_service_lets_the_next_probe():
    clock = fakes.FakeClock()
    breaker = opened(clock)
    clock.now += 10.0
    with breaker.admit() as probe:
        probe.neutral()
    assert breaker.admit().probe

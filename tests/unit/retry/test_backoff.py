"""Backoff delays: each jitter kind, and their bounds as properties."""

import random

from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
import pytest

from heat_retry_plugins.retry import backoff
from heat_retry_plugins.retry import policies
from tests.unit.retry import fakes


def make(jitter, **kwargs):
    kwargs.setdefault('initial_delay', 1.0)
    kwargs.setdefault('max_delay', 30.0)
    kwargs.setdefault('multiplier', 2.0)
    return policies.RetryPolicy(jitter=jitter, **kwargs)


def test_no_jitter_is_exponential_then_capped():
    policy = make('none', max_delay=10.0)
    rng = random.Random(1)
    delays = [backoff.backoff_delay(policy, n, None, rng)
              for n in range(1, 7)]
    assert delays == [1.0, 2.0, 4.0, 8.0, 10.0, 10.0]


@pytest.mark.parametrize('retry', [1, 2, 3, 4])
def test_full_jitter_lies_between_zero_and_the_exponential(retry):
    policy = make('full')
    rng = random.Random(retry)
    base = backoff.exponential(policy, retry)
    delays = [backoff.backoff_delay(policy, retry, None, rng)
              for _ in range(500)]
    assert all(0.0 <= d <= base for d in delays)
    # Spread over the whole range, not stuck at one end.
    assert min(delays) < base * 0.1 and max(delays) > base * 0.9


@pytest.mark.parametrize('retry', [1, 2, 3, 4])
def test_equal_jitter_lies_in_the_upper_half(retry):
    policy = make('equal')
    rng = random.Random(retry)
    base = backoff.exponential(policy, retry)
    delays = [backoff.backoff_delay(policy, retry, None, rng)
              for _ in range(500)]
    assert all(base / 2 <= d <= base for d in delays)
    assert min(delays) < base * 0.6


@pytest.mark.parametrize('jitter, low', [('full', 0.0), ('equal', 15.0)])
def test_jitter_spreads_below_max_delay_once_the_exponential_is_past_it(
        jitter, low):
    # The exponential is capped before the jitter is drawn: capping after
    # would make nearly every delay max_delay itself.
    policy = make(jitter, max_delay=30.0)
    rng = random.Random(5)
    delays = [backoff.backoff_delay(policy, 10, None, rng)
              for _ in range(500)]
    assert all(low <= d < 30.0 for d in delays)
    assert min(delays) < low + 3.0


def test_decorrelated_jitter_grows_from_the_previous_delay():
    policy = make('decorrelated', initial_delay=1.0, max_delay=100.0)
    rng = random.Random(3)
    previous = None
    for retry in range(1, 20):
        delay = backoff.backoff_delay(policy, retry, previous, rng)
        high = 3.0 * (previous if previous is not None else 1.0)
        assert 1.0 <= delay <= min(100.0, high)
        previous = delay


def test_huge_exponent_does_not_overflow():
    policy = make('none', multiplier=100.0, max_delay=50.0)
    assert backoff.backoff_delay(policy, 10 ** 6, None, random.Random()) \
        == 50.0


@settings(max_examples=300, deadline=None)
@given(policy=fakes.retry_policies, retry=st.integers(1, 500),
       previous=st.none() | st.floats(0.0, 3600.0), seed=st.integers())
def test_every_delay_lies_within_zero_and_max_delay(policy, retry, previous,
                                                    seed):
    delay = backoff.backoff_delay(policy, retry, previous,
                                  random.Random(seed))
    assert 0.0 <= delay <= policy.max_delay

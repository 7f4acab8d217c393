"""Test doubles for the engine: a fake clock and a scripted call."""

import random

from heat_retry_plugins.retry import retrying
from heat_retry_plugins.retry import verdicts

Verdict = verdicts.Verdict


class FakeClock:
    """A monotonic clock that only sleeping moves."""

    def __init__(self, start=1000.0):
        self.now = start
        self.sleeps = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        assert seconds >= 0
        self.sleeps.append(seconds)
        self.now += seconds


class Failure(Exception):
    """An error the test classifies by its ``classification``."""

    def __init__(self, classification, cost=0.0):
        super().__init__(classification.verdict.value)
        self.classification = classification
        self.cost = cost


def failure(verdict, **kwargs):
    cost = kwargs.pop('cost', 0.0)
    return Failure(verdicts.Classification(verdict, **kwargs), cost=cost)


def classify(exc):
    return getattr(exc, 'classification', verdicts.UNKNOWN)


class Script:
    """A callable that raises or returns the scripted outcomes in turn."""

    def __init__(self, clock, *outcomes):
        self.clock = clock
        self.outcomes = list(outcomes)
        self.calls = 0

    def __call__(self, *args, **kwargs):
        self.calls += 1
        self.last_args = (args, kwargs)
        outcome = self.outcomes.pop(0)
        if isinstance(outcome, BaseException):
            self.clock.now += getattr(outcome, 'cost', 0.0)
            raise outcome
        return outcome


class CountingBudget:
    def __init__(self, tokens):
        self.tokens = tokens
        self.deposits = 0

    def try_spend(self):
        if self.tokens <= 0:
            return False
        self.tokens -= 1
        return True

    def deposit(self):
        self.deposits += 1


def make_retrier(policy, clock, **kwargs):
    kwargs.setdefault('rng', random.Random(42))
    return retrying.Retrier(service='nova', policy=policy, classify=classify,
                            clock=clock, sleep=clock.sleep, **kwargs)

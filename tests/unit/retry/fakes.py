"""Test doubles for the engine: a clock, a scripted call, a service.

The in-memory :class:`Service` holds named things, each with the token of
the call that made it (or none: someone else's); its creates can be made
to fail before or after they act, to land late, or to meet a taken name.
"""

import itertools
import random

from hypothesis import strategies as st

from heat_retry_plugins.retry import policies
from heat_retry_plugins.retry import reconcile
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


#: Any valid RetryPolicy, for the properties.
retry_policies = st.builds(
    policies.RetryPolicy,
    max_attempts=st.integers(1, 100),
    initial_delay=st.floats(0.0, 3600.0),
    max_delay=st.floats(0.0, 3600.0),
    multiplier=st.floats(1.0, 100.0),
    jitter=st.sampled_from(policies.JITTER_KINDS),
    deadline=st.floats(0.0, 86400.0))


def make_retrier(policy, clock, **kwargs):
    kwargs.setdefault('rng', random.Random(42))
    return retrying.Retrier(service='nova', policy=policy, classify=classify,
                            clock=clock, sleep=clock.sleep, **kwargs)


class Thing:
    def __init__(self, id, name, token):
        self.id, self.name, self.token = id, name, token


class Service:
    """Names are unique when ``unique``; faults are consumed in order."""

    def __init__(self, unique=False):
        self.unique = unique
        self.things = []
        self.ids = itertools.count(1)
        self.create_faults = []   # 'after' | 'before' | 'late' | None
        self.lookup_faults = []   # Verdicts of lookups that fail
        self.late = []
        self.creates = 0
        self.deletes = []
        self.stubborn = 0         # looks a deleted thing survives

    def add(self, name, token=None):
        thing = Thing(next(self.ids), name, token)
        self.things.append(thing)
        return thing

    def create(self, name, token):
        self.creates += 1
        fault = self.create_faults.pop(0) if self.create_faults else None
        if fault == 'before':
            raise failure(Verdict.TRANSIENT, status=503)
        if fault == 'late':
            # NOTE: answered 504 at once; the create lands when land() is
            # called, if ever.
            self.late.append((name, token))
            raise failure(Verdict.AMBIGUOUS, status=504)
        if self.unique and any(t.name == name for t in self.things):
            raise failure(Verdict.FATAL, status=409, conflict=True)
        thing = self.add(name, token)
        if fault == 'after':
            raise failure(Verdict.AMBIGUOUS, status=500)
        return thing

    def land(self):
        for name, token in self.late:
            self.add(name, token)
        self.late = []


class ThingReconciler(reconcile.Reconciler):
    """Reconciles the create of ``name`` by ``token`` on a Service."""

    kind = 'thing'

    def __init__(self, service, name, token, adoptable=True):
        self.service = service
        self.thing_name = name
        self.token = token
        self.adoptable = adoptable
        self.settled_with = None
        self.abandoned_with = None

    @property
    def name(self):
        return self.thing_name

    def find(self):
        if self.service.lookup_faults:
            raise failure(self.service.lookup_faults.pop(0), status=503)
        return [t for t in self.service.things if t.name == self.thing_name]

    def is_ours(self, thing):
        return thing.token == self.token

    def identify(self, thing):
        return thing.id

    def delete(self, thing):
        self.service.deletes.append(thing.id)
        if not self.service.stubborn:
            self.service.things.remove(thing)

    def is_gone(self, thing):
        if self.service.stubborn:
            # NOTE: still there at this look; gone after the last one.
            self.service.stubborn -= 1
            if not self.service.stubborn:
                self.service.things.remove(thing)
            return False
        return thing not in self.service.things

    def respond(self, thing):
        return thing

    def settled(self, result, lost_attempts):
        self.settled_with = (result, lost_attempts)

    def abandoned(self, lost_attempts):
        self.abandoned_with = lost_attempts

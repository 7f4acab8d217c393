"""Reconciling creates whose response was lost, by ownership token.

A fake in-memory service holds named things, each with the token of the
call that made it (or none: someone else's). Its creates can be made to
fail before or after they act, to land late, or to meet a taken name.
"""

import itertools
import logging

import pytest

from heat_retry_plugins.retry import decision
from heat_retry_plugins.retry import errors
from heat_retry_plugins.retry import policies
from heat_retry_plugins.retry import reconcile
from heat_retry_plugins.retry import verdicts
from tests.unit.retry import fakes

Verdict = verdicts.Verdict
POLICY = policies.RetryPolicy(max_attempts=4, initial_delay=1.0,
                              max_delay=10.0, jitter='none',
                              deadline=100.0)


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
        self.stubborn = False     # deleted things stay until a later look

    def add(self, name, token=None):
        thing = Thing(next(self.ids), name, token)
        self.things.append(thing)
        return thing

    def create(self, name, token):
        self.creates += 1
        fault = self.create_faults.pop(0) if self.create_faults else None
        if fault == 'before':
            raise fakes.failure(Verdict.TRANSIENT, status=503)
        if fault == 'late':
            # NOTE: answered 504 at once; the create lands later.
            self.late.append((name, token))
            raise fakes.failure(Verdict.AMBIGUOUS, status=504)
        if self.unique and any(t.name == name for t in self.things):
            raise fakes.failure(Verdict.FATAL, status=409, conflict=True)
        thing = self.add(name, token)
        if fault == 'after':
            raise fakes.failure(Verdict.AMBIGUOUS, status=500)
        return thing

    def land(self):
        for name, token in self.late:
            self.add(name, token)
        self.late = []


class ThingReconciler(reconcile.Reconciler):
    kind = 'thing'

    def __init__(self, service, name, token, adoptable=True):
        self.service = service
        self._name = name
        self.token = token
        self.adoptable = adoptable
        self.settled_with = None

    @property
    def name(self):
        return self._name

    def find(self):
        if self.service.lookup_faults:
            raise fakes.failure(self.service.lookup_faults.pop(0),
                                status=503)
        return [t for t in self.service.things if t.name == self._name]

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
            # NOTE: still there at the first look, gone at the next.
            self.service.stubborn = False
            self.service.things.remove(thing)
            return False
        return thing not in self.service.things

    def respond(self, thing):
        return thing

    def settled(self, result, lost_attempts):
        self.settled_with = (result, lost_attempts)


def create(service, name='web-1', token='t1', policy='create', **kwargs):
    clock = fakes.FakeClock()
    reconciler = ThingReconciler(service, name, token, **kwargs)
    retrier = fakes.make_retrier(POLICY, clock)
    result = retrier.call(policies.operation_policy(policy),
                          service.create, (name, token),
                          reconciler=reconciler)
    return result, reconciler, clock


def test_a_lost_create_is_adopted_by_its_token():
    service = Service()
    service.create_faults = ['after']
    made, reconciler, clock = create(service)
    assert made.token == 't1' and service.things == [made]
    assert service.creates == 1
    assert reconciler.settled_with == (made, 1)


def test_a_create_that_made_nothing_is_sent_again_with_the_same_token():
    service = Service()
    service.create_faults = ['before', 'after', None]
    made, reconciler, clock = create(service)
    assert service.creates == 2
    assert [t.token for t in service.things] == ['t1']


def test_a_same_named_thing_without_the_token_is_never_adopted():
    service = Service()
    theirs = service.add('web-1', token=None)
    older_ours = service.add('web-1', token='another-call')
    service.create_faults = ['late']
    made, reconciler, clock = create(service)
    # Neither theirs nor another call's thing was adopted or touched.
    assert made not in (theirs, older_ours)
    assert made.token == 't1'
    assert service.deletes == []
    assert service.things[:2] == [theirs, older_ours]


def test_a_unique_name_taken_by_someone_else_fails_as_a_conflict():
    service = Service(unique=True)
    theirs = service.add('finance', token=None)
    service.create_faults = ['late']   # a 502/504 that was never processed
    service.late = []
    with pytest.raises(fakes.Failure) as raised:
        create(service, name='finance')
    assert raised.value.classification.status == 409
    assert any(decision.GAVE_UP_NOT_OURS in note
               for note in raised.value.__notes__)
    assert service.things == [theirs] and service.deletes == []


def test_a_conflict_after_a_lost_attempt_adopts_what_carries_the_token():
    service = Service(unique=True)
    service.create_faults = ['late']
    service.lookup_faults = [Verdict.TRANSIENT]   # the lookup fails once,

    def land_then_fail(*args, **kwargs):
        service.land()   # the lost create lands before the resend
        return real(*args, **kwargs)
    real = service.create
    service.create = land_then_fail
    made, reconciler, clock = create(service, name='finance')
    assert made.token == 't1' and len(service.things) == 1


def test_a_conflict_on_a_first_attempt_is_raised_at_once():
    service = Service(unique=True)
    service.add('finance', token=None)
    with pytest.raises(fakes.Failure) as raised:
        create(service, name='finance')
    assert raised.value.classification.conflict
    assert service.creates == 1


def test_duplicates_that_carry_the_token_are_deleted_when_one_is_adopted():
    service = Service()
    service.add('web-1', token='t1')
    service.add('web-1', token='t1')
    service.create_faults = ['after']
    made, reconciler, clock = create(service)
    assert [t.token for t in service.things] == ['t1']
    assert made in service.things
    assert len(service.deletes) == 2


def test_a_lookup_failure_is_retried_within_the_deadline():
    service = Service()
    service.create_faults = ['after']
    service.lookup_faults = [Verdict.TRANSIENT]
    made, reconciler, clock = create(service)
    assert service.creates == 1 and made.token == 't1'


def test_a_lookup_that_keeps_failing_raises_the_create_error():
    service = Service()
    service.create_faults = ['after']
    service.lookup_faults = [Verdict.TRANSIENT] * 10
    with pytest.raises(fakes.Failure) as raised:
        create(service)
    assert raised.value.classification.status == 500
    assert any(decision.GAVE_UP_LOOKUP in n for n in raised.value.__notes__)


def test_create_cleanup_deletes_what_carries_the_token_then_resends():
    service = Service()
    theirs = service.add('key', token=None)
    service.create_faults = ['after']
    made, reconciler, clock = create(service, name='key',
                                     policy='create_cleanup')
    assert service.creates == 2
    assert service.things == [theirs, made]
    assert len(service.deletes) == 1


def test_an_unadoptable_resource_is_cleaned_up_as_create_cleanup():
    service = Service()
    service.create_faults = ['after']
    made, reconciler, clock = create(service, adoptable=False)
    assert service.creates == 2 and service.things == [made]


def test_cleanup_waits_until_the_resource_is_gone():
    service = Service()
    service.create_faults = ['after']
    service.stubborn = True
    made, reconciler, clock = create(service, policy='create_cleanup')
    assert clock.sleeps[0] == 1.0   # the backoff of the wait for it to go
    assert service.creates == 2


def test_cleanup_gives_up_when_the_resource_never_goes():
    service = Service()
    service.create_faults = ['after']

    class Stuck(ThingReconciler):
        def is_gone(self, thing):
            return False
    clock = fakes.FakeClock()
    retrier = fakes.make_retrier(POLICY, clock)
    with pytest.raises(errors.ReconcileError) as raised:
        retrier.call(policies.CREATE_CLEANUP, service.create,
                     ('web-1', 't1'),
                     reconciler=Stuck(service, 'web-1', 't1'))
    assert 'not gone before the deadline' in str(raised.value)
    assert raised.value.__cause__.classification.status == 500


def test_a_late_landing_is_reported_to_the_reconciler_for_sweeping():
    service = Service()
    service.create_faults = ['late', None]
    made, reconciler, clock = create(service)
    assert service.creates == 2
    service.land()
    assert reconciler.settled_with == (made, 1)
    extra = reconcile.extras(reconciler, reconciler.find(), made.id)
    assert [t.token for t in extra] == ['t1'] and extra[0] is not made


def test_without_a_reconciler_an_ambiguous_create_is_not_repeated():
    service = Service()
    service.create_faults = ['after']
    clock = fakes.FakeClock()
    retrier = fakes.make_retrier(POLICY, clock)
    with pytest.raises(fakes.Failure):
        retrier.call(policies.CREATE, service.create, ('web-1', 't1'))
    assert service.creates == 1


def test_adoption_and_sweeps_are_logged_with_ids(caplog):
    caplog.set_level(logging.WARNING, logger='heat_retry_plugins')
    service = Service()
    service.add('web-1', token='t1')
    service.add('web-1', token='t1')
    service.create_faults = ['after']
    create(service)
    text = caplog.text
    assert 'Adopted nova thing web-1 (1)' in text
    assert 'Deleted the duplicate nova thing web-1 (2)' in text


def test_what_does_not_cover_the_create_is_cleaned_up_not_adopted():
    class Partial(ThingReconciler):
        def covers(self, thing):
            return False
    reconciler = Partial(Service(), 'x', 't1')
    ours = Thing(1, 'x', 't1')
    assert reconcile.judge(reconciler, [ours]) == reconcile.Cleanup((ours,))


def test_judge_is_a_pure_function_of_what_was_found():
    service = Service()
    reconciler = ThingReconciler(service, 'x', 't1')
    ours, theirs = Thing(1, 'x', 't1'), Thing(2, 'x', None)
    assert reconcile.judge(reconciler, []) == reconcile.Resend()
    assert reconcile.judge(reconciler, [theirs]) == reconcile.Resend(
        (theirs,))
    assert reconcile.judge(reconciler, [theirs, ours]) == reconcile.Adopt(
        ours)
    assert reconcile.judge(reconciler, [ours], adopt=False) == \
        reconcile.Cleanup((ours,))

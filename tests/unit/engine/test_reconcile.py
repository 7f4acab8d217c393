"""Reconciling creates whose response was lost, with a fake service."""

import itertools
import logging

import pytest

from heat_retry_plugins.engine import policy as policy_mod
from heat_retry_plugins.engine import reconcile
from heat_retry_plugins.engine import retrying
from heat_retry_plugins.engine import verdicts
from tests.unit.engine import fakes

Verdict = verdicts.Verdict
POLICY = policy_mod.RetryPolicy(max_attempts=4, initial_delay=1.0,
                                max_delay=10.0, jitter='none',
                                deadline=100.0)


class Thing:
    def __init__(self, id, name, created):
        self.id, self.name, self.created = id, name, created


class Service:
    """An in-memory service whose creates and lookups can be made to fail."""

    def __init__(self, clock, wall_offset=5000.0):
        self.clock = clock
        self.wall_offset = wall_offset
        self.things = []
        self.ids = itertools.count(1)
        self.create_faults = []   # 'after' | 'before' | 'conflict' | None
        self.lookup_faults = []
        self.creates = 0

    def wall(self):
        return self.clock() + self.wall_offset

    def add(self, name, created=None):
        thing = Thing(next(self.ids), name,
                      self.wall() if created is None else created)
        self.things.append(thing)
        return thing

    def create(self, name):
        self.creates += 1
        fault = self.create_faults.pop(0) if self.create_faults else None
        if fault == 'before':
            raise fakes.failure(Verdict.TRANSIENT, status=503)
        if any(t.name == name for t in self.things) and fault != 'dup':
            raise fakes.failure(Verdict.FATAL, status=409, conflict=True)
        thing = self.add(name)
        if fault in ('after', 'dup'):
            raise fakes.failure(Verdict.AMBIGUOUS, status=500)
        return thing


class ThingReconciler(reconcile.Reconciler):
    kind = 'thing'

    def __init__(self, service):
        self.service = service
        self.deleted = []

    def name(self, args, kwargs):
        return kwargs.get('name', args[0] if args else None)

    def find(self, name):
        if self.service.lookup_faults:
            fault = self.service.lookup_faults.pop(0)
            if fault:
                raise fakes.failure(fault, status=503)
        return [t for t in self.service.things if t.name == name]

    def created_at(self, thing):
        return thing.created

    def delete(self, thing):
        self.deleted.append(thing.id)
        self.service.things.remove(thing)


def setup(policy_name='create', policy=POLICY):
    clock = fakes.FakeClock()
    service = Service(clock)
    reconciler = ThingReconciler(service)
    retrier = fakes.make_retrier(policy, clock, wall_clock=service.wall)
    operation = policy_mod.operation_policy(policy_name)

    def create(name):
        return retrier.call(operation, service.create, (name,),
                            reconciler=reconciler)
    return service, reconciler, create, clock


def test_create_adopts_what_the_lost_attempt_made():
    service, reconciler, create, clock = setup()
    service.create_faults = ['after']
    thing = create('web-1')
    assert [t.id for t in service.things] == [thing.id]
    assert service.creates == 1


def test_create_resends_when_the_lost_attempt_made_nothing():
    service, reconciler, create, clock = setup()

    def lost_before_processing(name):
        raise fakes.failure(Verdict.AMBIGUOUS, status=502)
    outcomes = iter([lost_before_processing, service.create])
    retrier = fakes.make_retrier(POLICY, clock, wall_clock=service.wall)
    thing = retrier.call(policy_mod.CREATE,
                         lambda name: next(outcomes)(name), ('db-1',),
                         reconciler=reconciler)
    assert [t.id for t in service.things] == [thing.id]
    assert clock.sleeps == [1.0]


def test_conflict_after_an_ambiguous_attempt_is_that_attempts_work():
    service, reconciler, create, clock = setup()
    # The first lookup fails to see it (eventual consistency), the resend
    # gets 409: the second lookup finds it.
    service.create_faults = ['after']
    service.lookup_faults = []
    original_find = reconciler.find
    views = iter([[], None])

    def find(name):
        view = next(views)
        return original_find(name) if view is None else view
    reconciler.find = find
    thing = create('web-2')
    assert service.creates == 2
    assert [t.id for t in service.things] == [thing.id]


def test_conflict_on_a_first_attempt_is_raised():
    service, reconciler, create, clock = setup()
    service.add('taken', created=service.wall() - 3600)
    with pytest.raises(fakes.Failure) as raised:
        create('taken')
    assert raised.value.classification.conflict


def test_a_transient_lookup_failure_is_retried_within_the_deadline():
    service, reconciler, create, clock = setup()
    service.create_faults = ['after']
    service.lookup_faults = [Verdict.TRANSIENT, Verdict.TRANSIENT, None]
    thing = create('web-3')
    assert [t.id for t in service.things] == [thing.id]
    assert service.creates == 1


def test_a_lookup_that_keeps_failing_raises_the_create_error():
    service, reconciler, create, clock = setup()
    service.create_faults = ['after']
    service.lookup_faults = [Verdict.TRANSIENT] * 10
    with pytest.raises(fakes.Failure) as raised:
        create('web-4')
    assert raised.value.classification.status == 500
    assert service.creates == 1


def test_two_resources_with_the_name_raise_instead_of_guessing():
    service, reconciler, create, clock = setup()
    service.create_faults = ['dup', 'dup']
    reconciler.find = lambda name: [service.add(name), service.add(name)]
    with pytest.raises(reconcile.ReconcileError, match='2 of them exist') \
            as raised:
        create('web-5')
    assert isinstance(raised.value.__cause__, fakes.Failure)


def test_a_resource_that_predates_the_create_is_not_adopted():
    service, reconciler, create, clock = setup()
    service.add('web-6', created=service.wall() - 60)

    def lost(name):
        raise fakes.failure(Verdict.AMBIGUOUS, status=504)
    retrier = fakes.make_retrier(POLICY, clock, wall_clock=service.wall)
    with pytest.raises(reconcile.ReconcileError, match='predates'):
        retrier.call(policy_mod.CREATE, lost, ('web-6',),
                     reconciler=reconciler)


def test_create_without_a_reconciler_raises_on_ambiguous():
    clock = fakes.FakeClock()
    service = Service(clock)
    service.create_faults = ['after']
    retrier = fakes.make_retrier(POLICY, clock)
    with pytest.raises(fakes.Failure):
        retrier.call(policy_mod.CREATE, service.create, ('x',))
    assert service.creates == 1


def test_create_without_a_reconciler_retries_what_was_not_processed():
    clock = fakes.FakeClock()
    service = Service(clock)
    service.create_faults = ['before']
    retrier = fakes.make_retrier(POLICY, clock)
    thing = retrier.call(policy_mod.CREATE, service.create, ('x',))
    assert [t.id for t in service.things] == [thing.id]


def test_create_cleanup_deletes_what_the_lost_attempt_made_then_resends():
    service, reconciler, create, clock = setup('create_cleanup')
    service.create_faults = ['after']
    thing = create('key-1')
    assert reconciler.deleted == [1]
    assert [t.id for t in service.things] == [thing.id] == [2]
    assert service.creates == 2


def test_create_cleanup_waits_until_the_resource_is_gone():
    service, reconciler, create, clock = setup('create_cleanup')
    service.create_faults = ['after']
    gone_after = iter([False, False, True])
    reconciler.is_gone = lambda thing: next(gone_after)
    create('key-2')
    assert service.creates == 2
    # Two polls for the delete, then the backoff before the resend.
    assert clock.sleeps == [1.0, 2.0, 1.0]


def test_create_cleanup_gives_up_when_it_never_goes():
    service, reconciler, create, clock = setup('create_cleanup')
    service.create_faults = ['after']
    reconciler.is_gone = lambda thing: False
    with pytest.raises(reconcile.ReconcileError, match='not gone'):
        create('key-3')
    assert sum(clock.sleeps) < POLICY.deadline


def test_adoption_and_cleanup_are_logged(caplog):
    caplog.set_level(logging.WARNING, logger='heat_retry_plugins')
    service, reconciler, create, clock = setup()
    service.create_faults = ['after']
    create('web-9')
    (record,) = caplog.records
    assert record.getMessage().startswith(
        'Adopted nova thing web-9 (1) that the lost attempt 1 of')


def test_reconcile_errors_say_what_and_why():
    error = reconcile.ReconcileError('server', 'web', [1, 2], 'two exist')
    assert str(error) == ("Cannot reconcile the server named 'web' after "
                          "its create failed ambiguously: two exist")
    assert retrying.GAVE_UP_LOOKUP

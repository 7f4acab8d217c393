"""Pending sweeps: what a request names, and the background sweeps."""

import threading
import types

from heat_retry_plugins.retry import policies
from heat_retry_plugins.retry import reconcile
from heat_retry_plugins.retry import verdicts
from heat_retry_plugins.session import sweeps
from tests.unit.fakecloud import helpers
from tests.unit.retry import fakes


class Things(reconcile.Reconciler):
    """A reconciler over a list of (id, token) held by its lookup."""

    kind = 'thing'
    name = 'web-1'

    def __init__(self, lookup, create):
        self.lookup, self.create = lookup, create

    def find(self):
        return list(self.lookup)

    def is_ours(self, thing):
        return thing[1] == self.create.token

    def identify(self, thing):
        return thing[0]

    def delete(self, thing):
        self.lookup.remove(thing)

    def is_gone(self, thing):
        return thing not in self.lookup

    def respond(self, thing):
        return thing


#: How long a test waits for the background thread before it fails.
PATIENCE = 10.0


def pending(kept='a', lookup=None, token='t1'):
    return sweeps.Pending('nova', kept, Things,
                          types.SimpleNamespace(token=token), lookup=lookup,
                          orphaned=kept is None)


class Held(list):
    """What a lookup holds; ``removed`` is set by the first delete."""

    def __init__(self, *items):
        super().__init__(items)
        self.removed = threading.Event()

    def remove(self, item):
        super().remove(item)
        self.removed.set()


def test_a_request_names_a_pending_resource_by_a_segment_of_its_path():
    watched = sweeps.PendingSweeps(after=())
    entry = pending('1234')
    watched.watch(entry)
    assert watched.due('nova', '/v2.1/servers/1234/os-interface') == [entry]
    assert watched.due('nova', '/servers/12345') == []
    assert watched.due('cinder', '/volumes/1234') == []
    watched.forget(entry)
    assert not watched


def test_a_sweep_deletes_only_the_others_that_carry_the_token():
    held = [('a', 't1'), ('b', 't1'), ('c', 'their-token'), ('d', None)]
    sweeps.sweep(pending('a'), held)
    assert held == [('a', 't1'), ('c', 'their-token'), ('d', None)]


def test_a_failing_sweep_never_raises(caplog):
    class Broken(list):
        def __iter__(self):
            raise ConnectionError('down')
    sweeps.sweep(pending('a'), Broken())
    assert 'Could not sweep the duplicates of nova thing a' in caplog.text


class Flaky(list):
    """A lookup whose first ``failures`` looks fail (a 503 by default)."""

    def __init__(self, failures, *items, error=None):
        super().__init__(items)
        self.failures = failures
        self.error = error or fakes.failure(verdicts.Verdict.TRANSIENT,
                                            status=503)

    def __iter__(self):
        if self.failures:
            self.failures -= 1
            raise self.error
        return super().__iter__()


def sweep_flaky(failures, max_attempts=3):
    """Sweep a lookup whose first ``failures`` looks fail with a 503.

    :returns: ``(held, clock, retrier)``.
    """
    clock = fakes.FakeClock()
    held = Flaky(failures, ('a', 't1'), ('b', 't1'))
    retrier = fakes.make_retrier(
        policies.RetryPolicy(max_attempts=max_attempts), clock)
    sweeps.sweep(pending('a'), held, retrier)
    return held, clock, retrier


def test_a_sweep_retries_a_lookup_that_failed_under_the_retrier(caplog):
    held, clock, _ = sweep_flaky(2)
    assert list(held) == [('a', 't1')]
    assert len(clock.sleeps) == 2
    assert 'Could not sweep' not in caplog.text


def test_a_sweep_that_exhausts_its_retrier_is_tried_again_later(caplog):
    held, _, retrier = sweep_flaky(3)
    assert 'Could not sweep the duplicates of nova thing a' in caplog.text
    sweeps.sweep(pending('a'), held, retrier)
    assert list(held) == [('a', 't1')]


def test_a_sweep_retries_for_its_own_deadline_not_the_policys(caplog):
    # One thread sweeps every service: a rate limit of one must not hold
    # it for the policy's 300 s.
    clock = fakes.FakeClock()
    throttled = fakes.failure(verdicts.Verdict.THROTTLED, status=429,
                              retry_after=8.0)
    held = Flaky(100, ('a', 't1'), ('b', 't1'), error=throttled)
    policy = policies.RetryPolicy(max_attempts=100, deadline=300.0)
    retrier = fakes.make_retrier(policy, clock)
    sweeps.sweep(pending('a'), held, retrier)
    assert 'Could not sweep the duplicates of nova thing a' in caplog.text
    assert sum(clock.sleeps) < sweeps.SWEEP_DEADLINE
    assert len(clock.sleeps) == 3
    assert retrier.policy.deadline == 300.0


def test_background_sweeps_run_after_the_call_without_any_request():
    held = Held(('a', 't1'))
    watched = sweeps.PendingSweeps(after=(0.05, 0.2))
    watched.watch(pending('a', lookup=lambda: held))
    held.append(('late', 't1'))
    assert held.removed.wait(PATIENCE)
    assert held == [('a', 't1')]
    watched.clear()


def test_a_forgotten_resource_is_not_swept_in_the_background():
    calls = []
    later = threading.Event()
    watched = sweeps.PendingSweeps(after=(0.05,))
    entry = pending('a', lookup=lambda: calls.append(1) or [])
    watched.watch(entry)
    watched.forget(entry)
    # Swept in due order: once the later one ran, the first was passed by.
    watched.watch(pending('b', lookup=lambda: later.set() or []))
    assert later.wait(PATIENCE)
    assert calls == []
    watched.clear()


def test_an_orphan_sweep_deletes_every_one_that_carries_the_token(caplog):
    held = [('a', 't1'), ('b', 't1'), ('c', 'their-token'), ('d', None)]
    sweeps.sweep(pending(None), held)
    assert held == [('c', 'their-token'), ('d', None)]
    assert 'Deleted the orphan nova thing web-1 (a)' in caplog.text


def test_orphans_are_never_named_by_a_request_and_their_watch_ends():
    # Two calls that gave up, of the same name: one entry each.
    held = Held()
    watched = sweeps.PendingSweeps(after=(0.05, 0.1))
    watched.watch(pending(None, lookup=lambda: held, token='t1'))
    watched.watch(pending(None, lookup=lambda: held, token='t2'))
    assert watched.due('nova', '/servers/t1') == []
    held.append(('late', 't2'))
    assert held.removed.wait(PATIENCE)
    helpers.poll(lambda: not watched, deadline=PATIENCE)
    assert held == []
    watched.clear()


def test_the_registry_is_bounded():
    watched = sweeps.PendingSweeps(limit=2, after=())
    for kept in ('a', 'b', 'c'):
        watched.watch(pending(kept))
    assert watched.due('nova', '/x/a') == []
    assert [p.kept_id for p in watched.due('nova', '/b/c')] == ['b', 'c']

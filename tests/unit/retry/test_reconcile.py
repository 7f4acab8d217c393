"""The contract of a reconciler: what judge() and extras() make of a lookup.

What the retry loop does with the judgement (adopt, clean up, resend, and
the lookups and deletes it retries) is test_retrying's.
"""

from heat_retry_plugins.retry import reconcile
from tests.unit.retry import fakes

Thing = fakes.Thing


def reconciler(token='t1', **kwargs):
    return fakes.ThingReconciler(fakes.Service(), 'x', token, **kwargs)


def test_nothing_found_is_resent():
    assert reconcile.judge(reconciler(), []) == reconcile.Resend()


def test_what_carries_no_token_is_foreign_and_resent():
    theirs, others = Thing(1, 'x', None), Thing(2, 'x', 'another-call')
    assert reconcile.judge(reconciler(), [theirs, others]) == \
        reconcile.Resend((theirs, others))


def test_the_first_that_carries_the_token_is_adopted_the_others_extra():
    theirs = Thing(1, 'x', None)
    first, second = Thing(2, 'x', 't1'), Thing(3, 'x', 't1')
    assert reconcile.judge(reconciler(), [theirs, first, second]) == \
        reconcile.Adopt(first, (second,))


def test_under_create_cleanup_what_carries_the_token_is_cleaned_up():
    ours, theirs = Thing(1, 'x', 't1'), Thing(2, 'x', None)
    assert reconcile.judge(reconciler(), [theirs, ours], adopt=False) == \
        reconcile.Cleanup((ours,))


def test_an_unadoptable_kind_is_cleaned_up_even_under_create():
    ours = Thing(1, 'x', 't1')
    assert reconcile.judge(reconciler(adoptable=False), [ours]) == \
        reconcile.Cleanup((ours,))


def test_what_does_not_cover_the_create_is_cleaned_up_not_adopted():
    class Partial(fakes.ThingReconciler):
        def covers(self, thing):
            return False
    partial = Partial(fakes.Service(), 'x', 't1')
    ours = Thing(1, 'x', 't1')
    assert reconcile.judge(partial, [ours]) == reconcile.Cleanup((ours,))


def test_a_sweep_takes_what_carries_the_token_but_the_kept_one():
    kept, late = Thing(1, 'x', 't1'), Thing(2, 'x', 't1')
    theirs, others = Thing(3, 'x', None), Thing(4, 'x', 'another-call')
    assert reconcile.extras(reconciler(), [kept, theirs, late, others],
                            kept.id) == [late]

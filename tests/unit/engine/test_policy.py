"""Retry policies: validation of the numbers, the named policies."""

import dataclasses

import pytest

from heat_retry_plugins.engine import policy as policy_mod


def test_retry_policy_is_frozen():
    policy = policy_mod.RetryPolicy()
    with pytest.raises(dataclasses.FrozenInstanceError):
        policy.max_attempts = 10


@pytest.mark.parametrize('field, value', [
    ('max_attempts', 0), ('initial_delay', -1.0), ('max_delay', -0.1),
    ('deadline', float('inf')), ('multiplier', 0.5),
    ('multiplier', float('nan')), ('jitter', 'random'),
])
def test_out_of_range_numbers_are_rejected(field, value):
    with pytest.raises(ValueError, match=field):
        policy_mod.RetryPolicy(**{field: value})


def test_named_policies_and_their_ambiguous_handling():
    actions = {name: p.on_ambiguous
               for name, p in policy_mod.OPERATION_POLICIES.items()}
    assert actions == {
        'default': policy_mod.OnAmbiguous.RETRY,
        'delete': policy_mod.OnAmbiguous.RETRY,
        'create': policy_mod.OnAmbiguous.RECONCILE,
        'create_cleanup': policy_mod.OnAmbiguous.CLEANUP,
        'never': policy_mod.OnAmbiguous.RAISE,
    }
    assert policy_mod.operation_policy('delete').not_found_is_done


@pytest.mark.parametrize('name', ['Create', 'retry', '', None, ['default']])
def test_unknown_policy_names_are_rejected_with_the_choices(name):
    with pytest.raises(policy_mod.UnknownPolicy) as raised:
        policy_mod.operation_policy(name)
    assert 'create, create_cleanup, default, delete, never' in str(
        raised.value)

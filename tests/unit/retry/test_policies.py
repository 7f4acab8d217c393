"""Retry policies: validation of the numbers, the named policies."""

import dataclasses

import pytest

from heat_retry_plugins.retry import policies


def test_retry_policy_is_frozen():
    policy = policies.RetryPolicy()
    with pytest.raises(dataclasses.FrozenInstanceError):
        policy.max_attempts = 10


@pytest.mark.parametrize('field, value', [
    ('max_attempts', 0), ('initial_delay', -1.0), ('max_delay', -0.1),
    ('deadline', float('inf')), ('multiplier', 0.5),
    ('multiplier', float('nan')), ('jitter', 'random'),
    ('max_attempts', float('nan')), ('max_attempts', True),
    ('max_attempts', 1.5), ('max_attempts', '3'), ('initial_delay', '1'),
    ('max_delay', False), ('deadline', float('nan')),
])
def test_out_of_range_numbers_are_rejected(field, value):
    with pytest.raises(ValueError, match=field):
        policies.RetryPolicy(**{field: value})


def test_named_policies_and_their_ambiguous_handling():
    actions = {name: p.on_ambiguous
               for name, p in policies.OPERATION_POLICIES.items()}
    assert actions == {
        'default': policies.OnAmbiguous.RETRY,
        'delete': policies.OnAmbiguous.RETRY,
        'create': policies.OnAmbiguous.RECONCILE,
        'create_cleanup': policies.OnAmbiguous.CLEANUP,
        'never': policies.OnAmbiguous.RAISE,
    }
    assert policies.operation_policy('delete').not_found_is_done


@pytest.mark.parametrize('name', ['Create', 'retry', '', None, ['default']])
def test_unknown_policy_names_are_rejected_with_the_choices(name):
    with pytest.raises(policies.UnknownPolicy) as raised:
        policies.operation_policy(name)
    assert 'create, create_cleanup, default, delete, never' in str(
        raised.value)

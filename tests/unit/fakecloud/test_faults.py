#
#    Licensed under the Apache License, Version 2.0 (the "License"); you may
#    not use this file except in compliance with the License. You may obtain
#    a copy of the License at
#
#         http://www.apache.org/licenses/LICENSE-2.0
#
#    Unless required by applicable law or agreed to in writing, software
#    distributed under the License is distributed on an "AS IS" BASIS, WITHOUT
#    WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the
#    License for the specific language governing permissions and limitations
#    under the License.

"""Fault specs and the seeded decisions of which requests fail."""

import email.utils
import random

from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
import pytest

from heat_retry_plugins.fakecloud import faults


class FakeClock:
    """A monotonic clock the test moves by hand."""

    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def decisions(injector, count, service='compute', method='GET',
              path='/servers'):
    return [injector.decide(service, method, path) is not None
            for _ in range(count)]


def test_first_selects_the_first_k_matching_requests():
    injector = faults.FaultInjector([{'first': 2, 'fault': 503}])
    assert decisions(injector, 5) == [True, True, False, False, False]


def test_every_selects_every_nth_request():
    injector = faults.FaultInjector([{'every': 3, 'fault': 503}])
    assert decisions(injector, 7) == [False, False, True, False, False,
                                      True, False]


def test_rate_is_repeatable_for_a_seed():
    spec = [{'rate': 0.3, 'fault': {'status': 500}}]
    first = decisions(faults.FaultInjector(spec, seed=42), 200)
    second = decisions(faults.FaultInjector(spec, seed=42), 200)
    other = decisions(faults.FaultInjector(spec, seed=43), 200)
    assert first == second
    assert first != other
    assert 30 < sum(first) < 90


def test_rate_rule_zero_draws_from_random_with_the_seed():
    rng = random.Random(7)
    expected = [rng.random() < 0.5 for _ in range(50)]
    injector = faults.FaultInjector([{'rate': 0.5, 'fault': 503}], seed=7)
    assert decisions(injector, 50) == expected


def test_rules_keep_their_own_counters():
    injector = faults.FaultInjector([
        {'path': '^/servers$', 'first': 1, 'fault': 503},
        {'path': '^/flavors$', 'first': 1, 'fault': 'drop_before'},
    ])
    assert injector.decide('compute', 'GET', '/flavors').kind == (
        'drop_before')
    assert injector.decide('compute', 'GET', '/servers').status == 503
    assert injector.decide('compute', 'GET', '/servers') is None


def test_service_method_and_path_must_match():
    injector = faults.FaultInjector([{
        'service': 'compute', 'method': ['post', 'DELETE'],
        'path': r'^/servers(/[^/]+)?$', 'fault': 502}])
    assert injector.decide('compute', 'POST', '/servers') is not None
    assert injector.decide('compute', 'DELETE', '/servers/x') is not None
    assert injector.decide('compute', 'GET', '/servers') is None
    assert injector.decide('identity', 'POST', '/servers') is None
    assert injector.decide('compute', 'POST', '/servers/x/action') is None


def test_window_counts_from_the_spec_and_max_faults_caps():
    clock = FakeClock()
    injector = faults.FaultInjector(
        [{'window': [1, 2], 'max_faults': 2, 'fault': 503}], clock=clock)
    assert decisions(injector, 2) == [False, False]
    clock.now += 1.5
    assert decisions(injector, 3) == [True, True, False]
    clock.now += 1.0
    assert decisions(injector, 1) == [False]
    injector.set_spec([{'window': [0, 1], 'fault': 503}])
    assert decisions(injector, 1) == [True]


def test_fault_shorthands_and_labels():
    rules = faults.parse_spec([
        {'fault': 503},
        {'fault': 'ambiguous_502'},
        {'fault': {'status_after': 504}},
        {'fault': {'kind': 'ambiguous'}},
        {'fault': {'kind': 'slow', 'seconds': 0.5}},
        {'fault': {'kind': 'refuse'}, 'service': 'image', 'window': [0, 1]},
        {'fault': {'kind': 'refuse', 'seconds': 1}},
    ])
    assert [r.fault.label for r in rules] == [
        '503', 'ambiguous_502', 'ambiguous_504', 'ambiguous_500', 'slow',
        'refuse', 'refuse']
    assert rules[5].scheduled and not rules[6].scheduled


@pytest.mark.parametrize('spec', [
    [{'first': 1}],
    [{'fault': {'kind': 'explode'}}],
    [{'fault': 200}],
    [{'fault': 503, 'rate': 1.5}],
    [{'fault': 503, 'rate': 0.1, 'first': 1}],
    [{'fault': 503, 'every': 0}],
    [{'fault': 503, 'window': [3, 1]}],
    [{'fault': 503, 'service': 'volume'}],
    [{'fault': 503, 'colour': 'red'}],
    [{'fault': {'kind': 'refuse'}}],
    [{'fault': {'kind': 'refuse'}, 'window': [0, 1], 'first': 1}],
    ['not a mapping'],
    [{'fault': 503, 'path': 'web('}],
    [{'fault': 503, 'path': 5}],
    [{'fault': 503, 'method': [1]}],
    [{'fault': 503, 'method': []}],
    [{'fault': 503, 'service': ['compute']}],
    [{'fault': 503, 'project': ''}],
    [{'fault': 503, 'project': ['a', 7]}],
    [{'fault': 503, 'window': 5}],
    [{'fault': 503, 'window': ['a', 'b']}],
    [{'fault': 503, 'rate': 'often'}],
    [{'fault': 503, 'first': True}],
    [{'fault': 503, 'first': 1.5}],
    [{'fault': 503, 'max_faults': -1}],
    [{'fault': 503, 'name': ['x']}],
    [{'fault': {'kind': 5}}],
    [{'fault': {'status': 1e400}}],
    [{'fault': {'status': True}}],
    [{'fault': {'kind': 'slow', 'seconds': '1'}}],
    [{'fault': {'kind': 'slow', 'seconds': float('inf')}}],
    [{'fault': {'kind': 'slow', 'seconds': -1}}],
    [{'fault': {'status': 503, 'retry_after': []}}],
    [{'fault': {'status': 503, 'retry_after': float('nan')}}],
    [{'fault': {'status': 503, 'retry_after': 'http-date:+1' + '0' * 30}}],
    [{'fault': {'status': 503, 'body': ['json']}}],
    [{'fault': {'kind': 'slow_create', 'status': 429}}],
    [{'fault': {'kind': 'slow_create', 'status': 'soon'}}],
    [{'fault': {'kind': 'refuse'}, 'project': 'a', 'window': [0, 1]}],
    {'faults': [], 'colour': 'red'},
    {'faults': 'a string'},
    {'faults': [], 'seed': 'abc'},
    {'faults': [], 'seed': True},
    {'faults': [], 'seed': 1.5},
    {'faults': [], 'seed': -1},
    {'faults': {'fault': 503}},
    42,
])
def test_invalid_specs_are_rejected(spec):
    with pytest.raises(ValueError):
        faults.parse_spec(spec)


def test_errors_name_the_rule_and_the_key():
    with pytest.raises(ValueError) as info:
        faults.parse_spec([{'fault': 503}, {'path': 'a[', 'fault': 503}])
    message = str(info.value)
    assert message.startswith("rule 1: path 'a[' is not a valid regular ")
    assert '\n' not in message
    with pytest.raises(ValueError) as info:
        faults.parse_spec([{'fault': {'kind': 'slow', 'seconds': 'x' * 500}}])
    assert 'rule 0: fault seconds' in str(info.value)
    assert len(str(info.value)) < 200


_RULE_KEYS = ('service', 'method', 'path', 'project', 'rate', 'first',
              'every', 'window', 'max_faults', 'fault', 'name')
_OTHER_KEYS = ('kind', 'status', 'status_after', 'retry_after', 'seconds',
               'body', 'faults', 'seed', 'x')
_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() |
    st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
        st.sampled_from(_RULE_KEYS + _OTHER_KEYS), inner, max_size=4),
    max_leaves=12)
_rule = st.dictionaries(st.sampled_from(_RULE_KEYS), _json, max_size=5)


# NOTE: no top-level string: parse_spec would read it as a file path.
@settings(max_examples=300, deadline=None)
@given(spec=st.lists(_rule, max_size=2) | _json.filter(
    lambda value: not isinstance(value, str)))
def test_any_json_spec_is_accepted_or_a_value_error(spec):
    try:
        rules = faults.parse_spec(spec)
    except ValueError as exc:
        assert '\n' not in str(exc)
    else:
        assert all(isinstance(rule, faults.FaultRule) for rule in rules)


def test_slow_create_defaults_shorthand_and_label():
    (default, shorthand, explicit) = faults.parse_spec([
        {'fault': 'slow_create'},
        {'fault': 'slow_create_502'},
        {'fault': {'kind': 'slow_create', 'status': 503, 'seconds': 0.2}}])
    assert (default.fault.status, default.fault.seconds) == (504, 1.0)
    assert default.fault.label == 'slow_create_504'
    assert shorthand.fault.label == 'slow_create_502'
    assert (explicit.fault.label, explicit.fault.seconds) == (
        'slow_create_503', 0.2)


def test_a_project_rule_matches_only_its_projects():
    injector = faults.FaultInjector([
        {'project': ['team-a', 'id-c'], 'first': 1, 'fault': 429}])
    assert injector.decide('compute', 'GET', '/servers') is None
    assert injector.decide('compute', 'GET', '/servers',
                           frozenset({'id-b', 'team-b'})) is None
    # Requests of other projects do not use up the rule's first: 1.
    assert injector.decide('compute', 'GET', '/servers',
                           frozenset({'id-a', 'team-a'})).status == 429
    assert injector.decide('compute', 'GET', '/servers',
                           frozenset({'id-c', 'team-c'})) is None


def test_a_rejected_spec_or_seed_changes_nothing():
    injector = faults.FaultInjector([{'rate': 0.5, 'fault': 503}], seed=4)
    rules = injector.rules
    for spec, seed in (([{'fault': 'bogus'}], None),
                       ([{'fault': 503}], 'abc'),
                       ({'faults': [{'fault': 503}], 'seed': -3}, None),
                       ([{'fault': 503}], True)):
        with pytest.raises(ValueError):
            injector.set_spec(spec, seed)
        assert injector.seed == 4 and injector.rules == rules
    injector.set_spec([{'fault': 503}])
    assert injector.seed == 4
    injector.set_spec({'faults': [{'fault': 503}], 'seed': 9})
    assert injector.seed == 9
    injector.set_spec({'faults': [], 'seed': 9}, seed=2)
    assert injector.seed == 2
    with pytest.raises(ValueError):
        faults.FaultInjector([], seed=-1)
    assert faults.FaultInjector({'faults': [], 'seed': 6}).seed == 6


def test_retry_after_forms():
    now = 1700000000.0
    assert faults.Fault('status', 503, 7).retry_after_header() == '7'
    literal = faults.Fault('status', 503, 'soon-ish').retry_after_header()
    assert literal == 'soon-ish'
    date = faults.Fault('status', 503, 'http-date:+30').retry_after_header(
        now)
    assert date == email.utils.formatdate(now + 30, usegmt=True)
    assert faults.Fault('status', 503).retry_after_header() is None

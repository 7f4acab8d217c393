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

"""Fault specs and decisions, alone and through the real clients."""

import datetime
import email.utils
import re
import time

from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from keystoneauth1 import exceptions as ks_exc
from novaclient import client as nova_client
from novaclient import exceptions as nova_exc
import pytest
import requests
import urllib3

from heat_retry_plugins.fakecloud import faults
from heat_retry_plugins.fakecloud import glance
from tests.unit.fakecloud import helpers

IMAGE = glance.CIRROS_IMAGE_ID


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


# -- the spec and the decisions, without HTTP --------------------------------

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
    import random
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


# -- through HTTP and the real clients ----------------------------------------

def _outcomes(cloud, count):
    nova = helpers.nova(helpers.make_session(cloud))
    outcomes = []
    for _ in range(count):
        try:
            nova.flavors.get('1')
            outcomes.append('ok')
        except nova_exc.ClientException as exc:
            outcomes.append(exc.code)
    return outcomes


def test_a_seed_gives_the_same_fault_sequence_twice(make_cloud):
    spec = [{'service': 'compute', 'path': '^/flavors/', 'rate': 0.4,
             'fault': {'status': 503}}]
    first = _outcomes(make_cloud(faults=spec, seed=5), 30)
    second = _outcomes(make_cloud(faults=spec, seed=5), 30)
    assert first == second
    assert 503 in first and 'ok' in first


def test_first_two_post_servers_fail_with_503_then_succeed(make_cloud):
    cloud = make_cloud(faults=[{
        'service': 'compute', 'method': 'POST', 'path': '^/servers$',
        'first': 2, 'fault': {'status': 503}}])
    nova = helpers.nova(helpers.make_session(cloud))
    codes = []
    for _ in range(3):
        try:
            server = nova.servers.create('web', IMAGE, '1')
        except nova_exc.ClientException as exc:
            codes.append(exc.code)
    assert codes == [503, 503]
    assert [s['id'] for s in cloud.objects('server')] == [server.id]
    counters = cloud.counters()
    assert counters['requests']['compute POST /servers'] == {'202': 1,
                                                             '503': 2}
    assert counters['faults'] == {'503': 2}
    assert counters['created']['server'] == 1


def test_error_bodies_are_the_services_own(make_cloud):
    cloud = make_cloud(faults=[
        {'service': 'compute', 'path': '^/limits$', 'fault': 413},
        {'service': 'compute', 'path': '^/os-keypairs$', 'fault': 500},
        {'service': 'identity', 'path': '^/projects$', 'fault': 503},
        {'service': 'image', 'path': '^/images$', 'fault': 503},
        {'service': 'compute', 'path': '^/flavors$',
         'fault': {'status': 502, 'body': 'html'}}])
    token = helpers.make_session(cloud).get_token()
    headers = {'X-Auth-Token': token}
    compute = cloud.endpoint('compute')
    body = requests.get(compute + '/limits', headers=headers).json()
    assert body['overLimit']['code'] == 413
    body = requests.get(compute + '/os-keypairs', headers=headers).json()
    assert body['computeFault']['code'] == 500
    body = requests.get(cloud.auth_url + '/projects', headers=headers).json()
    assert body['error']['code'] == 503
    assert body['error']['title'] == 'Service Unavailable'
    response = requests.get(cloud.base_url('image') + '/v2/images',
                            headers=headers)
    assert response.headers['Content-Type'].startswith('text/html')
    assert '503 Service Unavailable' in response.text
    response = requests.get(compute + '/flavors', headers=headers)
    assert response.status_code == 502
    assert '<h1>502 Bad Gateway</h1>' in response.text


def test_retry_after_reaches_novaclient(make_cloud):
    cloud = make_cloud(faults=[
        {'service': 'compute', 'path': '^/limits$', 'first': 1,
         'fault': {'status': 429, 'retry_after': 4}},
        {'service': 'compute', 'path': '^/os-availability-zone$',
         'first': 1, 'fault': {'status': 503,
                               'retry_after': 'http-date:+120'}},
        {'service': 'compute', 'path': '^/flavors$', 'first': 1,
         'fault': {'status': 503, 'retry_after': 'Fri, 31 Feb 20x'}}])
    session = helpers.make_session(cloud)
    nova = helpers.nova(session)
    with pytest.raises(nova_exc.RateLimit) as info:
        nova.limits.get()
    assert info.value.retry_after == 4
    response = session.get(cloud.endpoint('compute') +
                           '/os-availability-zone', raise_exc=False)
    assert response.status_code == 503
    header = response.headers['Retry-After']
    # RFC 7231 IMF-fixdate: e.g. 'Sun, 06 Nov 1994 08:49:37 GMT'.
    assert re.fullmatch(r'(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d '
                        r'(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) '
                        r'\d{4} \d\d:\d\d:\d\d GMT', header)
    when = email.utils.parsedate_to_datetime(header)
    ahead = when - datetime.datetime.now(datetime.timezone.utc)
    assert 100 < ahead.total_seconds() <= 121
    response = session.get(cloud.endpoint('compute') + '/flavors',
                           raise_exc=False)
    assert response.headers['Retry-After'] == 'Fri, 31 Feb 20x'


def test_drop_after_creates_the_server_and_the_client_sees_a_failure(
        make_cloud):
    cloud = make_cloud(faults=[{
        'service': 'compute', 'method': 'POST', 'path': '^/servers$',
        'first': 1, 'fault': {'kind': 'drop_after'}}])
    nova = helpers.nova(helpers.make_session(cloud))
    with pytest.raises(ks_exc.ConnectFailure) as info:
        nova.servers.create('orphan', IMAGE, '1')
    chain = helpers.exception_chain(info.value)
    assert any(isinstance(e, urllib3.exceptions.ProtocolError)
               for e in chain)
    assert [s['name'] for s in cloud.objects('server')] == ['orphan']
    counters = cloud.counters()
    assert counters['requests']['compute POST /servers'] == {'dropped': 1}
    assert counters['faults'] == {'drop_after': 1}
    # The connection pool recovers: the next call works.
    assert nova.servers.list()[0].name == 'orphan'


def test_keystoneauth_connect_retries_resend_a_dropped_post(make_cloud):
    # Heat passes connect_retries=client_retry_limit (2) to novaclient:
    # keystoneauth then re-sends a POST whose connection was dropped after
    # the server processed it, and Nova ends up with a duplicate.
    cloud = make_cloud(faults=[{
        'service': 'compute', 'method': 'POST', 'path': '^/servers$',
        'first': 1, 'fault': 'drop_after'}])
    nova = nova_client.Client('2.1', session=helpers.make_session(cloud),
                              connect_retries=2)
    nova.servers.create('twice', IMAGE, '1')
    counters = cloud.counters()
    assert counters['requests']['compute POST /servers'] == {
        '202': 1, 'dropped': 1}
    assert counters['live']['server'] == 2
    assert counters['duplicates']['server'] == 1
    assert counters['duplicates_total'] == 1


def test_drop_before_does_not_process_the_request(make_cloud):
    cloud = make_cloud(faults=[{
        'service': 'compute', 'method': 'POST', 'path': '^/servers$',
        'first': 1, 'fault': 'drop_before'}])
    nova = helpers.nova(helpers.make_session(cloud))
    with pytest.raises(ks_exc.ConnectFailure):
        nova.servers.create('never', IMAGE, '1')
    assert cloud.objects('server') == []
    nova.servers.create('second', IMAGE, '1')
    assert [s['name'] for s in cloud.objects('server')] == ['second']


def test_ambiguous_500_processes_the_request_then_fails(make_cloud):
    cloud = make_cloud(faults=[
        {'service': 'compute', 'method': 'POST', 'path': '^/servers$',
         'first': 1, 'fault': 'ambiguous_500'},
        {'service': 'compute', 'method': 'DELETE', 'path': '^/servers/',
         'first': 1, 'fault': {'status_after': 504}}])
    nova = helpers.nova(helpers.make_session(cloud))
    with pytest.raises(nova_exc.ClientException) as info:
        nova.servers.create('maybe', IMAGE, '1')
    assert info.value.code == 500
    (server,) = cloud.objects('server')
    with pytest.raises(nova_exc.ClientException) as info:
        nova.servers.delete(server['id'])
    assert info.value.code == 504
    assert cloud.objects('server') == []
    assert cloud.counters()['faults'] == {'ambiguous_500': 1,
                                          'ambiguous_504': 1}


def test_slow_fault_times_the_client_out(make_cloud):
    cloud = make_cloud(faults=[{
        'service': 'compute', 'path': '^/flavors/1$', 'first': 1,
        'fault': {'kind': 'slow', 'seconds': 1.0}}])
    session = helpers.make_session(cloud, timeout=0.3)
    nova = helpers.nova(session)
    session.get_token()
    started = time.monotonic()
    with pytest.raises(ks_exc.ConnectTimeout):
        nova.flavors.get('1')
    assert time.monotonic() - started < 0.9
    assert nova.flavors.get('1').name == 'm1.tiny'


def test_401_fault_expires_the_token_and_keystoneauth_reauthenticates(
        make_cloud):
    cloud = make_cloud(faults=[{
        'service': 'compute', 'path': '^/flavors/1$', 'first': 1,
        'fault': 401}])
    session = helpers.make_session(cloud)
    nova = helpers.nova(session)
    old_token = session.get_token()
    assert nova.flavors.get('1').name == 'm1.tiny'
    assert session.get_token() != old_token
    response = requests.get(cloud.endpoint('compute') + '/flavors',
                            headers={'X-Auth-Token': old_token})
    assert response.status_code == 401
    requests_ = cloud.counters()['requests']
    assert requests_['compute GET /flavors/{id}'] == {'200': 1, '401': 1}
    assert requests_['identity POST /auth/tokens'] == {'201': 2}


def test_star_rules_apply_to_token_requests(make_cloud):
    cloud = make_cloud(faults=[{'path': 'tokens', 'first': 1,
                                'fault': 503}])
    session = helpers.make_session(cloud)
    with pytest.raises(ks_exc.ServiceUnavailable):
        session.get_token()
    assert session.get_token()
    assert cloud.counters()['requests']['identity POST /auth/tokens'] == {
        '201': 1, '503': 1}


def test_keystoneauth_tolerates_a_failed_discovery(make_cloud):
    cloud = make_cloud(faults=[{'first': 1, 'fault': 503}])
    assert helpers.make_session(cloud).get_token()
    assert cloud.counters()['requests']['identity GET /v3'] == {'503': 1}


def test_token_requests_can_be_targeted(make_cloud):
    cloud = make_cloud(faults=[{
        'service': 'identity', 'method': 'POST', 'path': '^/auth/tokens$',
        'first': 1, 'fault': 'drop_before'}])
    session = helpers.make_session(cloud)
    with pytest.raises(ks_exc.ConnectFailure):
        session.get_token()
    assert session.get_token()
    assert cloud.counters()['requests']['identity POST /auth/tokens'] == {
        '201': 1, 'dropped': 1}


def test_control_routes_are_never_faulted_nor_counted(make_cloud):
    cloud = make_cloud(faults=[{'fault': 'drop_before'}])
    response = requests.get(cloud.base_url('identity') + '/_fake/counters')
    assert response.status_code == 200
    assert response.json()['requests_total'] == 0


def test_set_faults_over_http_replaces_the_spec(make_cloud):
    cloud = make_cloud(faults=[{'fault': 503}])
    url = cloud.base_url('identity') + '/_fake/faults'
    response = requests.post(url, json={'faults': [
        {'service': 'compute', 'every': 2, 'fault': 500}], 'seed': 3})
    assert response.json() == {'rules': 1}
    assert cloud.faults.seed == 3
    assert requests.post(url, json=[{'fault': 'bogus'}]).status_code == 400
    assert len(cloud.faults.rules) == 1
    nova = helpers.nova(helpers.make_session(cloud))
    nova.flavors.get('1')
    with pytest.raises(nova_exc.ClientException):
        nova.flavors.get('1')


def test_refuse_window_takes_the_service_down_and_back(make_cloud):
    cloud = make_cloud()
    nova = helpers.nova(helpers.make_session(cloud))
    nova.flavors.get('1')
    port = cloud.port('compute')
    cloud.set_faults([{'service': 'compute', 'window': [0, 1.0],
                       'fault': {'kind': 'refuse'}}])
    helpers.poll(lambda: not cloud.is_up('compute'))
    with pytest.raises(ks_exc.ConnectFailure) as info:
        nova.flavors.get('1')
    assert any(isinstance(e, ConnectionRefusedError)
               for e in helpers.exception_chain(info.value))
    helpers.poll(lambda: cloud.is_up('compute'))
    assert cloud.port('compute') == port
    assert nova.flavors.get('1').name == 'm1.tiny'


def test_refuse_for_seconds_is_triggered_by_a_request(make_cloud):
    cloud = make_cloud(faults=[{
        'service': 'compute', 'path': '^/flavors/2$', 'first': 1,
        'fault': {'kind': 'refuse', 'seconds': 1.0}}])
    nova = helpers.nova(helpers.make_session(cloud))
    with pytest.raises(ks_exc.ConnectFailure):
        nova.flavors.get('2')
    assert not cloud.is_up('compute')
    with pytest.raises(ks_exc.ConnectFailure):
        nova.flavors.get('1')
    helpers.poll(lambda: cloud.is_up('compute'))
    assert nova.flavors.get('2').name == 'm1.small'
    assert cloud.counters()['faults'] == {'refuse': 1}

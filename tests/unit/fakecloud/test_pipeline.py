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

"""The life of one request: its fault, the service's answer, the counters.

Through the real clients over HTTP: each fault kind as the client sees it
(a status in the service's own error body, a dropped connection before or
after the request was processed, a slow answer, a 401 that revokes the
token), which requests a rule matches (token requests, one project's),
``slow_create`` (an error now, the create later) and the control routes
that are never faulted nor counted.
"""

import datetime
import email.utils
import re
import time

from keystoneauth1 import exceptions as ks_exc
from novaclient import client as nova_client
from novaclient import exceptions as nova_exc
import pytest
import requests
import urllib3

from heat_retry_plugins.fakecloud import glance
from tests.unit.fakecloud import helpers

IMAGE = glance.CIRROS_IMAGE_ID
CREATE_SERVER = {'service': 'compute', 'method': 'POST',
                 'path': '^/servers$'}


# -- each fault kind, as the client sees it -----------------------------------

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


# -- which requests a rule matches --------------------------------------------

@pytest.mark.parametrize('rule, error, outcome', [
    pytest.param({'path': 'tokens', 'fault': 503},
                 ks_exc.ServiceUnavailable, '503', id='star-rule'),
    pytest.param({'service': 'identity', 'method': 'POST',
                  'path': '^/auth/tokens$', 'fault': 'drop_before'},
                 ks_exc.ConnectFailure, 'dropped', id='identity-rule'),
])
def test_token_requests_are_faulted_as_any_other(make_cloud, rule, error,
                                                 outcome):
    cloud = make_cloud(faults=[dict(rule, first=1)])
    session = helpers.make_session(cloud)
    with pytest.raises(error):
        session.get_token()
    assert session.get_token()
    assert cloud.counters()['requests']['identity POST /auth/tokens'] == {
        '201': 1, outcome: 1}


def test_keystoneauth_tolerates_a_failed_discovery(make_cloud):
    cloud = make_cloud(faults=[{'first': 1, 'fault': 503}])
    assert helpers.make_session(cloud).get_token()
    assert cloud.counters()['requests']['identity GET /v3'] == {'503': 1}


def test_control_routes_are_never_faulted_nor_counted(make_cloud):
    cloud = make_cloud(faults=[{'fault': 'drop_before'}])
    response = requests.get(cloud.base_url('identity') + '/_fake/counters')
    assert response.status_code == 200
    assert response.json()['requests_total'] == 0


def test_unknown_routes_are_counted_as_unknown(cloud, session):
    response = session.get(cloud.endpoint('compute') + '/os-nothing',
                           raise_exc=False)
    assert response.status_code == 404
    assert response.json()['itemNotFound']['code'] == 404
    response = session.patch(cloud.endpoint('compute') + '/flavors',
                             raise_exc=False)
    assert response.status_code == 405
    requests_ = cloud.counters()['requests']
    assert requests_['compute GET <unknown>'] == {'404': 1}
    assert requests_['compute PATCH /flavors'] == {'405': 1}


# -- slow_create: an error now, the create later ------------------------------

def slow_create(**fault):
    return [dict(CREATE_SERVER, first=1,
                 fault=dict({'kind': 'slow_create'}, **fault))]


def test_slow_create_answers_504_and_the_server_appears_later(make_cloud):
    cloud = make_cloud(faults=slow_create())
    nova = helpers.nova(helpers.make_session(cloud))
    with pytest.raises(nova_exc.ClientException) as info:
        nova.servers.create('late', IMAGE, '1')
    assert info.value.code == 504
    assert cloud.objects('server') == []
    (server,) = helpers.poll(lambda: cloud.objects('server'))
    assert server['name'] == 'late'
    assert [s.name for s in nova.servers.list()] == ['late']
    counters = cloud.counters()
    assert counters['requests']['compute POST /servers'] == {'504': 1}
    assert counters['faults'] == {'slow_create_504': 1}
    assert counters['created']['server'] == 1


def test_slow_create_status_and_seconds_are_set_by_the_rule(make_cloud):
    cloud = make_cloud(faults=[{
        'service': 'identity', 'method': 'POST', 'path': '^/projects$',
        'first': 1, 'fault': {'kind': 'slow_create', 'status': 502,
                              'seconds': 0.2}}])
    keystone = helpers.keystone(helpers.make_session(cloud))
    with pytest.raises(ks_exc.BadGateway):
        keystone.projects.create(name='late', domain='default',
                                 heat_retry_token='t1')
    project = helpers.poll(lambda: keystone.projects.list(name='late'))[0]
    assert project.heat_retry_token == 't1'
    assert cloud.counters()['faults'] == {'slow_create_502': 1}


def test_slow_with_a_short_read_timeout_lands_after_the_timeout(
        make_cloud):
    cloud = make_cloud(faults=[dict(CREATE_SERVER, first=1, fault={
        'kind': 'slow', 'seconds': 1.0})])
    session = helpers.make_session(cloud, timeout=0.3)
    session.get_token()
    nova = helpers.nova(session)
    with pytest.raises(ks_exc.ConnectTimeout):
        nova.servers.create('lost', IMAGE, '1')
    assert cloud.objects('server') == []
    (server,) = helpers.poll(lambda: cloud.objects('server'))
    assert server['name'] == 'lost'
    helpers.poll(lambda: cloud.counters()['requests'].get(
        'compute POST /servers') == {'202': 1})
    assert cloud.counters()['faults'] == {'slow': 1}


# -- per-project faults -------------------------------------------------------

@pytest.mark.parametrize('by', ['name', 'id'])
def test_a_project_rule_throttles_only_that_project(make_cloud, by):
    cloud = make_cloud()
    project_a, session_a = helpers.project_session(cloud, 'team-a')
    _, session_b = helpers.project_session(cloud, 'team-b')
    cloud.set_faults([{'service': 'compute', 'project': getattr(
        project_a, by), 'fault': {'status': 429, 'retry_after': 3}}])
    nova_a, nova_b = helpers.nova(session_a), helpers.nova(session_b)
    for _ in range(3):
        with pytest.raises(nova_exc.RateLimit) as info:
            nova_a.flavors.get('1')
        assert info.value.retry_after == 3
        assert nova_b.flavors.get('1').name == 'm1.tiny'
    nova_b.servers.create('b-vm', IMAGE, '1')
    with pytest.raises(nova_exc.RateLimit):
        nova_a.servers.create('a-vm', IMAGE, '1')
    assert [s['name'] for s in cloud.objects('server')] == ['b-vm']
    assert cloud.counters()['faults'] == {'429': 4}


def test_a_project_rule_never_matches_without_a_valid_token(make_cloud):
    cloud = make_cloud(faults=[{'project': 'admin', 'fault': 503}])
    url = cloud.endpoint('compute') + '/flavors'
    for headers in ({}, {'X-Auth-Token': 'gAAAAAnonsense'}):
        assert requests.get(url, headers=headers).status_code == 401
    # The token request itself carries no token: never faulted.
    session = helpers.make_session(cloud)
    token = session.get_token()
    assert requests.get(url, headers={'X-Auth-Token': token}
                        ).status_code == 503
    cloud.expire_tokens()
    assert requests.get(url, headers={'X-Auth-Token': token}
                        ).status_code == 401
    assert cloud.counters()['faults'] == {'503': 1}

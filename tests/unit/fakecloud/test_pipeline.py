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

"""What the hostile tests need: late creates, one project throttled, leaks.

Late creates (``slow_create``, and ``slow`` under a client read timeout),
per-project faults, and the counters of created, live and duplicate objects
with another team's objects made inside ``preexisting()`` left out.
"""

import threading

from keystoneauth1 import exceptions as ks_exc
from keystoneauth1.identity import v3
from keystoneauth1 import session as ks_session
from novaclient import exceptions as nova_exc
import pytest
import requests

from heat_retry_plugins.fakecloud import glance
from tests.unit.fakecloud import helpers

IMAGE = glance.CIRROS_IMAGE_ID
CREATE_SERVER = {'service': 'compute', 'method': 'POST',
                 'path': '^/servers$'}


def slow_create(**fault):
    return [dict(CREATE_SERVER, first=1,
                 fault=dict({'kind': 'slow_create'}, **fault))]


def timers():
    return {t for t in threading.enumerate()
            if isinstance(t, threading.Timer)}


def project_session(cloud, keystone, name):
    """Make a project and its own member user; return a session as them."""
    project = keystone.projects.create(name=name, domain='default')
    user = keystone.users.create(name=name + '-user', domain='default',
                                 password=name + '-pw')
    keystone.roles.grant(keystone.roles.list(name='member')[0], user=user,
                         project=project)
    return project, ks_session.Session(auth=v3.Password(
        auth_url=cloud.auth_url, username=user.name, password=name + '-pw',
        user_domain_id='default', project_name=name,
        project_domain_id='default'))


# -- slow_create: an error now, the create later ------------------------------

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


def test_stop_cancels_a_pending_late_create(make_cloud):
    cloud = make_cloud(faults=slow_create(seconds=60))
    nova = helpers.nova(helpers.make_session(cloud))
    before = timers()
    with pytest.raises(nova_exc.ClientException):
        nova.servers.create('never', IMAGE, '1')
    (timer,) = timers() - before
    cloud.stop()
    assert not timer.is_alive()
    assert cloud.state.list('server') == []


def test_set_faults_cancels_the_late_creates_of_the_old_spec(make_cloud):
    cloud = make_cloud(faults=slow_create(seconds=60))
    nova = helpers.nova(helpers.make_session(cloud))
    before = timers()
    with pytest.raises(nova_exc.ClientException):
        nova.servers.create('dropped', IMAGE, '1')
    (timer,) = timers() - before
    cloud.set_faults([])
    assert not timer.is_alive()
    nova.servers.create('kept', IMAGE, '1')
    assert [s['name'] for s in cloud.objects('server')] == ['kept']


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
    keystone = helpers.keystone(helpers.make_session(cloud))
    project_a, session_a = project_session(cloud, keystone, 'team-a')
    _, session_b = project_session(cloud, keystone, 'team-b')
    cloud.set_faults([{'service': 'compute', 'project': getattr(
        project_a, by), 'fault': {'status': 429, 'retry_after': 3}}])
    nova_a, nova_b = helpers.nova(session_a), helpers.nova(session_b)
    for _ in range(3):
        with pytest.raises(nova_exc.RateLimit) as info:
            nova_a.flavors.get('1')
        assert info.value.retry_after == 3
        assert nova_b.flavors.get('1').name == 'm1.tiny'
    assert nova_b.servers.create('b-vm', IMAGE, '1')
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


# -- created, live, duplicates and another team's objects ---------------------

def test_every_kind_made_through_the_api_is_counted(cloud, keystone):
    group = keystone.groups.create(name='ops', domain='default')
    keystone.groups.create(name='devs', domain='default')
    domain = keystone.domains.create(name='second')
    keystone.users.create(name='bob', domain='default')
    keystone.users.create(name='bob', domain=domain)
    counters = cloud.counters()
    assert counters['created']['group'] == 2
    assert counters['created']['domain'] == 1
    assert counters['live']['user'] == 2
    # The same name in two domains is not a duplicate.
    assert counters['duplicates_total'] == 0
    keystone.groups.delete(group)
    cloud.reset_counters()
    counters = cloud.counters()
    assert counters['created']['group'] == 0
    assert [o['name'] for o in counters['live_objects']['group']] == [
        'devs']


def test_same_named_servers_of_two_projects_are_not_duplicates(
        cloud, keystone):
    _, session_a = project_session(cloud, keystone, 'team-a')
    _, session_b = project_session(cloud, keystone, 'team-b')
    helpers.nova(session_a).servers.create('web', IMAGE, '1')
    helpers.nova(session_b).servers.create('web', IMAGE, '1')
    assert cloud.counters()['duplicates']['server'] == 0
    helpers.nova(session_a).servers.create('web', IMAGE, '1')
    assert cloud.counters()['duplicates']['server'] == 1


def test_objects_made_inside_preexisting_are_not_ours(cloud, nova,
                                                      keystone):
    with cloud.state.preexisting():
        theirs = nova.servers.create('web', IMAGE, '1')
        keystone.projects.create(name='their-project', domain='default')
    counters = cloud.counters()
    assert counters['created']['server'] == 0
    assert counters['live']['server'] == 0
    assert counters['created']['project'] == 0
    ours = nova.servers.create('web', IMAGE, '1')
    counters = cloud.counters()
    assert counters['created']['server'] == 1
    assert [o['id'] for o in counters['live_objects']['server']] == [ours.id]
    assert counters['duplicates_total'] == 0
    assert sorted(s.id for s in nova.servers.list()) == sorted(
        [theirs.id, ours.id])
    assert cloud.state.seeded_summary()['preexisting_deleted_total'] == 0
    nova.servers.delete(theirs.id)
    seeded = cloud.state.seeded_summary()
    assert seeded['preexisting_deleted']['server'] == 1
    assert cloud.counters()['live']['server'] == 1

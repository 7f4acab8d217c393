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

"""The object store, tokens and their summary: alone, then over HTTP.

Over HTTP, the services store what the real clients make: the summary
counts it, and leaves out what another team made inside ``preexisting()``.
"""

import datetime

import pytest

from heat_retry_plugins.fakecloud import glance
from heat_retry_plugins.fakecloud import state
from tests.unit.fakecloud import helpers

IMAGE = glance.CIRROS_IMAGE_ID


class Clock:
    def __init__(self):
        self.now = datetime.datetime(2024, 1, 1,
                                     tzinfo=datetime.timezone.utc)

    def __call__(self):
        return self.now


def test_objects_created_live_and_duplicates():
    store = state.CloudState()
    store.add('flavor', {'id': '1', 'name': 'm1.tiny'}, seeded=True)
    for obj_id, name in (('a', 'web'), ('b', 'web'), ('c', 'web'),
                         ('d', 'db')):
        store.add('server', {'id': obj_id, 'name': name})
    store.remove('server', 'd')
    summary = store.object_summary()
    assert summary['created'] == dict(dict.fromkeys(state.TRACKED_KINDS, 0),
                                      server=4)
    assert summary['live']['server'] == 3
    assert summary['duplicates']['server'] == 2
    assert summary['duplicates_total'] == 2
    assert 'flavor' not in summary['live']
    assert store.get('flavor', '1')['name'] == 'm1.tiny'
    assert [o['id'] for o in store.list('server', name='web')] == [
        'a', 'b', 'c']
    assert store.find('server', name='db') is None
    store.reset_created()
    assert store.object_summary()['created']['server'] == 0


def test_tokens_expire_revoke_and_expire_all():
    clock = Clock()
    store = state.CloudState(token_ttl=60, clock=clock)
    token = store.issue_token('u', ['password'], project_id='p')
    assert token.expires_at - token.issued_at == datetime.timedelta(
        seconds=60)
    assert store.validate_token(token.id) is token
    capped = store.issue_token('u', ['token'], expires_at=clock.now +
                               datetime.timedelta(seconds=5))
    assert capped.expires_at == clock.now + datetime.timedelta(seconds=5)
    clock.now += datetime.timedelta(seconds=61)
    assert store.validate_token(token.id) is None
    fresh = store.issue_token('u', ['password'])
    assert store.token_count() == 1
    assert store.revoke_token(fresh.id)
    assert not store.revoke_token(fresh.id)
    store.issue_token('u', ['password'])
    assert store.expire_tokens() == 1
    assert store.validate_token(None) is None


def test_secrets_are_named_by_a_short_hash():
    token = state.new_token_id()
    assert token.startswith('gAAAAA') and len(token) > 100
    assert len(state.short_hash(token)) == 8
    assert token not in state.short_hash(token)
    when = datetime.datetime(2024, 5, 1, 12, tzinfo=datetime.timezone.utc)
    assert state.isotime(when) == '2024-05-01T12:00:00.000000Z'
    assert state.isotime(when, subsecond=False) == '2024-05-01T12:00:00Z'


def test_every_kind_stored_is_counted_even_after_a_reset():
    store = state.CloudState()
    store.add('volume', {'id': 'v1', 'name': 'data'})
    store.add('volume', {'id': 'v2', 'name': 'data'})
    store.add('port', {'id': 'p1', 'name': ''})
    store.add('port', {'id': 'p2', 'name': ''})
    store.add('container_object', {'id': 'o1'})
    store.reset_created()
    summary = store.object_summary()
    assert summary['live']['volume'] == 2
    assert summary['duplicates']['volume'] == 1
    # Unnamed objects (Neutron's default '' name) are never duplicates.
    assert summary['live']['port'] == 2
    assert summary['duplicates']['port'] == 0
    assert summary['live_objects']['container_object'] == [
        {'id': 'o1', 'name': None}]
    assert summary['created']['volume'] == 0
    assert store.kinds() == sorted(set(state.TRACKED_KINDS) | {
        'container_object', 'port', 'volume'})


def test_duplicates_are_same_named_objects_of_one_owner():
    store = state.CloudState()
    for obj_id, project in (('a', 'p1'), ('b', 'p2'), ('c', 'p1')):
        store.add('server', {'id': obj_id, 'name': 'web',
                             'project_id': project, 'user_id': 'u'})
    for obj_id, domain in (('u1', 'default'), ('u2', 'other')):
        store.add('user', {'id': obj_id, 'name': 'bob', 'domain_id': domain})
    for obj_id, network in (('s1', 'n1'), ('s2', 'n2')):
        store.add('subnet', {'id': obj_id, 'name': 'sub', 'project_id': 'p1',
                             'network_id': network})
    # An API body can make any field a list: still counted, no crash.
    store.add('project', {'id': 'x', 'name': ['odd'], 'domain_id': ['d']})
    summary = store.object_summary()
    assert summary['duplicates']['server'] == 1
    assert summary['duplicates']['user'] == 0
    assert summary['duplicates']['subnet'] == 0
    assert summary['live']['project'] == 1


def test_objects_stored_inside_preexisting_are_seeded():
    store = state.CloudState()
    with store.preexisting():
        store.add('server', {'id': 'theirs', 'name': 'web'})
        with store.preexisting():
            store.add('keypair', {'id': 'k', 'name': 'key'})
        store.add('server', {'id': 'theirs-too', 'name': 'web'})
    store.add('server', {'id': 'ours', 'name': 'web'})
    summary = store.object_summary()
    assert summary['created']['server'] == 1
    assert [o['id'] for o in summary['live_objects']['server']] == ['ours']
    assert summary['duplicates_total'] == 0
    assert summary['created']['keypair'] == 0
    assert store.get('server', 'theirs')['name'] == 'web'
    assert store.seeded_summary()['preexisting']['server'] == 2
    store.remove('server', 'theirs')
    store.remove('server', 'ours')
    seeded = store.seeded_summary()
    assert seeded['preexisting']['server'] == 1
    assert seeded['preexisting_deleted'] == dict(
        dict.fromkeys(state.TRACKED_KINDS, 0), server=1)
    assert seeded['preexisting_deleted_total'] == 1
    store.reset_created()
    assert store.seeded_summary()['preexisting_deleted_total'] == 0


def test_preexisting_ends_when_its_block_raises():
    store = state.CloudState()
    with pytest.raises(RuntimeError):
        with store.preexisting():
            raise RuntimeError('setup failed')
    store.add('server', {'id': 'a', 'name': 'web'})
    assert store.object_summary()['created']['server'] == 1


# -- as the services fill it, over HTTP ---------------------------------------

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


def test_same_named_servers_of_two_projects_are_not_duplicates(cloud):
    _, session_a = helpers.project_session(cloud, 'team-a')
    _, session_b = helpers.project_session(cloud, 'team-b')
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


def test_duplicates_count_extra_objects_sharing_a_name(cloud, nova):
    for _ in range(3):
        nova.servers.create('web', IMAGE, '1')
    assert cloud.counters()['duplicates']['server'] == 2
    nova.servers.delete(cloud.objects('server')[0]['id'])
    assert cloud.counters()['duplicates']['server'] == 1

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

"""Keystone entities: projects, users, groups, domains, roles and grants.

Through python-keystoneclient, and requests for the raw bodies.
"""

from keystoneauth1 import exceptions as ks_exc
from keystoneauth1.identity import v3
from keystoneauth1 import session as ks_session
import pytest
import requests


def test_projects_crud(cloud, keystone):
    project = keystone.projects.create(name='blue', domain='default',
                                       description='d', tags=['x'])
    assert project.domain_id == 'default' and project.parent_id == 'default'
    with pytest.raises(ks_exc.Conflict):
        keystone.projects.create(name='blue', domain='default')
    assert keystone.projects.get(project.id).name == 'blue'
    assert [p.id for p in keystone.projects.list(name='blue')] == [
        project.id]
    assert len(keystone.projects.list(domain='default')) == 2
    updated = keystone.projects.update(project, description='new')
    assert updated.description == 'new'
    keystone.projects.delete(project)
    with pytest.raises(ks_exc.NotFound):
        keystone.projects.get(project.id)
    assert cloud.counters()['created']['project'] == 1
    assert cloud.counters()['live']['project'] == 0


def test_users_crud_never_returns_the_password(cloud, keystone):
    user = keystone.users.create(name='bob', domain='default',
                                 password='hunter2', email='b@example.com')
    assert not hasattr(user, 'password')
    with pytest.raises(ks_exc.Conflict):
        keystone.users.create(name='bob', domain='default', password='x')
    assert keystone.users.find(name='bob', domain_id='default').id == user.id
    keystone.users.update(user, password='hunter3', enabled=True)
    response = requests.get(cloud.auth_url + '/users',
                            headers={'X-Auth-Token': keystone.session.
                                     get_token()})
    assert 'hunter' not in response.text
    keystone.users.delete(user)
    with pytest.raises(ks_exc.NotFound):
        keystone.users.get(user.id)


def test_a_new_user_authenticates_once_granted_a_role(cloud, keystone):
    project = keystone.projects.create(name='p', domain='default')
    user = keystone.users.create(name='carol', password='pw',
                                 default_project=project)
    session = ks_session.Session(auth=v3.Password(
        auth_url=cloud.auth_url, user_id=user.id, password='pw',
        project_id=project.id))
    with pytest.raises(ks_exc.Unauthorized):
        session.get_token()
    member = keystone.roles.list(name='member')[0]
    keystone.roles.grant(member, user=user, project=project)
    assert keystone.roles.check(member, user=user, project=project)
    assert session.get_token()
    assignments = keystone.role_assignments.list(user=user)
    assert [(a.role['id'], a.scope['project']['id']) for a in assignments] \
        == [(member.id, project.id)]
    assert [r.id for r in keystone.roles.list(user=user,
                                              project=project)] == [
        member.id]
    keystone.roles.revoke(member, user=user, project=project)
    with pytest.raises(ks_exc.NotFound):
        keystone.roles.check(member, user=user, project=project)


def test_domains_roles_and_groups(keystone):
    assert keystone.domains.get('default').name == 'Default'
    assert [d.id for d in keystone.domains.list(name='Default')] == [
        'default']
    with pytest.raises(ks_exc.NotFound):
        keystone.domains.get('nope')
    roles = {r.name for r in keystone.roles.list()}
    assert {'admin', 'member', 'reader'} <= roles
    admin = keystone.roles.list(name='admin')[0]
    assert keystone.roles.get(admin.id).name == 'admin'
    assert keystone.groups.list() == []
    group = keystone.groups.create(name='ops', domain='default')
    user = keystone.users.create(name='dave')
    keystone.users.add_to_group(user, group)
    assert [g.id for g in keystone.groups.list(user=user)] == [group.id]
    keystone.users.remove_from_group(user, group)
    assert keystone.groups.list(user=user) == []


def test_extra_attributes_are_stored_and_returned(cloud, keystone):
    project = keystone.projects.create('tok', 'default',
                                       heat_retry_token='abc')
    assert project.heat_retry_token == 'abc'
    assert keystone.projects.get(project.id).heat_retry_token == 'abc'
    (listed,) = keystone.projects.list(name='tok')
    assert listed.heat_retry_token == 'abc'
    updated = keystone.projects.update(project, heat_retry_token='def',
                                       other={'nested': [1, 2]})
    assert updated.heat_retry_token == 'def'
    assert keystone.projects.get(project.id).other == {'nested': [1, 2]}
    user = keystone.users.create('tok-user', domain='default',
                                 password='pw', heat_retry_token='u1')
    assert keystone.users.get(user.id).heat_retry_token == 'u1'
    assert keystone.users.list(name='tok-user')[0].heat_retry_token == 'u1'
    assert keystone.users.update(user, heat_retry_token='u2'
                                 ).heat_retry_token == 'u2'
    group = keystone.groups.create('tok-group', 'default',
                                   heat_retry_token='g1')
    assert keystone.groups.get(group.id).heat_retry_token == 'g1'
    domain = keystone.domains.create('tok-domain', heat_retry_token='d1')
    assert keystone.domains.get(domain.id).heat_retry_token == 'd1'
    body = requests.get(cloud.auth_url + '/projects/' + project.id, headers={
        'X-Auth-Token': keystone.session.get_token()}).json()
    assert body['project']['heat_retry_token'] == 'def'
    assert 'extra' not in body['project']


def test_names_are_unique_per_domain(keystone):
    second = keystone.domains.create('second')
    assert keystone.domains.get(second.id).name == 'second'
    with pytest.raises(ks_exc.Conflict):
        keystone.domains.create('second')
    keystone.projects.create('shared', 'default')
    with pytest.raises(ks_exc.Conflict):
        keystone.projects.create('shared', 'default')
    other_project = keystone.projects.create('shared', second)
    assert other_project.domain_id == second.id
    first = keystone.users.create('sam', domain='default')
    with pytest.raises(ks_exc.Conflict):
        keystone.users.create('sam', domain='default')
    other = keystone.users.create('sam', domain=second)
    assert sorted(u.id for u in keystone.users.list(name='sam')) == sorted(
        [first.id, other.id])
    assert [u.id for u in keystone.users.list(name='sam',
                                              domain=second)] == [other.id]
    assert [u.id for u in keystone.users.list(name='sam',
                                              domain='default')] == [
        first.id]
    renamed = keystone.users.create('sam2', domain=second)
    with pytest.raises(ks_exc.Conflict):
        keystone.users.update(renamed, name='sam')
    keystone.users.update(renamed, name='sam3')


@pytest.mark.parametrize('body', [{'name': 5}, {'name': ['x']},
                                  {'name': 'x' * 256}])
def test_a_name_that_is_not_a_short_string_is_a_400(cloud, session, body):
    url = cloud.auth_url + '/projects'
    response = session.post(url, json={'project': body}, raise_exc=False)
    assert response.status_code == 400
    project = session.post(url, json={'project': {'name': 'ok'}}).json()
    response = session.patch(url + '/' + project['project']['id'],
                             json={'project': body}, raise_exc=False)
    assert response.status_code == 400

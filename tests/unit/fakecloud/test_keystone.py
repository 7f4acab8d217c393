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

"""Keystone v3 through keystoneauth1, python-keystoneclient and requests."""

import datetime

from keystoneauth1 import exceptions as ks_exc
from keystoneauth1.identity import v3
from keystoneauth1 import session as ks_session
import pytest
import requests

from tests.unit.fakecloud import helpers


def _password(cloud, **kwargs):
    args = {'auth_url': cloud.auth_url, 'password': cloud.password}
    args.update(kwargs)
    return ks_session.Session(auth=v3.Password(**args))


def test_version_documents(cloud):
    root = requests.get(cloud.base_url('identity') + '/')
    assert root.status_code == 300
    (version,) = root.json()['versions']['values']
    assert version['id'].startswith('v3.') and version['status'] == 'stable'
    assert version['links'][0]['href'] == cloud.auth_url + '/'
    doc = requests.get(cloud.auth_url)
    assert doc.status_code == 200 and doc.json()['version'] == version
    assert doc.headers['x-openstack-request-id'].startswith('req-')


def test_password_auth_returns_a_scoped_token_with_a_catalog(cloud, session):
    access = session.auth.get_access(session)
    assert access.project_id == cloud.project_id
    assert access.user_id == cloud.user_id
    assert access.project_name == 'admin'
    assert set(access.role_names) >= {'admin', 'member'}
    assert access.expires > datetime.datetime.now(datetime.timezone.utc)
    assert access.issued
    assert access._data['token']['methods'] == ['password']
    for service_type in ('identity', 'compute', 'image'):
        for interface in ('public', 'internal', 'admin'):
            assert session.get_endpoint(
                service_type=service_type, interface=interface,
                region_name='RegionOne') == cloud.endpoint(
                    service_type).rstrip('/')
    catalog = access.service_catalog.catalog
    assert all(e['region_id'] == e['region'] == 'RegionOne'
               for s in catalog for e in s['endpoints'])


def test_token_body_and_header(cloud):
    response = requests.post(cloud.auth_url + '/auth/tokens', json={
        'auth': {'identity': {'methods': ['password'], 'password': {'user': {
            'name': 'admin', 'domain': {'id': 'default'},
            'password': cloud.password}}},
            'scope': {'project': {'name': 'admin',
                                  'domain': {'name': 'Default'}}}}})
    assert response.status_code == 201
    assert response.headers['X-Subject-Token']
    token = response.json()['token']
    assert token['expires_at'].endswith('Z')
    assert token['issued_at'].endswith('Z')
    assert token['project']['domain'] == {'id': 'default',
                                          'name': 'Default'}
    assert token['user']['name'] == 'admin'
    assert cloud.password not in response.text


@pytest.mark.parametrize('kwargs', [
    {'username': 'admin', 'user_domain_id': 'default'},
    {'username': 'admin', 'user_domain_name': 'Default'},
])
def test_password_auth_by_name_or_id(cloud, kwargs):
    session = _password(cloud, project_id=cloud.project_id, **kwargs)
    assert session.auth.get_access(session).project_id == cloud.project_id
    by_id = _password(cloud, user_id=cloud.user_id,
                      project_name='admin', project_domain_id='default')
    assert by_id.auth.get_access(by_id).user_id == cloud.user_id


def test_unscoped_and_domain_scoped_tokens(cloud):
    session = _password(cloud, user_id=cloud.user_id, unscoped=True)
    access = session.auth.get_access(session)
    assert access.project_id is None and not access.has_service_catalog()
    session = _password(cloud, user_id=cloud.user_id, domain_id='default')
    assert session.auth.get_access(session).domain_id == 'default'


def test_token_method_rescopes_a_token(cloud, session):
    token = session.get_token()
    rescoped = ks_session.Session(auth=v3.Token(
        auth_url=cloud.auth_url, token=token, project_id=cloud.project_id))
    access = rescoped.auth.get_access(rescoped)
    assert access.auth_token != token
    assert 'token' in access._data['token']['methods']


def test_wrong_password_is_a_401_with_a_json_body(cloud):
    with pytest.raises(ks_exc.Unauthorized):
        _password(cloud, username='admin', user_domain_id='default',
                  password='wrong', project_id=cloud.project_id).get_token()
    response = requests.post(cloud.auth_url + '/auth/tokens', json={
        'auth': {'identity': {'methods': ['password'], 'password': {
            'user': {'id': cloud.user_id, 'password': 'wrong'}}}}})
    assert response.status_code == 401
    assert response.json()['error']['code'] == 401
    malformed = requests.post(cloud.auth_url + '/auth/tokens', json={})
    assert malformed.status_code == 400


def test_a_user_without_password_cannot_authenticate(cloud, keystone):
    user = keystone.users.create(name='nopass')
    keystone.roles.grant(keystone.roles.list(name='member')[0], user=user,
                         project=cloud.project_id)
    with pytest.raises(ks_exc.Unauthorized):
        _password(cloud, user_id=user.id, password='',
                  project_id=cloud.project_id).get_token()


def test_validate_check_and_revoke_tokens(cloud, session):
    token = session.get_token()
    subject = helpers.make_session(cloud).get_token()
    headers = {'X-Auth-Token': token, 'X-Subject-Token': subject}
    url = cloud.auth_url + '/auth/tokens'
    response = requests.get(url, headers=headers)
    assert response.status_code == 200
    assert response.headers['X-Subject-Token'] == subject
    assert response.json()['token']['user']['id'] == cloud.user_id
    assert requests.head(url, headers=headers).status_code == 200
    assert requests.delete(url, headers=headers).status_code == 204
    assert requests.get(url, headers=headers).status_code == 404
    assert requests.get(url, headers={'X-Subject-Token': token}
                        ).status_code == 401


def test_every_other_request_needs_a_valid_token(cloud):
    for headers in ({}, {'X-Auth-Token': 'gAAAAAnonsense'}):
        response = requests.get(cloud.auth_url + '/projects',
                                headers=headers)
        assert response.status_code == 401
        assert 'WWW-Authenticate' in response.headers


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
    session = _password(cloud, user_id=user.id, password='pw',
                        project_id=project.id)
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


def test_trusts_and_trust_scoped_tokens(cloud, keystone):
    trustee = keystone.users.create(name='heat', password='pw')
    trust = keystone.trusts.create(
        trustee_user=trustee.id, trustor_user=cloud.user_id,
        project=cloud.project_id, role_names=['member'],
        impersonation=True)
    assert keystone.trusts.get(trust.id).trustee_user_id == trustee.id
    session = _password(cloud, user_id=trustee.id, password='pw',
                        trust_id=trust.id)
    access = session.auth.get_access(session)
    assert access.trust_scoped and access.trust_id == trust.id
    assert access.user_id == cloud.user_id
    assert access.role_names == ['member']
    keystone.trusts.delete(trust)
    with pytest.raises(ks_exc.NotFound):
        keystone.trusts.get(trust.id)


def test_regions_services_and_endpoints(cloud, keystone):
    assert keystone.regions.get('RegionOne').id == 'RegionOne'
    services = {s.type for s in keystone.services.list()}
    assert {'identity', 'compute', 'image'} <= services
    compute = keystone.services.list(type='compute')[0]
    endpoints = keystone.endpoints.list(service=compute)
    assert {e.interface for e in endpoints} == {'public', 'internal',
                                                'admin'}


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


def test_a_user_of_a_second_domain_authenticates_by_name(cloud, keystone):
    second = keystone.domains.create('second')
    project = keystone.projects.create('p2', second)
    for domain in ('default', second.id):
        keystone.users.create('same', domain=domain, password='pw-' + domain)
    user = keystone.users.list(name='same', domain=second)[0]
    keystone.roles.grant(keystone.roles.list(name='member')[0], user=user,
                         project=project)
    session = ks_session.Session(auth=v3.Password(
        auth_url=cloud.auth_url, username='same', password='pw-' + second.id,
        user_domain_name='second', project_name='p2',
        project_domain_id=second.id))
    access = session.auth.get_access(session)
    assert access.user_id == user.id and access.project_id == project.id


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

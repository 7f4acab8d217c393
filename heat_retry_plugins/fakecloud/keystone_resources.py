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

"""Keystone v3 entities: projects, users, groups, domains, roles, grants.

A mixin of :class:`~heat_retry_plugins.fakecloud.keystone.KeystoneService`.
Projects, users and groups have unique names within a domain (409 on a
duplicate, as Keystone), domains and roles unique names overall. Every key
of a create or update body that Keystone does not know (an "extra"
attribute, such as an ownership token) is stored and rendered as a
top-level key of the entity, as Keystone does. Passwords are stored but
never rendered.
"""

import copy
import functools
from typing import Optional
import uuid

from heat_retry_plugins.fakecloud import routing

HTTPError = routing.HTTPError
Request = routing.Request
Response = routing.Response

# collection -> (kind, defaults of a new entity)
_ENTITIES = {
    'projects': ('project', {'description': '', 'enabled': True,
                             'is_domain': False, 'tags': [], 'options': {}}),
    'users': ('user', {'enabled': True, 'password_expires_at': None,
                       'options': {}}),
    'groups': ('group', {'description': ''}),
    'domains': ('domain', {'description': '', 'enabled': True, 'tags': [],
                           'options': {}}),
    'roles': ('role', {'description': None, 'domain_id': None,
                       'options': {}}),
}
_DOMAIN_OWNED = ('project', 'user', 'group')
_HIDDEN = ('password',)
_TARGETS = {'projects': 'project', 'domains': 'domain'}
_ACTORS = {'users': 'user', 'groups': 'group'}


def _bool_arg(value: Optional[str]) -> Optional[bool]:
    if value is None:
        return None
    return value.lower() in ('true', '1', 'yes', '')


def _check_name(ref: dict) -> None:
    name = ref.get('name')
    if not isinstance(name, str) or not 1 <= len(name) <= 255:
        raise HTTPError(400, "Invalid input for field 'name': it must be "
                             "a string of 1 to 255 characters")


class IdentityResources:
    """Route handlers of the Keystone entities (a Service mixin)."""

    def register_resources(self) -> None:
        """Declare the entity routes."""
        for collection in _ENTITIES:
            base = '/' + collection
            item = base + '/{id}'
            self.route('POST', base, functools.partial(self._create,
                                                       collection))
            self.route('GET', base, functools.partial(self._list,
                                                      collection))
            self.route('GET', item, functools.partial(self._get, collection))
            self.route('PATCH', item, functools.partial(self._update,
                                                        collection))
            self.route('DELETE', item, functools.partial(self._delete,
                                                         collection))
        for target in _TARGETS:
            for actor in _ACTORS:
                base = '/%s/{target}/%s/{actor}/roles' % (target, actor)
                grant = functools.partial(self._grant, target, actor)
                self.route('GET', base, grant)
                for method in ('PUT', 'HEAD', 'GET', 'DELETE'):
                    self.route(method, base + '/{role}', grant)
        self.route('GET', '/role_assignments', self.list_role_assignments)
        self.route('GET', '/users/{id}/projects', self.list_user_projects)
        self.route('GET', '/users/{id}/groups', self.list_user_groups)
        self.route('GET', '/groups/{id}/users', self.list_group_users)
        for method in ('PUT', 'HEAD', 'DELETE'):
            self.route(method, '/groups/{id}/users/{user}', self.membership)

    def seed(self, username: str, password: str,
             project_name: str) -> tuple:
        """Create the default domain, roles, admin project and user.

        :param username: the admin user name.
        :param password: the admin password.
        :param project_name: the admin project name.
        :returns: ``(user, project)``.
        """
        add = functools.partial(self.state.add, seeded=True)
        add('domain', {'id': 'default', 'name': 'Default',
                       'description': 'The default domain', 'enabled': True,
                       'tags': [], 'options': {}})
        roles = [add('role', {'id': uuid.uuid4().hex, 'name': name,
                              'domain_id': None, 'description': None,
                              'options': {}})
                 for name in ('admin', 'member', 'reader')]
        project = add('project', {
            'id': uuid.uuid4().hex, 'name': project_name,
            'domain_id': 'default', 'parent_id': 'default',
            'description': 'Bootstrap project for initializing the cloud.',
            'enabled': True, 'is_domain': False, 'tags': [], 'options': {}})
        user = add('user', {'id': uuid.uuid4().hex, 'name': username,
                            'domain_id': 'default', 'password': password,
                            'enabled': True, 'password_expires_at': None,
                            'options': {}})
        with self.state.lock:
            for role in roles:
                for target in (('project', project['id']),
                               ('domain', 'default'), ('system', 'all')):
                    self.state.assignments.add(
                        ('user', user['id']) + target + (role['id'],))
        return user, project

    # -- helpers ----------------------------------------------------------

    def link(self, collection: str, obj_id: str) -> str:
        """Build the ``self`` link of an entity.

        :param collection: e.g. ``'projects'``.
        :param obj_id: the entity id.
        :returns: the URL.
        """
        return '%s/%s/%s' % (self.cloud.endpoint('identity'), collection,
                             obj_id)

    def list_links(self, collection: str) -> dict:
        """Build the ``links`` of a list response.

        :param collection: e.g. ``'projects'``.
        :returns: the links mapping.
        """
        return {'self': '%s/%s' % (self.cloud.endpoint('identity'),
                                   collection),
                'previous': None, 'next': None}

    def render(self, kind: str, obj: dict) -> dict:
        """Render an entity without its secrets.

        :param kind: the entity kind.
        :param obj: the stored entity.
        :returns: the API representation.
        """
        body = {k: copy.deepcopy(v) for k, v in obj.items()
                if k not in _HIDDEN}
        body['links'] = {'self': self.link(kind + 's', obj['id'])}
        return body

    def entity_list(self, collection: str, objs: list,
                    links: Optional[str] = None) -> Response:
        """Answer a list of entities.

        :param collection: e.g. ``'projects'``, also the key of the list.
        :param objs: the stored entities.
        :param links: the path of the list's ``self`` link, when it is not
            the collection (``'auth/projects'``).
        :returns: the response.
        """
        kind = _ENTITIES[collection][0]
        return Response(200, {collection: [self.render(kind, o)
                                           for o in objs],
                              'links': self.list_links(links or collection)})

    def with_roles(self, kind: str, user_id: str) -> list:
        """List the projects or domains a user has a role on.

        :param kind: ``'project'`` or ``'domain'``.
        :param user_id: the user.
        :returns: the stored entities.
        """
        return [obj for obj in self.state.list(kind)
                if self.role_ids_of(user_id, kind, obj['id'])]

    def find_domain(self, ref: dict) -> Optional[dict]:
        """Find a domain by ``{'id': ...}`` or ``{'name': ...}``.

        :param ref: the reference; empty means the default domain.
        :returns: the domain, or None.
        """
        if ref.get('id'):
            return self.state.get('domain', ref['id'])
        if ref.get('name'):
            return self.state.find('domain', name=ref['name'])
        return self.state.get('domain', 'default')

    def find_owned(self, kind: str, ref: dict) -> Optional[dict]:
        """Find a user or project by ``{'id'}`` or ``{'name', 'domain'}``.

        :param kind: ``'user'`` or ``'project'``.
        :param ref: the reference; without a domain, the default one.
        :returns: the entity, or None.
        """
        if ref.get('id'):
            return self.state.get(kind, ref['id'])
        domain = self.find_domain(ref.get('domain') or {})
        return domain and self.state.find(kind, name=ref.get('name'),
                                          domain_id=domain['id'])

    def domain_ref(self, domain_id: str) -> dict:
        """Render the ``{'id', 'name'}`` of a domain.

        :param domain_id: the domain id.
        :returns: the reference.
        """
        domain = self.state.get('domain', domain_id) or {'name': domain_id}
        return {'id': domain_id, 'name': domain['name']}

    def role_ids_of(self, user_id: str, target_type: str,
                    target_id: str) -> list:
        """List the roles a user has on a target, directly or by group.

        :param user_id: the user.
        :param target_type: ``'project'``, ``'domain'`` or ``'system'``.
        :param target_id: the target id.
        :returns: role ids, in role creation order.
        """
        with self.state.lock:
            actors = {('user', user_id)} | {
                ('group', group_id)
                for group_id, member in self.state.memberships
                if member == user_id}
            granted = {a[4] for a in self.state.assignments
                       if a[:2] in actors and a[2:4] == (target_type,
                                                         target_id)}
        return [r['id'] for r in self.state.list('role') if r['id'] in
                granted]

    def _lookup(self, kind: str, obj_id: str) -> dict:
        obj = self.state.get(kind, obj_id)
        if obj is None:
            raise HTTPError(404, 'Could not find %s: %s.' % (kind, obj_id))
        return obj

    def _check_unique(self, kind: str, obj: dict) -> None:
        scope = obj.get('domain_id') if kind in _DOMAIN_OWNED + (
            'role',) else None
        for other in self.state.list(kind, name=obj['name']):
            if other['id'] == obj['id'] or (
                    kind in _DOMAIN_OWNED + ('role',) and
                    other.get('domain_id') != scope):
                continue
            if kind == 'project':
                message = ('it is not permitted to have two projects with '
                           'the same name in the same domain : %s.' % scope)
            else:
                message = ('Duplicate entry found with name %s%s.' % (
                    obj['name'], ' at domain ID %s' % scope if scope else ''))
            raise HTTPError(409, 'Conflict occurred attempting to store '
                                 '%s - %s' % (kind, message))

    # -- entity CRUD ------------------------------------------------------

    def _create(self, collection: str, request: Request) -> Response:
        kind, defaults = _ENTITIES[collection]
        ref = (request.json() or {}).get(kind)
        if not isinstance(ref, dict) or not ref.get('name'):
            raise HTTPError(400, "Invalid input for field '%s': 'name' is a "
                                 "required property" % kind)
        _check_name(ref)
        obj = copy.deepcopy(defaults)
        obj.update(ref)
        obj['id'] = uuid.uuid4().hex
        if kind in _DOMAIN_OWNED:
            obj['domain_id'] = (ref.get('domain_id') or (
                request.token.domain_id if request.token else None)
                or 'default')
            self._lookup('domain', obj['domain_id'])
        if kind == 'project':
            if obj.get('parent_id'):
                self._lookup('project', obj['parent_id'])
            else:
                obj['parent_id'] = obj['domain_id']
        if kind == 'user':
            obj.setdefault('password', None)
        with self.state.lock:
            self._check_unique(kind, obj)
            self.state.add(kind, obj)
        return Response(201, {kind: self.render(kind, obj)})

    def _get(self, collection: str, request: Request) -> Response:
        kind = _ENTITIES[collection][0]
        obj = self._lookup(kind, request.params['id'])
        return Response(200, {kind: self.render(kind, obj)})

    def _list(self, collection: str, request: Request) -> Response:
        kind = _ENTITIES[collection][0]
        return self.entity_list(collection, self.state.list(
            kind, name=request.arg('name'),
            domain_id=request.arg('domain_id'),
            parent_id=request.arg('parent_id'),
            enabled=_bool_arg(request.arg('enabled')),
            is_domain=_bool_arg(request.arg('is_domain'))))

    def _update(self, collection: str, request: Request) -> Response:
        kind = _ENTITIES[collection][0]
        ref = (request.json() or {}).get(kind)
        if not isinstance(ref, dict):
            raise HTTPError(400, "Invalid input for field '%s'." % kind)
        if 'name' in ref:
            _check_name(ref)
        with self.state.lock:
            obj = self._lookup(kind, request.params['id'])
            if ref.get('id', obj['id']) != obj['id']:
                raise HTTPError(400, 'Cannot change ID')
            updated = dict(obj, **ref)
            self._check_unique(kind, updated)
            obj.update(ref)
        return Response(200, {kind: self.render(kind, obj)})

    def _delete(self, collection: str, request: Request) -> Response:
        kind = _ENTITIES[collection][0]
        obj_id = request.params['id']
        with self.state.lock:
            obj = self._lookup(kind, obj_id)
            if kind == 'domain' and obj.get('enabled', True):
                raise HTTPError(403, 'Cannot delete a domain that is '
                                     'enabled, please disable it first.')
            self.state.remove(kind, obj_id)
            self.state.assignments = {
                a for a in self.state.assignments
                if (a[0], a[1]) != (kind, obj_id)
                and (a[2], a[3]) != (kind, obj_id) and a[4] != obj_id}
            self.state.memberships = {
                m for m in self.state.memberships if obj_id not in m}
        return Response(204)

    # -- grants and memberships -------------------------------------------

    def _grant(self, target: str, actor: str, request: Request) -> Response:
        target_type, actor_type = _TARGETS[target], _ACTORS[actor]
        params = request.params
        self._lookup(target_type, params['target'])
        self._lookup(actor_type, params['actor'])
        if 'role' not in params:
            role_ids = {a[4] for a in self.state.assignments
                        if a[:4] == (actor_type, params['actor'],
                                     target_type, params['target'])}
            roles = [self.render('role', r) for r in self.state.list('role')
                     if r['id'] in role_ids]
            return Response(200, {'roles': roles,
                                  'links': self.list_links('roles')})
        self._lookup('role', params['role'])
        key = (actor_type, params['actor'], target_type, params['target'],
               params['role'])
        with self.state.lock:
            if request.method == 'PUT':
                self.state.assignments.add(key)
            elif key not in self.state.assignments:
                raise HTTPError(404, 'Could not find role assignment.')
            elif request.method == 'DELETE':
                self.state.assignments.discard(key)
        return Response(204)

    def list_role_assignments(self, request: Request) -> Response:
        """``GET /role_assignments`` with the usual ``user.id``... filters.

        :param request: the request.
        :returns: the response.
        """
        wanted = {0: request.arg('group.id') and 'group' or (
            request.arg('user.id') and 'user'),
            1: request.arg('user.id') or request.arg('group.id'),
            3: request.arg('scope.project.id') or request.arg(
                'scope.domain.id'),
            4: request.arg('role.id')}
        if request.arg('scope.project.id'):
            wanted[2] = 'project'
        elif request.arg('scope.domain.id'):
            wanted[2] = 'domain'
        result = []
        for item in sorted(self.state.assignments):
            if any(value and item[pos] != value
                   for pos, value in wanted.items()):
                continue
            actor, actor_id, target, target_id, role_id = item
            scope = ({'system': {'all': True}} if target == 'system'
                     else {target: {'id': target_id}})
            result.append({
                'role': {'id': role_id}, actor: {'id': actor_id},
                'scope': scope,
                'links': {'assignment': self.link(
                    '%ss/%s/%ss/%s/roles' % (target, target_id, actor,
                                             actor_id), role_id)}})
        return Response(200, {'role_assignments': result,
                              'links': self.list_links('role_assignments')})

    def list_user_projects(self, request: Request) -> Response:
        """``GET /users/{id}/projects``.

        :param request: the request.
        :returns: the response.
        """
        user = self._lookup('user', request.params['id'])
        return self.entity_list('projects',
                                self.with_roles('project', user['id']))

    def list_user_groups(self, request: Request) -> Response:
        """``GET /users/{id}/groups``.

        :param request: the request.
        :returns: the response.
        """
        user = self._lookup('user', request.params['id'])
        return self.entity_list('groups', [
            g for g in self.state.list('group')
            if (g['id'], user['id']) in self.state.memberships])

    def list_group_users(self, request: Request) -> Response:
        """``GET /groups/{id}/users``.

        :param request: the request.
        :returns: the response.
        """
        group = self._lookup('group', request.params['id'])
        return self.entity_list('users', [
            u for u in self.state.list('user')
            if (group['id'], u['id']) in self.state.memberships])

    def membership(self, request: Request) -> Response:
        """``PUT/HEAD/DELETE /groups/{id}/users/{user}``.

        :param request: the request.
        :returns: 204, or 404.
        """
        group = self._lookup('group', request.params['id'])
        user = self._lookup('user', request.params['user'])
        key = (group['id'], user['id'])
        with self.state.lock:
            if request.method == 'PUT':
                self.state.memberships.add(key)
            elif key not in self.state.memberships:
                raise HTTPError(404, 'Could not find user: %s.' % user['id'])
            elif request.method == 'DELETE':
                self.state.memberships.discard(key)
        return Response(204)

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

"""Keystone v3: version documents, tokens, the catalog and trusts.

The entities (projects, users, groups, domains, roles, role assignments)
are served by :mod:`heat_retry_plugins.fakecloud.keystone_resources`.
There is no policy: any valid token may do anything.
"""

import logging
import secrets
from typing import Optional
import uuid

from heat_retry_plugins.fakecloud import keystone_credentials
from heat_retry_plugins.fakecloud import keystone_resources
from heat_retry_plugins.fakecloud import routing
from heat_retry_plugins.fakecloud import state as state_mod

LOG = logging.getLogger(__name__)

HTTPError = routing.HTTPError
Request = routing.Request
Response = routing.Response

_AUTH_FAILED = 'The request you have made requires authentication.'

#: The service name of each catalog type.
SERVICE_NAMES = {'identity': 'keystone', 'compute': 'nova',
                 'image': 'glance', 'network': 'neutron',
                 'volumev3': 'cinderv3', 'load-balancer': 'octavia',
                 'object-store': 'swift', 'dns': 'designate',
                 'orchestration': 'heat'}


class KeystoneService(keystone_resources.IdentityResources,
                      keystone_credentials.IdentityCredentials,
                      routing.Service):
    """The identity service (Keystone v3).

    :param cloud: the owning FakeCloud.
    """

    name = 'identity'
    prefix = '/v3'

    def register(self) -> None:
        """Declare the routes."""
        self.route('GET', '/', self.versions, auth=False)
        self.route('GET', '/v3', self.version, auth=False)
        self.route('POST', '/auth/tokens', self.issue_token, auth=False)
        self.route('HEAD', '/auth/tokens', self.check_token)
        self.route('GET', '/auth/tokens', self.validate_token)
        self.route('DELETE', '/auth/tokens', self.revoke_token)
        self.route('GET', '/auth/catalog', self.auth_catalog)
        self.route('GET', '/auth/projects', self.auth_projects)
        self.route('GET', '/auth/domains', self.auth_domains)
        self.route('GET', '/regions', self.list_regions)
        self.route('GET', '/regions/{id}', self.get_region)
        self.route('GET', '/services', self.list_services)
        self.route('GET', '/services/{id}', self.get_service)
        self.route('GET', '/endpoints', self.list_endpoints)
        self.route('POST', '/OS-TRUST/trusts', self.create_trust)
        self.route('GET', '/OS-TRUST/trusts', self.list_trusts)
        self.route('GET', '/OS-TRUST/trusts/{id}', self.get_trust)
        self.route('DELETE', '/OS-TRUST/trusts/{id}', self.delete_trust)
        self.register_resources()
        self.register_credentials()

    def decorate(self, request: Request, response: Response) -> None:
        """Add Keystone's response headers.

        :param request: the request.
        :param response: the response, modified in place.
        """
        super().decorate(request, response)
        response.headers.setdefault('Vary', 'X-Auth-Token')

    # -- version discovery ------------------------------------------------

    def _version_body(self) -> dict:
        return {
            'id': 'v3.14', 'status': 'stable',
            'updated': '2020-04-07T00:00:00Z',
            'links': [{'rel': 'self',
                       'href': self.cloud.endpoint('identity') + '/'}],
            'media-types': [{
                'base': 'application/json',
                'type': 'application/vnd.openstack.identity-v3+json'}],
        }

    def versions(self, request: Request) -> Response:
        """``GET /``: the list of versions, as a 300 like Keystone.

        :param request: the request.
        :returns: the response.
        """
        return Response(300, {'versions': {'values': [self._version_body()]}})

    def version(self, request: Request) -> Response:
        """``GET /v3``: the version document.

        :param request: the request.
        :returns: the response.
        """
        return Response(200, {'version': self._version_body()})

    # -- catalog ----------------------------------------------------------

    def catalog(self, project_id: Optional[str] = None) -> list:
        """Build the service catalog of every running service.

        :returns: the v3 catalog list.
        """
        catalog = []
        region = self.cloud.region
        for service_type in self.cloud.service_types:
            url = self.cloud.endpoint(service_type, project_id)
            endpoints = [{
                'id': _stable_id('endpoint', service_type, interface),
                'interface': interface, 'region': region,
                'region_id': region, 'url': url,
            } for interface in ('public', 'internal', 'admin')]
            catalog.append({'endpoints': endpoints,
                            'id': _stable_id('service', service_type),
                            'type': service_type,
                            'name': SERVICE_NAMES[service_type]})
        return catalog

    def auth_catalog(self, request: Request) -> Response:
        """``GET /auth/catalog``.

        :param request: the request.
        :returns: the response.
        """
        return Response(200, {'catalog': self.catalog(
            request.token.project_id if request.token else None)})

    def list_regions(self, request: Request) -> Response:
        """``GET /regions``.

        :param request: the request.
        :returns: the response.
        """
        return Response(200, {'regions': [self._region()],
                              'links': self.list_links('regions')})

    def get_region(self, request: Request) -> Response:
        """``GET /regions/{id}``.

        :param request: the request.
        :returns: the response.
        """
        if request.params['id'] != self.cloud.region:
            raise HTTPError(404, 'Could not find region: %s.'
                            % request.params['id'])
        return Response(200, {'region': self._region()})

    def _region(self) -> dict:
        region = self.cloud.region
        return {'id': region, 'description': '', 'parent_region_id': None,
                'links': {'self': self.link('regions', region)}}

    def _services(self) -> list:
        return [{'id': entry['id'], 'type': entry['type'],
                 'name': entry['name'], 'enabled': True,
                 'links': {'self': self.link('services', entry['id'])}}
                for entry in self.catalog()]

    def list_services(self, request: Request) -> Response:
        """``GET /services`` (``?type=`` and ``?name=`` filters).

        :param request: the request.
        :returns: the response.
        """
        services = [s for s in self._services()
                    if request.arg('type') in (None, s['type'])
                    and request.arg('name') in (None, s['name'])]
        return Response(200, {'services': services,
                              'links': self.list_links('services')})

    def get_service(self, request: Request) -> Response:
        """``GET /services/{id}``.

        :param request: the request.
        :returns: the response.
        """
        for service in self._services():
            if service['id'] == request.params['id']:
                return Response(200, {'service': service})
        raise HTTPError(404, 'Could not find service: %s.'
                        % request.params['id'])

    def list_endpoints(self, request: Request) -> Response:
        """``GET /endpoints`` (``?service_id=``, ``?interface=``).

        :param request: the request.
        :returns: the response.
        """
        endpoints = []
        for entry in self.catalog():
            for endpoint in entry['endpoints']:
                item = dict(endpoint, service_id=entry['id'], enabled=True,
                            links={'self': self.link('endpoints',
                                                     endpoint['id'])})
                if request.arg('service_id') not in (None, entry['id']):
                    continue
                if request.arg('interface') not in (None, item['interface']):
                    continue
                endpoints.append(item)
        return Response(200, {'endpoints': endpoints,
                              'links': self.list_links('endpoints')})

    # -- tokens -----------------------------------------------------------

    def issue_token(self, request: Request) -> Response:
        """``POST /auth/tokens``: password or token auth, any scope.

        :param request: the request.
        :returns: 201 with ``X-Subject-Token``, or 401.
        """
        body = request.json()
        try:
            auth = body['auth']
            identity = auth['identity']
            methods = list(identity['methods'])
        except (KeyError, TypeError):
            raise HTTPError(400, 'Expecting to find identity in auth. The '
                                 'server could not comply with the request '
                                 'since it is either malformed or otherwise '
                                 'incorrect. The client is assumed to be in '
                                 'error.')
        expires_at = None
        if 'password' in methods:
            user = self._password_user(identity.get('password') or {})
        elif 'token' in methods:
            source = self.state.validate_token(
                (identity.get('token') or {}).get('id'))
            if source is None:
                raise HTTPError(401, _AUTH_FAILED)
            user = self.state.get('user', source.user_id)
            expires_at = source.expires_at
            methods = sorted(set(methods) | set(source.methods))
        else:
            raise HTTPError(401, 'Unsupported authentication method.')
        if user is None or not user.get('enabled', True):
            raise HTTPError(401, _AUTH_FAILED)
        token = self._scoped_token(user, auth.get('scope'), methods,
                                   expires_at)
        LOG.debug('issued token %s for user %s', token.log_name,
                  user['name'])
        response = Response(201, self.token_body(
            token, 'nocatalog' not in request.query))
        response.headers['X-Subject-Token'] = token.id
        return response

    def _password_user(self, password: dict) -> Optional[dict]:
        user_ref = password.get('user') or {}
        secret = user_ref.get('password')
        user = self.find_owned('user', user_ref)
        stored = (user or {}).get('password')
        if (not isinstance(secret, str) or not isinstance(stored, str)
                or not secrets.compare_digest(secret.encode('utf-8'),
                                              stored.encode('utf-8'))):
            LOG.debug('password authentication failed for %r',
                      user_ref.get('name') or user_ref.get('id'))
            return None
        return user

    def _scoped_token(self, user: dict, scope: object, methods: list,
                      expires_at: object) -> state_mod.Token:
        if scope is None and user.get('default_project_id'):
            scope = {'project': {'id': user['default_project_id']}}
        user, kwargs = self._scope(user, scope if isinstance(scope, dict)
                                   else {})
        if kwargs and not kwargs.get('role_ids'):
            raise HTTPError(401, 'User %s has no access to the requested '
                                 'scope.' % user['id'])
        return self.state.issue_token(user['id'], methods,
                                      expires_at=expires_at, **kwargs)

    def _scope(self, user: dict, scope: dict) -> tuple:
        """Resolve a token's scope: ``(user, issue_token arguments)``."""
        if 'project' in scope:
            return user, self._target_scope(user, 'project', self.find_owned(
                'project', scope['project'] or {}))
        if 'domain' in scope:
            return user, self._target_scope(user, 'domain', self.find_domain(
                scope['domain'] or {}))
        if 'OS-TRUST:trust' in scope:
            return self._trust_scope(user, scope['OS-TRUST:trust'] or {})
        if 'system' in scope:
            return user, {'system': True, 'role_ids': self.role_ids_of(
                user['id'], 'system', 'all')}
        return user, {}

    def _target_scope(self, user: dict, kind: str,
                      target: Optional[dict]) -> dict:
        if target is None:
            raise HTTPError(401, _AUTH_FAILED)
        return {kind + '_id': target['id'],
                'role_ids': self.role_ids_of(user['id'], kind, target['id'])}

    def _trust_scope(self, user: dict, ref: dict) -> tuple:
        trust = self.state.get('trust', ref.get('id'))
        if trust is None or trust['trustee_user_id'] != user['id']:
            raise HTTPError(401, _AUTH_FAILED)
        if trust['impersonation']:
            user = self.state.get('user', trust['trustor_user_id'])
        return user, {'project_id': trust['project_id'],
                      'trust_id': trust['id'], 'role_ids': trust['role_ids']}

    def token_body(self, token: state_mod.Token,
                   include_catalog: bool = True) -> dict:
        """Render a token the way Keystone does.

        :param token: the token.
        :param include_catalog: add the service catalog.
        :returns: the ``{'token': {...}}`` body.
        """
        user = self.state.get('user', token.user_id) or {
            'id': token.user_id, 'name': token.user_id,
            'domain_id': 'default'}
        body = {
            'methods': token.methods,
            'user': {'domain': self.domain_ref(user['domain_id']),
                     'id': user['id'], 'name': user['name'],
                     'password_expires_at': None},
            'audit_ids': [token.audit_id],
            'expires_at': state_mod.isotime(token.expires_at),
            'issued_at': state_mod.isotime(token.issued_at),
        }
        if token.project_id:
            project = self.state.get('project', token.project_id) or {
                'id': token.project_id, 'name': token.project_id,
                'domain_id': 'default'}
            body['project'] = {'domain': self.domain_ref(
                project['domain_id']), 'id': project['id'],
                'name': project['name']}
            body['is_domain'] = False
        elif token.domain_id:
            body['domain'] = self.domain_ref(token.domain_id)
        elif token.system:
            body['system'] = {'all': True}
        if token.role_ids:
            body['roles'] = [{'id': role_id, 'name': (self.state.get(
                'role', role_id) or {}).get('name', role_id)}
                for role_id in token.role_ids]
            if include_catalog:
                body['catalog'] = self.catalog(token.project_id)
        if token.trust_id:
            trust = self.state.get('trust', token.trust_id) or {}
            body['OS-TRUST:trust'] = {
                'id': token.trust_id,
                'impersonation': trust.get('impersonation', False),
                'trustee_user': {'id': trust.get('trustee_user_id')},
                'trustor_user': {'id': trust.get('trustor_user_id')}}
        return {'token': body}

    def _subject(self, request: Request) -> state_mod.Token:
        subject = self.state.validate_token(
            request.headers.get('X-Subject-Token'))
        if subject is None:
            raise HTTPError(404, 'Could not find token.')
        return subject

    def check_token(self, request: Request) -> Response:
        """``HEAD /auth/tokens``.

        :param request: the request.
        :returns: 200, or 404 for an invalid subject token.
        """
        subject = self._subject(request)
        return Response(200, None, {'X-Subject-Token': subject.id})

    def validate_token(self, request: Request) -> Response:
        """``GET /auth/tokens``.

        :param request: the request.
        :returns: 200 with the token body, or 404.
        """
        subject = self._subject(request)
        return Response(200, self.token_body(
            subject, 'nocatalog' not in request.query),
            {'X-Subject-Token': subject.id})

    def revoke_token(self, request: Request) -> Response:
        """``DELETE /auth/tokens``.

        :param request: the request.
        :returns: 204, or 404.
        """
        subject = self._subject(request)
        self.state.revoke_token(subject.id)
        return Response(204)

    def auth_projects(self, request: Request) -> Response:
        """``GET /auth/projects``: the projects the user has roles on.

        :param request: the request.
        :returns: the response.
        """
        return self.entity_list('projects', self.with_roles(
            'project', request.token.user_id), 'auth/projects')

    def auth_domains(self, request: Request) -> Response:
        """``GET /auth/domains``: the domains the user has roles on.

        :param request: the request.
        :returns: the response.
        """
        return self.entity_list('domains', self.with_roles(
            'domain', request.token.user_id), 'auth/domains')

    # -- trusts -----------------------------------------------------------

    def _render_trust(self, trust: dict) -> dict:
        body = {key: value for key, value in trust.items()
                if key not in ('role_ids', 'name')}
        body['roles'] = [self.render('role', self.state.get('role', r))
                         for r in trust['role_ids']
                         if self.state.get('role', r)]
        body['roles_links'] = self.list_links('OS-TRUST/trusts')
        body['links'] = {'self': self.link('OS-TRUST/trusts', trust['id'])}
        return body

    def create_trust(self, request: Request) -> Response:
        """``POST /OS-TRUST/trusts``.

        :param request: the request.
        :returns: 201 with the trust.
        """
        ref = (request.json() or {}).get('trust') or {}
        for key in ('trustor_user_id', 'trustee_user_id'):
            if self.state.get('user', ref.get(key)) is None:
                raise HTTPError(404, 'Could not find user: %s.'
                                % ref.get(key))
        role_ids = []
        for role_ref in ref.get('roles') or []:
            role = (self.state.get('role', role_ref.get('id')) or
                    self.state.find('role', name=role_ref.get('name')))
            if role is None:
                raise HTTPError(404, 'Could not find role: %s.' % (
                    role_ref.get('id') or role_ref.get('name')))
            role_ids.append(role['id'])
        trust_id = uuid.uuid4().hex
        trust = self.state.add('trust', {
            'id': trust_id, 'name': trust_id,
            'trustor_user_id': ref['trustor_user_id'],
            'trustee_user_id': ref['trustee_user_id'],
            'project_id': ref.get('project_id'),
            'impersonation': bool(ref.get('impersonation', False)),
            'expires_at': ref.get('expires_at'),
            'remaining_uses': ref.get('remaining_uses'),
            'allow_redelegation': bool(ref.get('allow_redelegation', False)),
            'redelegation_count': 0, 'redelegated_trust_id': None,
            'role_ids': role_ids})
        return Response(201, {'trust': self._render_trust(trust)})

    def list_trusts(self, request: Request) -> Response:
        """``GET /OS-TRUST/trusts`` (trustor/trustee filters).

        :param request: the request.
        :returns: the response.
        """
        trusts = self.state.list(
            'trust', trustor_user_id=request.arg('trustor_user_id'),
            trustee_user_id=request.arg('trustee_user_id'))
        return Response(200, {
            'trusts': [self._render_trust(t) for t in trusts],
            'links': self.list_links('OS-TRUST/trusts')})

    def get_trust(self, request: Request) -> Response:
        """``GET /OS-TRUST/trusts/{id}``.

        :param request: the request.
        :returns: the response.
        """
        trust = self.state.get('trust', request.params['id'])
        if trust is None:
            raise HTTPError(404, 'Could not find trust: %s.'
                            % request.params['id'])
        return Response(200, {'trust': self._render_trust(trust)})

    def delete_trust(self, request: Request) -> Response:
        """``DELETE /OS-TRUST/trusts/{id}``.

        :param request: the request.
        :returns: 204, or 404.
        """
        if self.state.remove('trust', request.params['id']) is None:
            raise HTTPError(404, 'Could not find trust: %s.'
                            % request.params['id'])
        return Response(204)


def _stable_id(*parts: str) -> str:
    return uuid.uuid5(uuid.NAMESPACE_URL, '/'.join(parts)).hex

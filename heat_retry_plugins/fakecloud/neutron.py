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

"""Neutron v2.0: versions, extensions, quotas and the collection API.

Every collection answers ``GET``/``POST /v2.0/<collection>`` (one resource
or a bulk list, all or nothing), ``GET``/``PUT``/``DELETE
/v2.0/<collection>/{id}``, and, when taggable, ``/tags`` and
``/tags/{tag}``. Lists are queried as :mod:`.neutron_query` says; quotas are
in :mod:`.neutron_quotas`. What each resource means is in
:mod:`.neutron_networks`, :mod:`.neutron_ports`, :mod:`.neutron_routers`
and :mod:`.neutron_security`. There is no policy: every token sees and may
change every project's resources, as an admin does.
"""

import copy
import functools
from typing import Any
from typing import Callable

from heat_retry_plugins.fakecloud import neutron_common
from heat_retry_plugins.fakecloud import neutron_networks
from heat_retry_plugins.fakecloud import neutron_ports
from heat_retry_plugins.fakecloud import neutron_query
from heat_retry_plugins.fakecloud import neutron_quotas
from heat_retry_plugins.fakecloud import neutron_routers
from heat_retry_plugins.fakecloud import neutron_security
from heat_retry_plugins.fakecloud import routing

Request = routing.Request
Response = routing.Response

COLLECTIONS = (neutron_networks.NETWORKS, neutron_networks.SUBNETS,
               neutron_ports.PORTS, neutron_routers.ROUTERS,
               neutron_routers.FLOATINGIPS, neutron_security.SECURITY_GROUPS,
               neutron_security.SECURITY_GROUP_RULES)

#: The extensions listed: (alias, name), what this fake implements.
EXTENSIONS = (
    ('project-id', 'project_id field enabled'),
    ('standard-attr-description', 'standard-attr-description'),
    ('standard-attr-revisions', 'Resource revision numbers'),
    ('standard-attr-timestamp', 'Resource timestamps'),
    ('standard-attr-tag', 'Tag support for resources with standard '
                          'attribute: subnet, trunk, network_segment_range, '
                          'router, network, policy, subnetpool, port, '
                          'security_group, floatingip'),
    ('tag-creation', 'Tag support for resources during creation'),
    ('external-net', 'Neutron external network'),
    ('router', 'Neutron L3 Router'),
    ('ext-gw-mode', 'Neutron L3 Configurable external gateway mode'),
    ('extraroute', 'Neutron Extra Route'),
    ('l3-ha', 'HA Router extension'),
    ('dvr', 'Distributed Virtual Router'),
    ('security-group', 'security-group'),
    ('stateful-security-group', 'Stateful security group'),
    ('port-security', 'Port Security'),
    ('binding', 'Port Binding'),
    ('allowed-address-pairs', 'Allowed Address Pairs'),
    ('extra_dhcp_opt', 'Neutron Extra DHCP options'),
    ('net-mtu', 'Network MTU'),
    ('quotas', 'Quota management support'),
    ('pagination', 'Pagination support'),
    ('sorting', 'Sorting support'),
    ('filter-validation', 'Filter parameters validation'),
)


class NeutronService(neutron_networks.NetworkResources,
                     neutron_ports.PortResources,
                     neutron_routers.RouterResources,
                     neutron_quotas.QuotaResources,
                     neutron_security.SecurityGroupResources,
                     routing.Service):
    """The network service (Neutron v2.0).

    :param cloud: the owning FakeCloud.
    """

    name = 'network'
    prefix = '/v2.0'

    def __init__(self, cloud: Any) -> None:
        self.collections = {c.path: c for c in COLLECTIONS}
        super().__init__(cloud)

    def register(self) -> None:
        """Declare the routes."""
        self.route('GET', '/', self.versions, auth=False)
        self.route('GET', '/v2.0', self.resources)
        self.route('GET', '/extensions', self.extensions)
        self.route('GET', '/extensions/{alias}', self.extension)
        self.register_quotas()
        self.route('PUT', '/routers/{id}/add_router_interface',
                   self.add_router_interface)
        self.route('PUT', '/routers/{id}/remove_router_interface',
                   self.remove_router_interface)
        for collection in COLLECTIONS:
            bind = functools.partial
            base = '/' + collection.path
            self.route('GET', base, bind(self.list_items, collection))
            self.route('POST', base, bind(self.create_items, collection))
            item = base + '/{id}'
            self.route('GET', item, bind(self.show_item, collection))
            if collection.updatable:
                self.route('PUT', item, bind(self.update_item, collection))
            self.route('DELETE', item, bind(self.delete_item, collection))
            if collection.taggable:
                for method in ('GET', 'PUT', 'DELETE'):
                    self.route(method, item + '/tags',
                               bind(self.all_tags, collection))
                    self.route(method, item + '/tags/{tag}',
                               bind(self.one_tag, collection))

    def route(self, method: str, template: str, func: Callable,
              auth: bool = True) -> None:
        """Add a route whose ``NeutronError`` becomes Neutron's error body.

        :param method: the HTTP method.
        :param template: the route template.
        :param func: the handler.
        :param auth: require a valid token.
        """
        super().route(method, template, functools.partial(self._serve, func),
                      auth)

    def _serve(self, func: Callable, request: Request) -> Response:
        try:
            return func(request)
        except neutron_common.NeutronError as exc:
            return self.neutron_error(exc.status, exc.kind, exc.message)

    def neutron_error(self, status: int, kind: str, message: str) -> Response:
        """Build Neutron's ``NeutronError`` body.

        :param status: the HTTP status.
        :param kind: the error type.
        :param message: the message.
        :returns: the response.
        """
        return Response(status, {'NeutronError': {
            'type': kind, 'message': message, 'detail': ''}})

    def error(self, status: int, message: str) -> Response:
        """Build the error of a plain status (unknown route, fault...).

        :param status: the HTTP status.
        :param message: the message.
        :returns: the response.
        """
        return self.neutron_error(status, neutron_common.http_kind(status),
                                  message)

    # -- helpers ----------------------------------------------------------

    def render(self, collection: neutron_common.Collection, obj: dict) -> dict:
        """Render a stored object as the API shows it.

        :param collection: its collection.
        :param obj: the stored object.
        :returns: the body (a copy).
        """
        body = {k: copy.deepcopy(v) for k, v in obj.items()
                if not k.startswith('_')}
        body['tenant_id'] = obj['project_id']
        getattr(self, 'extend_' + collection.kind)(obj, body)
        return body

    def find(self, collection: neutron_common.Collection, obj_id: str,
             status: int = 404) -> dict:
        """Look an object up.

        :param collection: its collection.
        :param obj_id: the id.
        :param status: the status to answer when it is missing.
        :returns: the stored object.
        :raises NeutronError: ``<Resource>NotFound``.
        """
        return neutron_common.find(self.state, collection, obj_id, status)

    @staticmethod
    def body_dict(request: Request, key: str = '') -> dict:
        """Parse a JSON object body (or the object under ``key``).

        :param request: the request.
        :param key: the wrapping key, or '' for the whole body.
        :returns: the object.
        :raises NeutronError: 400.
        """
        try:
            body = request.json()
        except routing.HTTPError as exc:
            raise neutron_common.bad_request(exc.message)
        if key and isinstance(body, dict):
            body = body.get(key)
        if not isinstance(body, dict):
            raise neutron_common.bad_request(
                "Unable to find '%s' in request body" % (key or 'body'))
        return body

    # -- versions and extensions ------------------------------------------

    def versions(self, request: Request) -> Response:
        """``GET /``: the version list.

        :param request: the request.
        :returns: the response.
        """
        return Response(200, {'versions': [{
            'id': 'v2.0', 'status': 'CURRENT',
            'links': [{'rel': 'self', 'href': self.cloud.base_url(
                'network') + '/v2.0/'}]}]})

    def resources(self, request: Request) -> Response:
        """``GET /v2.0``: the collections of the API.

        :param request: the request.
        :returns: the response.
        """
        base = self.cloud.base_url('network') + '/v2.0/'
        return Response(200, {'resources': [{
            'name': c.singular, 'collection': c.plural,
            'links': [{'rel': 'self', 'href': base + c.path}]}
            for c in COLLECTIONS]})

    @staticmethod
    def _extension(alias: str, name: str) -> dict:
        return {'alias': alias, 'name': name, 'description': name,
                'updated': '2013-01-20T00:00:00-00:00', 'links': []}

    def extensions(self, request: Request) -> Response:
        """``GET /v2.0/extensions``.

        :param request: the request.
        :returns: the response.
        """
        return Response(200, {'extensions': [
            self._extension(alias, name) for alias, name in EXTENSIONS]})

    def extension(self, request: Request) -> Response:
        """``GET /v2.0/extensions/{alias}``.

        :param request: the request.
        :returns: the response, or 404.
        """
        for alias, name in EXTENSIONS:
            if alias == request.params['alias']:
                return Response(200, {'extension': self._extension(alias,
                                                                   name)})
        raise neutron_common.NeutronError(
            404, 'HTTPNotFound', 'Extension with alias %s does not exist'
            % request.params['alias'])

    # -- the collection API -----------------------------------------------

    def list_items(self, collection: neutron_common.Collection,
                   request: Request) -> Response:
        """``GET /v2.0/<collection>``, filtered, sorted and paginated.

        :param collection: the collection.
        :param request: the request.
        :returns: the response.
        """
        if collection is neutron_security.SECURITY_GROUPS:
            neutron_security.ensure_default_group(
                self.state, request.token.project_id)
        with self.state.lock:
            bodies = [self.render(collection, obj)
                      for obj in self.state.list(collection.kind)]
        bodies = neutron_query.sort_bodies(
            collection, neutron_query.filter_bodies(collection, bodies,
                                                    request), request)
        page, links = neutron_query.paginate(collection, bodies, request,
                                             self.cloud.base_url(self.name))
        body = {collection.plural: [neutron_query.select_fields(request, b)
                                    for b in page]}
        if links:
            body[collection.plural + '_links'] = links
        return Response(200, body)

    def create_items(self, collection: neutron_common.Collection,
                     request: Request) -> Response:
        """``POST /v2.0/<collection>``: one resource, or a bulk list.

        A bulk create is all or nothing: what it made before a failing item
        is deleted again.

        :param collection: the collection.
        :param request: the request.
        :returns: 201 with the resource(s).
        """
        body = self.body_dict(request)
        bulk = isinstance(body.get(collection.plural), list)
        refs = body[collection.plural] if bulk else [self.body_dict(
            request, collection.singular)]
        made = []
        with self.state.lock:
            try:
                for ref in refs:
                    made.append(self._create_one(collection, request, ref))
            except neutron_common.NeutronError:
                for obj in reversed(made):
                    getattr(self, 'delete_' + collection.kind)(request, obj)
                raise
            bodies = [self.render(collection, obj) for obj in made]
        if bulk:
            return Response(201, {collection.plural: bodies})
        return Response(201, {collection.singular: bodies[0]})

    def _create_one(self, collection: neutron_common.Collection,
                    request: Request, ref: object) -> dict:
        if not isinstance(ref, dict):
            raise neutron_common.bad_request(
                "Unable to find '%s' in request body" % collection.singular)
        allowed = set(neutron_common.COMMON_CREATE) | set(collection.create)
        if not collection.named:
            allowed.discard('name')
        if not collection.taggable:
            allowed.discard('tags')
        unknown = sorted(set(ref) - allowed)
        if unknown:
            raise neutron_common.bad_request("Unrecognized attribute(s) '%s'"
                                             % ', '.join(unknown))
        obj = neutron_common.new_object(collection, ref,
                                        request.token.project_id)
        self.check_quota(collection.kind, obj['project_id'])
        return getattr(self, 'create_' + collection.kind)(request, ref, obj)

    def show_item(self, collection: neutron_common.Collection,
                  request: Request) -> Response:
        """``GET /v2.0/<collection>/{id}``.

        :param collection: the collection.
        :param request: the request.
        :returns: the response.
        """
        with self.state.lock:
            body = self.render(collection, self.find(
                collection, request.params['id']))
        body = neutron_query.select_fields(request, body)
        return Response(200, {collection.singular: body})

    def update_item(self, collection: neutron_common.Collection,
                    request: Request) -> Response:
        """``PUT /v2.0/<collection>/{id}``; a failed update changes nothing.

        :param collection: the collection.
        :param request: the request.
        :returns: 200 with the resource.
        """
        ref = self.body_dict(request, collection.singular)
        for key in ref:
            if key not in collection.attributes | set(collection.create):
                raise neutron_common.bad_request(
                    "Unrecognized attribute(s) '%s'" % key)
            if key not in collection.updatable:
                raise neutron_common.bad_request(
                    'Cannot update read-only attribute %s' % key)
        with self.state.lock:
            obj = self.find(collection, request.params['id'])
            saved = copy.deepcopy(obj)
            try:
                for key in ('name', 'description'):
                    if key in ref:
                        neutron_common.check_string(key, ref[key])
                        obj[key] = ref[key]
                getattr(self, 'update_' + collection.kind)(request, obj, ref)
            except neutron_common.NeutronError:
                obj.clear()
                obj.update(saved)
                raise
            neutron_common.touch(obj)
            body = self.render(collection, obj)
        return Response(200, {collection.singular: body})

    def delete_item(self, collection: neutron_common.Collection,
                    request: Request) -> Response:
        """``DELETE /v2.0/<collection>/{id}``.

        :param collection: the collection.
        :param request: the request.
        :returns: 204.
        """
        with self.state.lock:
            obj = self.find(collection, request.params['id'])
            getattr(self, 'delete_' + collection.kind)(request, obj)
        return Response(204)

    # -- tags -------------------------------------------------------------

    def all_tags(self, collection: neutron_common.Collection,
                 request: Request) -> Response:
        """``GET``, ``PUT`` (replace) and ``DELETE .../{id}/tags``.

        :param collection: the collection.
        :param request: the request.
        :returns: the response.
        """
        with self.state.lock:
            obj = self.find(collection, request.params['id'])
            if request.method == 'PUT':
                obj['tags'] = neutron_common.check_tags(self.body_dict(
                    request).get('tags'))
                neutron_common.touch(obj)
            elif request.method == 'DELETE':
                obj['tags'] = []
                neutron_common.touch(obj)
                return Response(204)
            return Response(200, {'tags': list(obj['tags'])})

    def one_tag(self, collection: neutron_common.Collection,
                request: Request) -> Response:
        """``GET`` (204 or 404), ``PUT`` (201) and ``DELETE .../tags/{tag}``.

        :param collection: the collection.
        :param request: the request.
        :returns: the response.
        """
        tag = request.params['tag']
        with self.state.lock:
            obj = self.find(collection, request.params['id'])
            if request.method == 'PUT':
                obj['tags'] = neutron_common.check_tags(obj['tags'] + [tag])
                neutron_common.touch(obj)
                return Response(201)
            if tag not in obj['tags']:
                raise neutron_common.NeutronError(
                    404, 'TagNotFound', 'Tag %s could not be found for %s %s.'
                    % (tag, collection.singular, obj['id']))
            if request.method == 'DELETE':
                obj['tags'] = [t for t in obj['tags'] if t != tag]
                neutron_common.touch(obj)
            return Response(204)

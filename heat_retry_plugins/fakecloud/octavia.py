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

"""Octavia v2: load balancers and everything under them.

Listeners, pools, members, health monitors, L7 policies and rules. The
catalog URL has no version (``http://127.0.0.1:PORT``);
python-octaviaclient appends ``/v2.0`` and the ``/lbaas/...`` paths. The
kinds are described in :mod:`.octavia_kinds`; creates, updates and deletes
are served by :mod:`.octavia_changes`.

Every change puts the object, and the load balancer of its tree, in a
``PENDING_*`` provisioning status for :attr:`OctaviaService.
provision_seconds` (0 by default: at once ``ACTIVE``, or gone after a
delete; set it on the service of a cloud, ``cloud.services['load-balancer']
.provision_seconds = 1``). Meanwhile the tree is immutable: creates,
updates and deletes in it are a 409, as in Octavia, which is what Heat's
resources poll through. Deleting a load balancer with children is a 400
unless ``cascade=true``. Objects are per project: another project's are
neither listed nor found. Errors are Octavia's (wsme) JSON:
``{"faultcode", "faultstring", "debuginfo"}``.
"""

import functools

from heat_retry_plugins.fakecloud import octavia_changes
from heat_retry_plugins.fakecloud import octavia_kinds as kinds
from heat_retry_plugins.fakecloud import paging
from heat_retry_plugins.fakecloud import pending
from heat_retry_plugins.fakecloud import routing

HTTPError = routing.HTTPError
Request = routing.Request
Response = routing.Response

#: Input fields that a response shows as relationships instead.
_INPUT_ONLY = {'listener': ('loadbalancer_id',),
               'pool': ('listener_id', 'loadbalancer_id'),
               'healthmonitor': ('pool_id',), 'member': ('pool_id',),
               'l7rule': ('l7policy_id',)}
#: Query parameters of a list that are not field filters.
_LIST_PARAMS = ('limit', 'marker', 'page_reverse', 'fields', 'sort',
                'tags', 'tags-any', 'not-tags', 'not-tags-any')


class OctaviaService(octavia_changes.OctaviaChanges, routing.Service):
    """The load-balancer service (Octavia v2).

    :param cloud: the owning FakeCloud.
    """

    name = 'load-balancer'
    prefix = '/v2.0'

    #: Seconds an object stays ``PENDING_*`` after a change.
    provision_seconds = 0.0

    def register(self) -> None:
        """Declare the routes."""
        self.route('GET', '/', self.versions, auth=False)
        for kind in kinds.KINDS:
            parent = kinds.PARENTS.get(kind.kind)
            base = ('/lbaas/%s/{parent}/%s' % (parent[0].plural, kind.plural)
                    if parent else '/lbaas/' + kind.plural)
            for method, suffix, func in (
                    ('POST', '', self.create), ('GET', '', self.list),
                    ('GET', '/{id}', self.show), ('PUT', '/{id}', self.update),
                    ('DELETE', '/{id}', self.delete)):
                self.route(method, base + suffix, functools.partial(func,
                                                                    kind))

    def error(self, status: int, message: str) -> Response:
        """Build Octavia's (wsme) error body.

        :param status: the HTTP status.
        :param message: the message.
        :returns: the response.
        """
        return Response(status, {
            'faultcode': 'Client' if status < 500 else 'Server',
            'faultstring': message, 'debuginfo': None})

    def before(self, request: Request) -> None:
        """Finish the provisioning whose time has come, then serve.

        :param request: the request.
        """
        self.settle()

    def versions(self, request: Request) -> Response:
        """``GET /``: the versions.

        :param request: the request.
        :returns: the response.
        """
        href = self.cloud.base_url(self.name)
        return Response(200, {'versions': [
            {'id': 'v2.0', 'status': 'SUPPORTED', 'updated':
             '2016-12-11T00:00:00Z',
             'links': [{'href': href + '/v2.0', 'rel': 'self'}]},
            {'id': 'v2', 'status': 'CURRENT', 'updated':
             '2024-10-01T00:00:00Z',
             'links': [{'href': href + '/v2', 'rel': 'self'}]}]})

    # -- provisioning -----------------------------------------------------

    def settle(self) -> None:
        """Move every object whose provisioning has ended to its end state.

        ``PENDING_DELETE`` objects are removed, the others become
        ``ACTIVE``.
        """
        with self.state.lock:
            for kind in kinds.KINDS:
                for obj in pending.due(self.state, kind.kind):
                    self._finish(kind, obj)

    def begin(self, kind: kinds.Kind, obj: dict, status: str) -> None:
        """Start a change of an object.

        :param kind: its kind.
        :param obj: the stored object.
        :param status: ``PENDING_CREATE``, ``PENDING_UPDATE`` or
            ``PENDING_DELETE``.
        """
        obj['provisioning_status'] = status
        if not pending.postpone(obj, self.provision_seconds):
            self._finish(kind, obj)

    def _finish(self, kind: kinds.Kind, obj: dict) -> None:
        if obj['provisioning_status'] == 'PENDING_DELETE':
            self.state.remove(kind.kind, obj['id'])
            return
        obj['provisioning_status'] = 'ACTIVE'
        obj['operating_status'] = 'ONLINE'
        if kind is kinds.MEMBER and not self.state.list(
                'healthmonitor', pool_id=obj['pool_id']):
            obj['operating_status'] = 'NO_MONITOR'

    def _mutable(self, lb: dict, kind: kinds.Kind, obj: dict = None) -> None:
        """Refuse a change while the tree is provisioning (409)."""
        for title, item in (('Load Balancer', lb), (kind.title, obj)):
            if item is not None and item['provisioning_status'] != 'ACTIVE':
                raise HTTPError(409, '%s %s is immutable and cannot be '
                                     'updated.' % (title, item['id']))

    # -- lookups ----------------------------------------------------------

    def get(self, request: Request, kind: kinds.Kind, obj_id: str) -> dict:
        """Find an object of the request's project.

        :param request: the request.
        :param kind: the kind.
        :param obj_id: its id.
        :returns: the stored object.
        :raises HTTPError: 404.
        """
        obj = self.state.get(kind.kind, obj_id or '')
        if obj is None or obj['project_id'] != request.token.project_id:
            raise HTTPError(404, '%s %s not found.' % (kind.title, obj_id))
        return obj

    def _found(self, request: Request, kind: kinds.Kind) -> dict:
        """Find the object of the path (in its parent's, for children)."""
        parent = kinds.PARENTS.get(kind.kind)
        if parent is not None:
            self.get(request, parent[0], request.params['parent'])
        obj = self.get(request, kind, request.params['id'])
        if parent is not None and obj[parent[1]] != request.params['parent']:
            raise HTTPError(404, '%s %s not found.' % (kind.title,
                                                       obj['id']))
        return obj

    def _children(self, kind: str, **fields: str) -> list:
        return [{'id': o['id']} for o in self.state.list(kind, **fields)]

    def render(self, kind: kinds.Kind, obj: dict) -> dict:
        """Render an object with its relationships.

        :param kind: the kind.
        :param obj: the stored object.
        :returns: the API representation.
        """
        body = {k: v for k, v in obj.items() if not k.startswith('_')
                and k not in _INPUT_ONLY.get(kind.kind, ())}
        body['tags'] = list(obj['tags'])
        obj_id = obj['id']
        if kind is kinds.LOADBALANCER:
            body['listeners'] = self._children('listener', _lb=obj_id)
            body['pools'] = self._children('pool', _lb=obj_id)
        elif kind is kinds.LISTENER:
            body['loadbalancers'] = [{'id': obj['_lb']}]
            body['l7policies'] = self._children('l7policy',
                                                listener_id=obj_id)
        elif kind is kinds.POOL:
            monitors = self._children('healthmonitor', pool_id=obj_id)
            body.update(
                loadbalancers=[{'id': obj['_lb']}],
                listeners=self._children('listener', default_pool_id=obj_id),
                members=self._children('member', pool_id=obj_id),
                healthmonitor_id=monitors[0]['id'] if monitors else None)
        elif kind is kinds.HEALTHMONITOR:
            body['pools'] = [{'id': obj['pool_id']}]
        elif kind is kinds.L7POLICY:
            body['rules'] = self._children('l7rule', l7policy_id=obj_id)
        return body

    # -- list and show --------------------------------------------------

    def list(self, kind: kinds.Kind, request: Request) -> Response:
        """``GET /v2.0/lbaas/<kind>``: the project's, filtered, paginated.

        Filters: any field by equality (``name``, ``provisioning_status``,
        ``loadbalancer_id``...), ``tags`` / ``tags-any`` / ``not-tags`` /
        ``not-tags-any`` (comma-separated); ``limit`` and ``marker``.

        :param kind: the kind.
        :param request: the request.
        :returns: the response, with ``<kind>_links`` for the next page.
        :raises HTTPError: 400 on a bad ``limit`` or ``marker``.
        """
        fields = {'project_id': request.token.project_id}
        if kind.kind in kinds.PARENTS:
            parent, field = kinds.PARENTS[kind.kind]
            fields[field] = self.get(request, parent,
                                     request.params['parent'])['id']
        objs = [self.render(kind, o) for o in self.state.list(
            kind.kind, **fields) if _matches(o, request)]
        objs = paging.after_marker(objs, request.arg('marker'))
        if objs is None:
            raise HTTPError(400, 'Invalid marker: %s' % request.arg('marker'))
        try:
            limit = int(request.arg('limit') or 1000)
        except ValueError:
            raise HTTPError(400, 'Invalid input for field/attribute limit.')
        page, marker = paging.first_page(objs, limit)
        links = []
        if marker is not None:
            links.append({'rel': 'next', 'href': '%s/v2.0%s?%s' % (
                request.base_url, request.path, routing.next_query(
                    request, limit=limit, marker=marker))})
        return Response(200, {kind.plural: page,
                              kind.plural + '_links': links})

    def show(self, kind: kinds.Kind, request: Request) -> Response:
        """``GET /v2.0/lbaas/<kind>/{id}``.

        :param kind: the kind.
        :param request: the request.
        :returns: the response.
        """
        return Response(200, {kind.key: self.render(
            kind, self._found(request, kind))})


def _matches(obj: dict, request: Request) -> bool:
    """Apply a list's field and tag filters to a stored object."""
    for key, values in request.query.items():
        if key in _LIST_PARAMS:
            continue
        value = obj.get('_lb' if key == 'loadbalancer_id' else key)
        wanted = values[0]
        if isinstance(value, bool):
            value, wanted = str(value).lower(), wanted.lower()
        if str(value) != wanted:
            return False
    tags = set(obj['tags'])

    def wanted(name: str) -> set:
        return {t for v in request.query.get(name, []) for t in v.split(',')
                if t}

    return ((not wanted('tags') or wanted('tags') <= tags)
            and (not wanted('tags-any') or wanted('tags-any') & tags)
            and (not wanted('not-tags') or not wanted('not-tags') <= tags)
            and not wanted('not-tags-any') & tags)

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

"""Octavia v2 changes: create (linking into the tree), update, delete.

A mixin of :class:`~heat_retry_plugins.fakecloud.octavia.OctaviaService`.
A create finds the load balancer of the new object's tree through its
parent (listener -> load balancer, pool -> listener or load balancer,
member -> pool...) and refuses duplicates as Octavia does: a listener's
port on its load balancer, a member's address and port in its pool, a
second health monitor of a pool, a second default pool of a listener.
"""

import itertools
import uuid

from heat_retry_plugins.fakecloud import octavia_kinds as kinds
from heat_retry_plugins.fakecloud import routing
from heat_retry_plugins.fakecloud import state as state_mod

HTTPError = routing.HTTPError
Request = routing.Request
Response = routing.Response

_ADDRESSES = itertools.count(10)


class OctaviaChanges:
    """Route handlers that change Octavia objects (a Service mixin)."""

    def _now(self) -> str:
        return state_mod.isotime(self.state.clock(), subsecond=False)[:-1]

    def create(self, kind: kinds.Kind, request: Request) -> Response:
        """``POST /v2.0/lbaas/<kind>``.

        :param kind: the kind.
        :param request: the request.
        :returns: the response (201, the object ``PENDING_CREATE``).
        :raises HTTPError: 400 on a bad body, 404 on an unknown parent,
            409 on a duplicate or an immutable tree.
        """
        values = kind.check_create(request.json())
        if values.get('project_id') is None:
            values['project_id'] = request.token.project_id
        obj_id = str(uuid.uuid4())
        now = self._now()
        with self.state.lock:
            obj = dict(values, id=obj_id,
                       provisioning_status='PENDING_CREATE',
                       operating_status='OFFLINE', created_at=now,
                       updated_at=None)
            if kind is kinds.LOADBALANCER:
                self._link_loadbalancer(obj)
                lb = None
            else:
                lb = getattr(self, '_link_' + kind.kind)(request, obj)
                self._mutable(lb, kind)
                obj['_lb'] = lb['id']
            self.state.add(kind.kind, obj)
            body = self.render(kind, obj)
            if lb is not None:
                self.begin(kinds.LOADBALANCER, lb, 'PENDING_UPDATE')
            self.begin(kind, obj, 'PENDING_CREATE')
            return Response(201, {kind.key: body})

    def _link_loadbalancer(self, obj: dict) -> None:
        if not any(obj.get(f) for f in ('vip_subnet_id', 'vip_network_id',
                                        'vip_port_id')):
            raise HTTPError(400, 'Validation failure: VIP must contain one '
                                 'of: vip_port_id, vip_network_id, '
                                 'vip_subnet_id.')
        obj['_lb'] = obj['id']
        obj['vip_address'] = obj.get('vip_address') or '10.0.0.%d' % (
            next(_ADDRESSES) % 240 + 10)
        obj['vip_port_id'] = obj.get('vip_port_id') or str(uuid.uuid4())
        obj['vip_network_id'] = obj.get('vip_network_id') or str(uuid.uuid5(
            uuid.NAMESPACE_URL, 'network/%s' % obj['vip_subnet_id']))

    def _link_listener(self, request: Request, obj: dict) -> dict:
        lb = self.get(request, kinds.LOADBALANCER, obj['loadbalancer_id'])
        if self.state.find('listener', _lb=lb['id'],
                           protocol_port=obj['protocol_port']):
            raise HTTPError(409, 'Another Listener on this Load Balancer is '
                                 'already using protocol_port %d'
                            % obj['protocol_port'])
        self._default_pool(request, lb, obj.get('default_pool_id'))
        return lb

    def _default_pool(self, request: Request, lb: dict, pool_id: str) -> None:
        if pool_id is not None:
            pool = self.get(request, kinds.POOL, pool_id)
            if pool['_lb'] != lb['id']:
                raise HTTPError(400, 'Validation failure: Pool %s is on '
                                     'another load balancer.' % pool_id)

    def _link_pool(self, request: Request, obj: dict) -> dict:
        listener_id = obj.get('listener_id')
        if listener_id is not None:
            listener = self.get(request, kinds.LISTENER, listener_id)
            if listener['default_pool_id'] is not None:
                raise HTTPError(409, 'Listener %s already has a default '
                                     'pool.' % listener_id)
            lb = self.get(request, kinds.LOADBALANCER, listener['_lb'])
            self._mutable(lb, kinds.LISTENER, listener)
            listener['default_pool_id'] = obj['id']
            obj['loadbalancer_id'] = lb['id']
            return lb
        if obj.get('loadbalancer_id') is None:
            raise HTTPError(400, 'Validation failure: loadbalancer_id or '
                                 'listener_id must be specified.')
        return self.get(request, kinds.LOADBALANCER, obj['loadbalancer_id'])

    def _link_member(self, request: Request, obj: dict) -> dict:
        pool = self.get(request, kinds.POOL, request.params['parent'])
        if self.state.find('member', pool_id=pool['id'],
                           address=obj['address'],
                           protocol_port=obj['protocol_port']):
            raise HTTPError(409, 'Another member on this pool is already '
                                 'using ip %s on protocol_port %d'
                            % (obj['address'], obj['protocol_port']))
        obj['pool_id'] = pool['id']
        return self.get(request, kinds.LOADBALANCER, pool['_lb'])

    def _link_healthmonitor(self, request: Request, obj: dict) -> dict:
        pool = self.get(request, kinds.POOL, obj['pool_id'])
        if self.state.find('healthmonitor', pool_id=pool['id']):
            raise HTTPError(409, 'This pool already has a health monitor')
        return self.get(request, kinds.LOADBALANCER, pool['_lb'])

    def _link_l7policy(self, request: Request, obj: dict) -> dict:
        listener = self.get(request, kinds.LISTENER, obj['listener_id'])
        lb = self.get(request, kinds.LOADBALANCER, listener['_lb'])
        self._check_redirect(request, lb, obj)
        return lb

    def _check_redirect(self, request: Request, lb: dict, obj: dict) -> None:
        needs = {'REDIRECT_TO_POOL': 'redirect_pool_id',
                 'REDIRECT_TO_URL': 'redirect_url',
                 'REDIRECT_PREFIX': 'redirect_prefix'}.get(obj['action'])
        if needs and obj.get(needs) is None:
            raise HTTPError(400, 'Validation failure: %s requires %s.'
                            % (obj['action'], needs))
        if obj.get('redirect_pool_id') is not None:
            self._default_pool(request, lb, obj['redirect_pool_id'])

    def _link_l7rule(self, request: Request, obj: dict) -> dict:
        policy = self.get(request, kinds.L7POLICY, request.params['parent'])
        obj['l7policy_id'] = policy['id']
        return self.get(request, kinds.LOADBALANCER, policy['_lb'])

    def update(self, kind: kinds.Kind, request: Request) -> Response:
        """``PUT /v2.0/lbaas/<kind>/{id}``: the object ``PENDING_UPDATE``.

        :param kind: the kind.
        :param request: the request.
        :returns: the response (200, the object ``PENDING_UPDATE``).
        :raises HTTPError: 400 on a bad body, 409 on an immutable tree.
        """
        values = kind.check_update(request.json())
        with self.state.lock:
            obj = self._found(request, kind)
            lb = self.state.get('loadbalancer', obj['_lb'])
            self._mutable(lb, kind, obj)
            if 'default_pool_id' in values:
                self._default_pool(request, lb, values['default_pool_id'])
            if kind is kinds.L7POLICY:
                self._check_redirect(request, lb, dict(obj, **values))
            obj.update(values, updated_at=self._now())
            body = dict(self.render(kind, obj),
                        provisioning_status='PENDING_UPDATE')
            if lb is not obj:
                self.begin(kinds.LOADBALANCER, lb, 'PENDING_UPDATE')
            self.begin(kind, obj, 'PENDING_UPDATE')
            return Response(200, {kind.key: body})

    def delete(self, kind: kinds.Kind, request: Request) -> Response:
        """``DELETE /v2.0/lbaas/<kind>/{id}``: children go with it.

        :param kind: the kind.
        :param request: the request.
        :returns: the response (204).
        :raises HTTPError: 400 for a load balancer with children and no
            ``cascade=true``, 409 on an immutable tree or a pool an L7
            policy redirects to.
        """
        with self.state.lock:
            obj = self._found(request, kind)
            lb = self.state.get('loadbalancer', obj['_lb'])
            self._mutable(lb, kind, obj)
            doomed = self._descendants(kind, obj)
            if (kind is kinds.LOADBALANCER and doomed
                    and request.arg('cascade', 'false').lower() != 'true'):
                raise HTTPError(400, 'Cannot delete Load Balancer %s - it '
                                     'has children' % obj['id'])
            if kind is kinds.POOL:
                policy = self.state.find('l7policy',
                                         redirect_pool_id=obj['id'])
                if policy is not None:
                    raise HTTPError(409, 'Pool %s is in use by L7 policy %s'
                                    % (obj['id'], policy['id']))
                for listener in self.state.list('listener',
                                                default_pool_id=obj['id']):
                    listener['default_pool_id'] = None
            if lb is not obj:
                self.begin(kinds.LOADBALANCER, lb, 'PENDING_UPDATE')
            for child_kind, child in doomed + [(kind, obj)]:
                self.begin(child_kind, child, 'PENDING_DELETE')
        return Response(204)

    def _descendants(self, kind: kinds.Kind, obj: dict) -> list:
        """List ``(kind, object)`` of what goes when an object goes."""
        if kind is kinds.LOADBALANCER:
            return [(k, o) for k in kinds.KINDS[1:]
                    for o in self.state.list(k.kind, _lb=obj['id'])]
        found = []
        if kind is kinds.LISTENER:
            for policy in self.state.list('l7policy', listener_id=obj['id']):
                found.append((kinds.L7POLICY, policy))
                found.extend(self._descendants(kinds.L7POLICY, policy))
        elif kind is kinds.POOL:
            found = [(kinds.MEMBER, o) for o in self.state.list(
                'member', pool_id=obj['id'])]
            found += [(kinds.HEALTHMONITOR, o) for o in self.state.list(
                'healthmonitor', pool_id=obj['id'])]
        elif kind is kinds.L7POLICY:
            found = [(kinds.L7RULE, o) for o in self.state.list(
                'l7rule', l7policy_id=obj['id'])]
        return found

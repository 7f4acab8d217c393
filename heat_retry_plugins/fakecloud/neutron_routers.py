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

"""Neutron routers (interfaces, external gateway) and floating IPs.

An interface on a subnet is a port Neutron makes with the subnet's gateway
address; an interface on a given port takes that port. Removing either
deletes the port, as Neutron does. A router with interfaces cannot be
deleted (409 ``RouterInUse``). The gateway is a port on an external
network (``router:external``); a floating IP is one too, and associates
with a port only through a router that has both that gateway and an
interface on the port's subnet, as in Neutron.
"""

from typing import Any
from typing import Optional

from heat_retry_plugins.fakecloud import neutron_common
from heat_retry_plugins.fakecloud import neutron_networks
from heat_retry_plugins.fakecloud import neutron_ports
from heat_retry_plugins.fakecloud import routing

Response = routing.Response

INTERFACE_OWNER = 'network:router_interface'
GATEWAY_OWNER = 'network:router_gateway'
FLOATINGIP_OWNER = 'network:floatingip'

#: The 400 of an interface change that names neither or both.
_SUBNET_OR_PORT = ('Bad router request: Either subnet_id or port_id must be '
                   'specified.')

ROUTERS = neutron_common.Collection(
    path='routers', singular='router', plural='routers', kind='router',
    resource='Router', missing='Router %s could not be found.',
    fields=('admin_state_up', 'status', 'external_gateway_info', 'routes',
            'distributed', 'ha', 'availability_zones',
            'availability_zone_hints', 'flavor_id'),
    create=('admin_state_up', 'external_gateway_info', 'distributed', 'ha'),
    updatable=('name', 'description', 'admin_state_up',
               'external_gateway_info', 'routes'))

FLOATINGIPS = neutron_common.Collection(
    path='floatingips', singular='floatingip', plural='floatingips',
    kind='floatingip', resource='FloatingIP',
    missing='Floating IP %s could not be found',
    fields=('floating_ip_address', 'floating_network_id', 'router_id',
            'port_id', 'fixed_ip_address', 'status'),
    create=('floating_network_id', 'floating_ip_address', 'subnet_id',
            'port_id', 'fixed_ip_address'),
    updatable=('port_id', 'fixed_ip_address', 'description'),
    named=False)


class RouterResources:
    """Routers and floating IPs (a NeutronService mixin)."""

    def find_router(self, router_id: str) -> dict:
        """Look a router up (404 ``RouterNotFound``)."""
        return neutron_common.find(self.state, ROUTERS, router_id)

    # -- routers ----------------------------------------------------------

    def create_router(self, request: Any, ref: dict, obj: dict) -> dict:
        """Store a router, with its gateway port if one is asked for.

        :param request: the request.
        :param ref: the create body.
        :param obj: the common attributes.
        :returns: the stored router.
        """
        obj.update({
            'admin_state_up': neutron_common.check_bool(
                'admin_state_up', ref.get('admin_state_up', True)),
            'distributed': neutron_common.check_bool(
                'distributed', ref.get('distributed', False)),
            'ha': neutron_common.check_bool('ha', ref.get('ha', False)),
            'routes': [], 'external_gateway_info': None})
        self.state.add('router', obj)
        try:
            self._set_gateway(obj, ref.get('external_gateway_info'))
        except neutron_common.NeutronError:
            self.state.remove('router', obj['id'])
            raise
        return obj

    def update_router(self, request: Any, obj: dict, ref: dict) -> None:
        """Change a router's gateway, routes or state.

        :param request: the request.
        :param obj: the stored router.
        :param ref: the update body.
        """
        if 'external_gateway_info' in ref:
            self._set_gateway(obj, ref['external_gateway_info'])
        if 'routes' in ref:
            if not isinstance(ref['routes'], list) or not all(
                    isinstance(r, dict) and set(r) == {'destination',
                                                       'nexthop'}
                    for r in ref['routes']):
                raise neutron_common.invalid('routes', "'%s' is not a list of "
                                             "routes" % (ref['routes'],))
            obj['routes'] = list(ref['routes'])
        neutron_common.update_flags(obj, ref, ('admin_state_up',))

    def delete_router(self, request: Any, obj: dict) -> None:
        """Delete a router and its gateway (409 with interfaces).

        :param request: the request.
        :param obj: the stored router.
        """
        if self.state.list('port', device_id=obj['id'],
                           device_owner=INTERFACE_OWNER):
            raise neutron_common.conflict(
                'RouterInUse', 'Router %s still has ports' % obj['id'])
        self._set_gateway(obj, None)
        self.state.remove('router', obj['id'])

    def extend_router(self, obj: dict, body: dict) -> None:
        """Add the derived attributes.

        :param obj: the stored router.
        :param body: the rendered router.
        """
        body.update({'status': 'ACTIVE', 'availability_zones': ['nova'],
                     'availability_zone_hints': [], 'flavor_id': None})

    def _gateway_port(self, router: dict) -> Optional[dict]:
        return self.state.find('port', device_id=router['id'],
                               device_owner=GATEWAY_OWNER)

    def _set_gateway(self, router: dict, info: object) -> None:
        old = self._gateway_port(router)
        if not info:
            if old is not None:
                if self.state.list('floatingip', router_id=router['id']):
                    raise neutron_common.conflict(
                        'RouterExternalGatewayInUseByFloatingIp',
                        'Gateway cannot be updated for router %s, since a '
                        'gateway to external network %s is required by one '
                        'or more floating IPs.' % (router['id'],
                                                   old['network_id']))
                self.state.remove('port', old['id'])
            router['external_gateway_info'] = None
            return
        if not isinstance(info, dict) or 'network_id' not in info:
            raise neutron_common.invalid(
                'external_gateway_info', "'%s' has no network_id" % (info,))
        network = neutron_networks.find_network(self.state,
                                                info['network_id'])
        if not network['router:external']:
            raise neutron_common.bad_request(
                'Bad router request: Network %s is not an external network.'
                % network['id'])
        snat = neutron_common.check_bool('enable_snat', info.get('enable_snat',
                                                                 True))
        if old is None or old['network_id'] != network['id'] or (
                'external_fixed_ips' in info):
            if old is not None:
                self.state.remove('port', old['id'])
            old = neutron_ports.make_port(
                self.state, network, '', info.get('external_fixed_ips'),
                GATEWAY_OWNER, router['id'])
        router['external_gateway_info'] = {
            'network_id': network['id'], 'enable_snat': snat,
            'external_fixed_ips': [dict(ip) for ip in old['fixed_ips']]}

    # -- interfaces -------------------------------------------------------

    def add_router_interface(self, request: Any) -> Response:
        """``PUT /routers/{id}/add_router_interface``.

        :param request: the request.
        :returns: 200 with the interface.
        """
        ref = self.body_dict(request)
        with self.state.lock:
            router = self.find_router(request.params['id'])
            if ('subnet_id' in ref) == ('port_id' in ref):
                raise neutron_common.bad_request(_SUBNET_OR_PORT)
            if 'port_id' in ref:
                port = neutron_ports.find_port(self.state, ref['port_id'])
                if port['device_id']:
                    raise neutron_common.conflict(
                        'PortInUse', 'Unable to complete operation on port %s'
                        ' for network %s. Port already has an attached '
                        'device %s.' % (port['id'], port['network_id'],
                                        port['device_id']))
                if not port['fixed_ips']:
                    raise neutron_common.bad_request(
                        'Bad router request: Router port must have at least '
                        'one fixed IP.')
                self._check_new_interface(router, port['fixed_ips'])
                neutron_ports.bind_port(port, router['id'], INTERFACE_OWNER)
            else:
                subnet = self.find(self.collections['subnets'],
                                   str(ref['subnet_id']), status=404)
                if subnet['gateway_ip'] is None:
                    raise neutron_common.bad_request(
                        'Bad router request: Subnet for router interface must '
                        'have a gateway IP.')
                self._check_new_interface(router, [{'subnet_id':
                                                    subnet['id']}])
                network = neutron_networks.find_network(self.state,
                                                        subnet['network_id'])
                port = neutron_ports.make_port(
                    self.state, network, router['project_id'],
                    [{'subnet_id': subnet['id'],
                      'ip_address': subnet['gateway_ip']}],
                    INTERFACE_OWNER, router['id'])
            neutron_common.touch(router)
            return self.interface_response(router, port)

    def _check_new_interface(self, router: dict, fixed_ips: list) -> None:
        taken = {ip['subnet_id'] for port in self.state.list(
            'port', device_id=router['id'], device_owner=INTERFACE_OWNER)
            for ip in port['fixed_ips']}
        for ip in fixed_ips:
            if ip['subnet_id'] in taken:
                raise neutron_common.bad_request(
                    'Bad router request: Router already has a port on subnet '
                    '%s.' % ip['subnet_id'])

    def remove_router_interface(self, request: Any) -> Response:
        """``PUT /routers/{id}/remove_router_interface``.

        :param request: the request.
        :returns: 200 with the interface that was removed.
        """
        ref = self.body_dict(request)
        with self.state.lock:
            router = self.find_router(request.params['id'])
            interfaces = self.state.list(
                'port', device_id=router['id'], device_owner=INTERFACE_OWNER)
            if 'port_id' in ref:
                found = [p for p in interfaces if p['id'] == ref['port_id']]
                error = ('RouterInterfaceNotFound', 'Router %s does not have '
                         'an interface with id %s' % (router['id'],
                                                      ref['port_id']))
            elif 'subnet_id' in ref:
                found = [p for p in interfaces if any(
                    ip['subnet_id'] == ref['subnet_id']
                    for ip in p['fixed_ips'])]
                error = ('RouterInterfaceNotFoundForSubnet', 'Router %s has '
                         'no interface on subnet %s' % (router['id'],
                                                        ref['subnet_id']))
            else:
                raise neutron_common.bad_request(_SUBNET_OR_PORT)
            if not found:
                raise neutron_common.NeutronError(404, *error)
            port = found[0]
            subnets = {ip['subnet_id'] for ip in port['fixed_ips']}
            for fip in self.state.list('floatingip', router_id=router['id']):
                inner = self.state.get('port', fip['port_id']) or {}
                if subnets & {ip['subnet_id']
                              for ip in inner.get('fixed_ips', [])}:
                    raise neutron_common.conflict(
                        'RouterInterfaceInUseByFloatingIP',
                        'Router interface for subnet %s on router %s cannot '
                        'be deleted, as it is required by one or more '
                        'floating IPs.' % (sorted(subnets)[0], router['id']))
            response = self.interface_response(router, port)
            self.state.remove('port', port['id'])
            neutron_common.touch(router)
            return response

    def interface_response(self, router: dict, port: dict) -> Response:
        """Build the body of an interface change.

        :param router: the router.
        :param port: the interface's port.
        :returns: 200 with ids of router, port, subnets and network.
        """
        subnets = [ip['subnet_id'] for ip in port['fixed_ips']]
        return Response(200, {
            'id': router['id'], 'tenant_id': router['project_id'],
            'project_id': router['project_id'], 'port_id': port['id'],
            'network_id': port['network_id'], 'subnet_id': subnets[0],
            'subnet_ids': subnets, 'tags': list(router['tags'])})

    # -- floating IPs -----------------------------------------------------

    def create_floatingip(self, request: Any, ref: dict, obj: dict) -> dict:
        """Take an address of an external network, and associate it.

        :param request: the request.
        :param ref: the create body.
        :param obj: the common attributes.
        :returns: the stored floating IP.
        """
        network = neutron_networks.find_network(self.state,
                                                ref.get('floating_network_id'))
        if not network['router:external']:
            raise neutron_common.bad_request(
                'Bad floatingip request: Network %s is not a valid external '
                'network.' % network['id'])
        wanted = {}
        if ref.get('subnet_id') is not None:
            wanted['subnet_id'] = ref['subnet_id']
        if ref.get('floating_ip_address') is not None:
            wanted['ip_address'] = ref['floating_ip_address']
        port = neutron_ports.make_port(self.state, network, '',
                                       [wanted] if wanted else None,
                                       FLOATINGIP_OWNER, obj['id'])
        if not port['fixed_ips']:
            self.state.remove('port', port['id'])
            raise neutron_common.bad_request(
                'Bad floatingip request: Network %s does not contain any IPv4 '
                'subnet.' % network['id'])
        obj.update({'floating_network_id': network['id'],
                    'floating_ip_address': port['fixed_ips'][0][
                        'ip_address'],
                    'port_id': None, 'fixed_ip_address': None,
                    'router_id': None})
        try:
            self._associate(obj, ref.get('port_id'),
                            ref.get('fixed_ip_address'))
        except neutron_common.NeutronError:
            self.state.remove('port', port['id'])
            raise
        return self.state.add('floatingip', obj)

    def update_floatingip(self, request: Any, obj: dict, ref: dict) -> None:
        """Associate or disassociate a floating IP.

        :param request: the request.
        :param obj: the stored floating IP.
        :param ref: the update body.
        """
        if 'port_id' in ref or 'fixed_ip_address' in ref:
            self._associate(obj, ref.get('port_id', obj['port_id']),
                            ref.get('fixed_ip_address'))

    def delete_floatingip(self, request: Any, obj: dict) -> None:
        """Release a floating IP and its address.

        :param request: the request.
        :param obj: the stored floating IP.
        """
        for port in self.state.list('port', device_id=obj['id'],
                                    device_owner=FLOATINGIP_OWNER):
            self.state.remove('port', port['id'])
        self.state.remove('floatingip', obj['id'])

    def extend_floatingip(self, obj: dict, body: dict) -> None:
        """Add the status.

        :param obj: the stored floating IP.
        :param body: the rendered floating IP.
        """
        body['status'] = 'ACTIVE' if obj['port_id'] else 'DOWN'

    def _associate(self, fip: dict, port_id: Optional[str],
                   fixed_ip: Optional[str]) -> None:
        if port_id is None:
            fip.update({'port_id': None, 'fixed_ip_address': None,
                        'router_id': None})
            return
        port = neutron_ports.find_port(self.state, port_id)
        addresses = [ip for ip in port['fixed_ips'] if fixed_ip in (
            None, ip['ip_address']) and ':' not in ip['ip_address']]
        if not addresses:
            raise neutron_common.bad_request(
                'Bad floatingip request: Port %s does not have fixed ip %s.'
                % (port_id, fixed_ip))
        address = addresses[0]
        for other in self.state.list('floatingip', port_id=port_id):
            if other['id'] != fip['id'] and (
                    other['fixed_ip_address'] == address['ip_address']):
                raise neutron_common.conflict(
                    'FloatingIPPortAlreadyAssociated',
                    'Cannot associate floating IP %s (%s) with port %s using'
                    ' fixed IP %s, as that fixed IP already has a floating '
                    'IP on external network %s.' % (
                        fip['floating_ip_address'], fip['id'], port_id,
                        address['ip_address'], other['floating_network_id']))
        router = self._router_between(fip['floating_network_id'],
                                      address['subnet_id'])
        if router is None:
            raise neutron_common.NeutronError(
                404, 'ExternalGatewayForFloatingIPNotFound',
                'External network %s is not reachable from subnet %s.  '
                'Therefore, cannot associate Port %s with a Floating IP.'
                % (fip['floating_network_id'], address['subnet_id'],
                   port_id))
        fip.update({'port_id': port['id'],
                    'fixed_ip_address': address['ip_address'],
                    'router_id': router['id']})

    def _router_between(self, network_id: str,
                        subnet_id: str) -> Optional[dict]:
        for router in self.state.list('router'):
            gateway = router['external_gateway_info'] or {}
            if gateway.get('network_id') != network_id:
                continue
            for port in self.state.list('port', device_id=router['id'],
                                        device_owner=INTERFACE_OWNER):
                if any(ip['subnet_id'] == subnet_id
                       for ip in port['fixed_ips']):
                    return router
        return None

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

"""Nova servers on Neutron: requested networks, ports and interfaces.

A mixin of :class:`~heat_retry_plugins.fakecloud.nova.NovaService`, on the
Neutron objects of the same cloud state. A server given ``{"port": id}``
binds that port (``device_id``, ``device_owner`` ``compute:nova``); given
``{"uuid": net_id}`` (and ``fixed_ip``), Nova makes a port on that network.
Nova binds at once (real Nova does it while the server builds). Deleting
the server deletes the ports Nova made and unbinds the others, which are
kept. ``addresses`` are set from the ports when they change through Nova.
"""

import ipaddress

from heat_retry_plugins.fakecloud import neutron_common
from heat_retry_plugins.fakecloud import neutron_ports
from heat_retry_plugins.fakecloud import routing

HTTPError = routing.HTTPError
Request = routing.Request
Response = routing.Response


class ComputePorts:
    """Networks of servers and ``os-interface`` (a Service mixin)."""

    def register_ports(self) -> None:
        """Declare the interface routes."""
        self.route('GET', '/servers/{id}/os-interface', self.interfaces)
        self.route('POST', '/servers/{id}/os-interface',
                   self.attach_interface)
        self.route('GET', '/servers/{id}/os-interface/{port_id}',
                   self.interface)
        self.route('DELETE', '/servers/{id}/os-interface/{port_id}',
                   self.detach_interface)

    def validate_network(self, item: object, count: int) -> dict:
        """Check one requested network or port against Neutron's state.

        :param item: one entry of ``networks`` (``uuid``, ``port``,
            ``fixed_ip``, ``tag``).
        :param count: how many servers the request makes.
        :returns: ``{'port', 'tag'}`` or ``{'uuid', 'fixed_ip', 'tag'}``.
        :raises HTTPError: 400 or 409 as Nova answers.
        """
        if not isinstance(item, dict) or not set(item) <= {
                'uuid', 'port', 'fixed_ip', 'tag'}:
            raise HTTPError(400, 'Invalid input for field/attribute '
                                 'networks. Value: %s.' % (item,))
        if item.get('port'):
            port = self._requested_port(item['port'], count)
            return {'port': port['id'], 'tag': item.get('tag')}
        network = self.state.get('network', str(item.get('uuid')))
        if network is None:
            raise HTTPError(400, 'Network %s could not be found.'
                            % item.get('uuid'))
        if not self.state.list('subnet', network_id=network['id']):
            raise HTTPError(400, 'Network %s requires a subnet in order to '
                                 'boot instances on.' % network['id'])
        fixed_ip = item.get('fixed_ip')
        if fixed_ip is not None:
            self._check_fixed_ip(network, fixed_ip)
        return {'uuid': network['id'], 'fixed_ip': fixed_ip,
                'tag': item.get('tag')}

    def _requested_port(self, port_id: str, count: int) -> dict:
        port = self.state.get('port', port_id)
        if port is None:
            raise HTTPError(400, 'Port id %s could not be found.' % port_id)
        if port['device_id']:
            raise HTTPError(409, 'Port %s is still in use.' % port['id'])
        if not port['fixed_ips']:
            raise HTTPError(400, 'Port %s requires a FixedIP in order to be '
                                 'used.' % port['id'])
        if count > 1:
            raise HTTPError(400, 'Unable to launch multiple instances with a '
                                 'single configured port ID. Please launch '
                                 'your instance one by one with different '
                                 'ports.')
        return port

    def _check_fixed_ip(self, network: dict, fixed_ip: object) -> None:
        try:
            ipaddress.ip_address(fixed_ip)
        except ValueError:
            raise HTTPError(400, 'Invalid fixed IP address (%s)' % fixed_ip)
        for port in self.state.list('port', network_id=network['id']):
            if any(ip['ip_address'] == fixed_ip for ip in port['fixed_ips']):
                raise HTTPError(400, 'Fixed IP address %s is already in use '
                                     'on instance %s.'
                                % (fixed_ip, port['device_id']))

    def plug_networks(self, request: Request, server: dict) -> None:
        """Bind the requested ports, make ports on the requested networks.

        :param request: the create request.
        :param server: the new server, with its id (the caller holds the
            lock).
        :raises HTTPError: 400/409 when a port cannot be had.
        """
        server['nova_ports'] = []
        if not isinstance(server['networks'], list):
            return
        for item in server['networks']:
            if item.get('port'):
                port = self.state.get('port', item['port'])
                if port['device_id']:
                    raise HTTPError(409, 'Port %s is still in use.'
                                    % port['id'])
            else:
                port = self._make_port(server, item['uuid'],
                                       item['fixed_ip'])
                server['nova_ports'].append(port['id'])
            neutron_ports.bind_port(port, server['id'],
                                    neutron_ports.COMPUTE_OWNER, 'fakehost')
        server['addresses'] = self.port_addresses(server)

    def _make_port(self, server: dict, network_id: str,
                   fixed_ip: object) -> dict:
        network = self.state.get('network', network_id)
        try:
            return neutron_ports.make_port(
                self.state, network, server['project_id'],
                [{'ip_address': fixed_ip}] if fixed_ip else None)
        except neutron_common.NeutronError as exc:
            raise HTTPError(400 if exc.status == 400 else 409, exc.message)

    def port_addresses(self, server: dict) -> dict:
        """Build a server's ``addresses`` from the ports bound to it.

        :param server: the stored server.
        :returns: network name -> fixed and floating addresses.
        """
        addresses = {}
        for port in self.state.list('port', device_id=server['id']):
            network = self.state.get('network', port['network_id']) or {}
            entries = addresses.setdefault(network.get('name') or
                                           port['network_id'], [])
            for ip in port['fixed_ips']:
                entries.append({
                    'version': ipaddress.ip_address(ip['ip_address']).version,
                    'addr': ip['ip_address'], 'OS-EXT-IPS:type': 'fixed',
                    'OS-EXT-IPS-MAC:mac_addr': port['mac_address']})
            for fip in self.state.list('floatingip', port_id=port['id']):
                entries.append({
                    'version': 4, 'addr': fip['floating_ip_address'],
                    'OS-EXT-IPS:type': 'floating',
                    'OS-EXT-IPS-MAC:mac_addr': port['mac_address']})
        return addresses

    def unplug_networks(self, server: dict) -> None:
        """Unbind the ports of a server being deleted (delete Nova's).

        :param server: the stored server (the caller holds the lock).
        """
        for port in self.state.list('port', device_id=server['id']):
            self._unplug(server, port)

    def _unplug(self, server: dict, port: dict) -> None:
        if port['id'] in server.get('nova_ports', ()):
            neutron_ports.remove_port(self.state, port)
            server['nova_ports'].remove(port['id'])
        else:
            neutron_ports.unbind_port(port)

    def render_interface(self, request: Request, port: dict) -> dict:
        """Render a port as a server interface.

        :param request: the request.
        :param port: the stored port.
        :returns: the ``interfaceAttachment``.
        """
        body = {'port_state': 'ACTIVE', 'port_id': port['id'],
                'net_id': port['network_id'],
                'mac_addr': port['mac_address'],
                'fixed_ips': [dict(ip) for ip in port['fixed_ips']]}
        if self.mv(request) >= (2, 70):
            body['tag'] = None
        return body

    def _interface_port(self, request: Request, server: dict) -> dict:
        port = self.state.get('port', request.params['port_id'])
        if port is None or port['device_id'] != server['id']:
            raise HTTPError(404, 'Port %s is not attached'
                            % request.params['port_id'])
        return port

    def interfaces(self, request: Request) -> Response:
        """``GET /servers/{id}/os-interface``: the ports bound to it.

        :param request: the request.
        :returns: the response.
        """
        with self.state.lock:
            server = self.find_server(request)
            return Response(200, {'interfaceAttachments': [
                self.render_interface(request, port) for port in
                self.state.list('port', device_id=server['id'])]})

    def interface(self, request: Request) -> Response:
        """``GET /servers/{id}/os-interface/{port_id}``.

        :param request: the request.
        :returns: the response.
        """
        with self.state.lock:
            server = self.find_server(request)
            return Response(200, {'interfaceAttachment': self.render_interface(
                request, self._interface_port(request, server))})

    def attach_interface(self, request: Request) -> Response:
        """``POST /servers/{id}/os-interface``: a port, or one on a network.

        :param request: the request.
        :returns: 200 with the interface.
        """
        ref = (request.json() or {}).get('interfaceAttachment')
        if not isinstance(ref, dict):
            raise HTTPError(400, "Invalid input for field/attribute "
                                 "interfaceAttachment.")
        fixed_ips = ref.get('fixed_ips') or [{}]
        item = ({'port': ref['port_id']} if ref.get('port_id') else
                {'uuid': ref.get('net_id'),
                 'fixed_ip': fixed_ips[0].get('ip_address')})
        with self.state.lock:
            server = self.find_server(request)
            if self.server_status(server) != 'ACTIVE':
                raise HTTPError(409, "Cannot 'attach_interface' instance %s "
                                     "while it is in vm_state building"
                                % server['id'])
            item = self.validate_network(item, 1)
            if item.get('port'):
                port = self.state.get('port', item['port'])
            else:
                port = self._make_port(server, item['uuid'],
                                       item['fixed_ip'])
                server.setdefault('nova_ports', []).append(port['id'])
            neutron_ports.bind_port(port, server['id'],
                                    neutron_ports.COMPUTE_OWNER, 'fakehost')
            server['addresses'] = self.port_addresses(server)
            return Response(200, {'interfaceAttachment':
                                  self.render_interface(request, port)})

    def detach_interface(self, request: Request) -> Response:
        """``DELETE /servers/{id}/os-interface/{port_id}``.

        :param request: the request.
        :returns: 202.
        """
        with self.state.lock:
            server = self.find_server(request)
            self._unplug(server, self._interface_port(request, server))
            server['addresses'] = self.port_addresses(server)
        return Response(202)

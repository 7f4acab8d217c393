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

"""Neutron networks, subnets and ports; the port calls Nova makes.

A network cannot be deleted while ports other than Neutron's own are on it
(409 ``NetworkInUse``); its subnets go with it. A subnet cannot be deleted
while a port holds one of its addresses (409 ``SubnetInUse``). A port is
``DOWN`` until a device binds it (Nova, a router), then ``ACTIVE``. There
are no DHCP ports.
"""

import ipaddress
import itertools
from typing import Any
from typing import Optional
import uuid

from heat_retry_plugins.fakecloud import neutron_common as common
from heat_retry_plugins.fakecloud import neutron_ipam as ipam
from heat_retry_plugins.fakecloud import neutron_security as security

#: The owner Nova gives the ports of its servers.
COMPUTE_OWNER = 'compute:nova'
#: Port owners that a network delete removes with it (Neutron's own).
AUTO_DELETE_OWNERS = ('network:dhcp',)

_MACS = itertools.count(1)

NETWORKS = common.Collection(
    path='networks', singular='network', plural='networks', kind='network',
    resource='Network', missing='Network %s could not be found.',
    fields=('admin_state_up', 'status', 'shared', 'router:external', 'mtu',
            'port_security_enabled', 'subnets', 'availability_zones',
            'availability_zone_hints', 'ipv4_address_scope',
            'ipv6_address_scope', 'l2_adjacency'),
    create=('admin_state_up', 'shared', 'router:external', 'mtu',
            'port_security_enabled'),
    updatable=('name', 'description', 'admin_state_up', 'shared',
               'router:external', 'mtu', 'port_security_enabled'))

SUBNETS = common.Collection(
    path='subnets', singular='subnet', plural='subnets', kind='subnet',
    resource='Subnet', missing='Subnet %s could not be found.',
    fields=('network_id', 'cidr', 'ip_version', 'gateway_ip',
            'allocation_pools', 'dns_nameservers', 'host_routes',
            'enable_dhcp', 'ipv6_ra_mode', 'ipv6_address_mode',
            'subnetpool_id', 'segment_id', 'service_types'),
    create=('network_id', 'cidr', 'ip_version', 'gateway_ip',
            'allocation_pools', 'dns_nameservers', 'host_routes',
            'enable_dhcp', 'ipv6_ra_mode', 'ipv6_address_mode',
            'subnetpool_id', 'segment_id', 'service_types', 'prefixlen'),
    updatable=('name', 'description', 'gateway_ip', 'allocation_pools',
               'dns_nameservers', 'host_routes', 'enable_dhcp',
               'service_types'))

PORTS = common.Collection(
    path='ports', singular='port', plural='ports', kind='port',
    resource='Port', missing='Port %s could not be found.',
    fields=('network_id', 'admin_state_up', 'status', 'mac_address',
            'fixed_ips', 'device_id', 'device_owner', 'security_groups',
            'allowed_address_pairs', 'extra_dhcp_opts',
            'port_security_enabled', 'binding:vnic_type', 'binding:host_id',
            'binding:profile', 'binding:vif_type', 'binding:vif_details',
            'ip_allocation'),
    create=('network_id', 'admin_state_up', 'mac_address', 'fixed_ips',
            'device_id', 'device_owner', 'security_groups',
            'allowed_address_pairs', 'extra_dhcp_opts',
            'port_security_enabled', 'binding:vnic_type', 'binding:host_id',
            'binding:profile'),
    updatable=('name', 'description', 'admin_state_up', 'fixed_ips',
               'device_id', 'device_owner', 'security_groups',
               'allowed_address_pairs', 'extra_dhcp_opts',
               'port_security_enabled', 'binding:vnic_type',
               'binding:host_id', 'binding:profile'))


def find_network(state: Any, network_id: object, status: int = 404) -> dict:
    """Look a network up.

    :param state: the CloudState.
    :param network_id: the id.
    :param status: the status to answer when it is missing.
    :returns: the stored network.
    :raises NeutronError: ``NetworkNotFound``.
    """
    network = state.get('network', str(network_id))
    if network is None:
        raise common.NeutronError(status, 'NetworkNotFound',
                                  NETWORKS.missing % network_id)
    return network


def find_port(state: Any, port_id: object, status: int = 404) -> dict:
    """Look a port up.

    :param state: the CloudState.
    :param port_id: the id.
    :param status: the status to answer when it is missing.
    :returns: the stored port.
    :raises NeutronError: ``PortNotFound``.
    """
    port = state.get('port', str(port_id))
    if port is None:
        raise common.NeutronError(status, 'PortNotFound',
                                  PORTS.missing % port_id)
    return port


def new_mac() -> str:
    """Make a MAC address with Neutron's default prefix.

    :returns: ``'fa:16:3e:xx:xx:xx'``.
    """
    seq = next(_MACS)
    return 'fa:16:3e:%02x:%02x:%02x' % ((seq >> 16) & 255, (seq >> 8) & 255,
                                        seq & 255)


def make_port(state: Any, network: dict, project_id: str,
              fixed_ips: object = None, device_owner: str = '',
              device_id: str = '', security_groups: object = None,
              **attributes: Any) -> dict:
    """Build and store a port, as the API or Neutron and Nova themselves do.

    Call it with the state's lock held.

    :param state: the CloudState.
    :param network: the port's network.
    :param project_id: the port's project.
    :param fixed_ips: the requested ``fixed_ips`` (None: one address).
    :param device_owner: the owner.
    :param device_id: the device.
    :param security_groups: group ids; None for the project's ``default``
        (none for Neutron's own ports).
    :param attributes: further attributes (name, tags, mac_address...).
    :returns: the stored port.
    :raises NeutronError: for invalid addresses or groups.
    """
    port_security = attributes.pop('port_security_enabled',
                                   network['port_security_enabled'])
    groups = _port_groups(state, project_id, security_groups, port_security,
                          device_owner)
    mac = attributes.pop('mac_address', None) or new_mac()
    if any(p['mac_address'] == mac
           for p in state.list('port', network_id=network['id'])):
        raise common.conflict(
            'MacAddressInUse', 'Unable to complete operation for network %s.'
            ' The mac address %s is in use.' % (network['id'], mac))
    stamp = common.now()
    port = {'id': attributes.pop('id', None) or str(uuid.uuid4()), 'name': '',
            'description': '', 'tags': [], 'project_id': project_id,
            'created_at': stamp, 'updated_at': stamp, 'revision_number': 1,
            'network_id': network['id'], 'admin_state_up': True,
            'mac_address': mac,
            'fixed_ips': ipam.resolve_fixed_ips(state, network, fixed_ips,
                                                device_owner),
            'device_id': device_id, 'device_owner': device_owner,
            'security_groups': groups, 'allowed_address_pairs': [],
            'extra_dhcp_opts': [], 'port_security_enabled': port_security,
            'binding:vnic_type': 'normal', 'binding:host_id': '',
            'binding:profile': {}}
    port.update(attributes)
    return state.add('port', port)


def bind_port(port: dict, device_id: str, device_owner: str,
              host: str = '') -> None:
    """Give a port to a device (a server, a router...).

    :param port: the stored port.
    :param device_id: the device.
    :param device_owner: the owner, e.g. :data:`COMPUTE_OWNER`.
    :param host: the binding host.
    """
    port.update({'device_id': device_id, 'device_owner': device_owner,
                 'binding:host_id': host})
    common.touch(port)


def unbind_port(port: dict) -> None:
    """Take a port back from its device.

    :param port: the stored port.
    """
    bind_port(port, '', '')


def remove_port(state: Any, port: dict) -> None:
    """Delete a port; a floating IP on it is disassociated.

    :param state: the CloudState.
    :param port: the stored port.
    """
    for fip in state.list('floatingip', port_id=port['id']):
        fip.update({'port_id': None, 'fixed_ip_address': None,
                    'router_id': None})
        common.touch(fip)
    state.remove('port', port['id'])


def _port_groups(state: Any, project_id: str, groups: object,
                 port_security: bool, device_owner: str) -> list:
    if groups is None:
        if device_owner.startswith('network:') or not port_security:
            return []
        return [security.ensure_default_group(state, project_id)['id']]
    if not isinstance(groups, list):
        raise common.invalid('security_groups', "'%s' is not a list"
                             % (groups,))
    if groups and not port_security:
        raise common.conflict(
            'PortSecurityAndIPRequiredForSecurityGroups',
            'Port security must be enabled and port must have an IP address'
            ' in order to use security groups.')
    security.ensure_default_group(state, project_id)
    for group_id in groups:
        if state.get('security_group', str(group_id)) is None:
            raise common.NeutronError(
                404, 'SecurityGroupNotFound',
                security.SECURITY_GROUPS.missing % group_id)
    return list(dict.fromkeys(str(g) for g in groups))


class NetworkResources:
    """Networks, subnets and ports (a NeutronService mixin)."""

    # -- networks ---------------------------------------------------------

    def create_network(self, request: Any, ref: dict, obj: dict) -> dict:
        """Store a network.

        :param request: the request.
        :param ref: the create body.
        :param obj: the common attributes.
        :returns: the stored network.
        """
        mtu = ref.get('mtu', 1450)
        if not isinstance(mtu, int) or not 68 <= mtu <= 9000:
            raise common.invalid('mtu', "'%s' is not in range 68..9000"
                                 % (mtu,))
        obj.update({
            'admin_state_up': common.check_bool(
                'admin_state_up', ref.get('admin_state_up', True)),
            'shared': common.check_bool('shared', ref.get('shared', False)),
            'router:external': common.check_bool(
                'router:external', ref.get('router:external', False)),
            'mtu': mtu,
            'port_security_enabled': common.check_bool(
                'port_security_enabled',
                ref.get('port_security_enabled', True))})
        return self.state.add('network', obj)

    def update_network(self, request: Any, obj: dict, ref: dict) -> None:
        """Change a network's flags.

        :param request: the request.
        :param obj: the stored network.
        :param ref: the update body.
        """
        for key in ('admin_state_up', 'shared', 'router:external',
                    'port_security_enabled'):
            if key in ref:
                obj[key] = common.check_bool(key, ref[key])
        if 'mtu' in ref:
            if not isinstance(ref['mtu'], int) or not 68 <= ref['mtu'] <= (
                    9000):
                raise common.invalid('mtu', "'%s' is not in range 68..9000"
                                     % (ref['mtu'],))
            obj['mtu'] = ref['mtu']

    def delete_network(self, request: Any, obj: dict) -> None:
        """Delete a network and its subnets (409 while ports are on it).

        :param request: the request.
        :param obj: the stored network.
        """
        ports = self.state.list('port', network_id=obj['id'])
        if any(p['device_owner'] not in AUTO_DELETE_OWNERS for p in ports):
            raise common.conflict(
                'NetworkInUse', 'Unable to complete operation on network %s.'
                ' There are one or more ports still in use on the network.'
                % obj['id'])
        for port in ports:
            self.state.remove('port', port['id'])
        for subnet in self.state.list('subnet', network_id=obj['id']):
            self.state.remove('subnet', subnet['id'])
        self.state.remove('network', obj['id'])

    def extend_network(self, obj: dict, body: dict) -> None:
        """Add the derived attributes.

        :param obj: the stored network.
        :param body: the rendered network.
        """
        body.update({
            'status': 'ACTIVE', 'availability_zones': ['nova'],
            'availability_zone_hints': [], 'ipv4_address_scope': None,
            'ipv6_address_scope': None, 'l2_adjacency': True,
            'subnets': [s['id'] for s in self.state.list(
                'subnet', network_id=obj['id'])]})

    # -- subnets ----------------------------------------------------------

    def create_subnet(self, request: Any, ref: dict, obj: dict) -> dict:
        """Validate the CIDR, gateway and pools, and store a subnet.

        :param request: the request.
        :param ref: the create body.
        :param obj: the common attributes.
        :returns: the stored subnet.
        """
        network = find_network(self.state, ref.get('network_id'))
        if ref.get('subnetpool_id') is not None or ref.get('prefixlen'):
            raise common.NeutronError(404, 'SubnetPoolNotFound',
                                      'Subnet pool %s could not be found.'
                                      % ref.get('subnetpool_id'))
        if ref.get('cidr') is None:
            raise common.bad_request('Bad subnet request: a subnetpool must '
                                     'be specified in the absence of a '
                                     'cidr.')
        if ref.get('ip_version') not in (4, 6, '4', '6'):
            raise common.bad_request("Failed to parse request. Required "
                                     "attribute 'ip_version' not specified")
        cidr = ipam.parse_cidr(ref['cidr'])
        if cidr.version != int(ref['ip_version']):
            raise common.bad_request('Invalid input for operation: IP '
                                     'version %s does not match the CIDR %s.'
                                     % (ref['ip_version'], cidr))
        for other in self.state.list('subnet', network_id=network['id']):
            if cidr.overlaps(ipaddress.ip_network(other['cidr'])):
                raise common.bad_request(
                    'Invalid input for operation: Requested subnet with '
                    'cidr: %s for network: %s overlaps with another subnet.'
                    % (cidr, network['id']))
        gateway = self._gateway(cidr, ref.get('gateway_ip', 'default'))
        pools = (ipam.check_pools(cidr, ref['allocation_pools'], gateway)
                 if ref.get('allocation_pools') else
                 ipam.default_pools(cidr, gateway))
        obj.update({
            'network_id': network['id'], 'cidr': str(cidr),
            'ip_version': cidr.version, 'gateway_ip': gateway,
            'allocation_pools': pools,
            'dns_nameservers': list(ref.get('dns_nameservers') or []),
            'host_routes': list(ref.get('host_routes') or []),
            'enable_dhcp': common.check_bool(
                'enable_dhcp', ref.get('enable_dhcp', True)),
            'ipv6_ra_mode': ref.get('ipv6_ra_mode'),
            'ipv6_address_mode': ref.get('ipv6_address_mode'),
            'subnetpool_id': None, 'segment_id': ref.get('segment_id'),
            'service_types': list(ref.get('service_types') or [])})
        return self.state.add('subnet', obj)

    @staticmethod
    def _gateway(cidr: Any, gateway: object) -> Optional[str]:
        if gateway is None:
            return None
        if gateway == 'default':
            return ipam.default_pools(cidr, None)[0]['start']
        address = ipam.parse_ip('gateway_ip', gateway)
        if not ipam.usable(cidr, address):
            raise common.bad_request('Invalid input for operation: Gateway '
                                     'is not valid on subnet.')
        return str(address)

    def update_subnet(self, request: Any, obj: dict, ref: dict) -> None:
        """Change a subnet's gateway, pools, DNS servers, routes or DHCP.

        :param request: the request.
        :param obj: the stored subnet.
        :param ref: the update body.
        """
        cidr = ipaddress.ip_network(obj['cidr'])
        gateway = obj['gateway_ip']
        if 'gateway_ip' in ref:
            gateway = self._gateway(cidr, ref['gateway_ip'])
        pools = obj['allocation_pools']
        if 'allocation_pools' in ref:
            pools = (ipam.check_pools(cidr, ref['allocation_pools'], gateway)
                     if ref['allocation_pools'] else
                     ipam.default_pools(cidr, gateway))
        elif 'gateway_ip' in ref:
            ipam.check_pools(cidr, pools, gateway)
        obj.update({'gateway_ip': gateway, 'allocation_pools': pools})
        for key in ('dns_nameservers', 'host_routes', 'service_types'):
            if key in ref:
                obj[key] = list(ref[key] or [])
        if 'enable_dhcp' in ref:
            obj['enable_dhcp'] = common.check_bool('enable_dhcp',
                                                   ref['enable_dhcp'])

    def delete_subnet(self, request: Any, obj: dict) -> None:
        """Delete a subnet (409 while a port holds one of its addresses).

        :param request: the request.
        :param obj: the stored subnet.
        """
        if ipam.used_addresses(self.state, obj['id']):
            raise common.conflict(
                'SubnetInUse', 'Unable to complete operation on subnet %s: '
                'One or more ports have an IP allocation from this subnet.'
                % obj['id'])
        self.state.remove('subnet', obj['id'])

    def extend_subnet(self, obj: dict, body: dict) -> None:
        """Subnets have no derived attributes.

        :param obj: the stored subnet.
        :param body: the rendered subnet.
        """

    # -- ports ------------------------------------------------------------

    def create_port(self, request: Any, ref: dict, obj: dict) -> dict:
        """Allocate the addresses and store a port.

        :param request: the request.
        :param ref: the create body.
        :param obj: the common attributes.
        :returns: the stored port.
        """
        network = find_network(self.state, ref.get('network_id'))
        extra = {key: ref[key] for key in (
            'mac_address', 'port_security_enabled', 'binding:vnic_type',
            'binding:host_id', 'binding:profile', 'allowed_address_pairs',
            'extra_dhcp_opts') if key in ref}
        if 'port_security_enabled' in extra:
            extra['port_security_enabled'] = common.check_bool(
                'port_security_enabled', extra['port_security_enabled'])
        for key in ('device_id', 'device_owner'):
            common.check_string(key, ref.get(key, ''))
        return make_port(
            self.state, network, obj.pop('project_id'),
            fixed_ips=ref.get('fixed_ips'),
            device_owner=ref.get('device_owner', ''),
            device_id=ref.get('device_id', ''),
            security_groups=ref.get('security_groups'),
            admin_state_up=common.check_bool(
                'admin_state_up', ref.get('admin_state_up', True)),
            **dict(obj, **extra))

    def update_port(self, request: Any, obj: dict, ref: dict) -> None:
        """Change a port's addresses, groups, device or binding.

        :param request: the request.
        :param obj: the stored port.
        :param ref: the update body.
        """
        network = find_network(self.state, obj['network_id'])
        port_security = obj['port_security_enabled']
        if 'port_security_enabled' in ref:
            port_security = common.check_bool('port_security_enabled',
                                              ref['port_security_enabled'])
        groups = obj['security_groups']
        if 'security_groups' in ref:
            groups = _port_groups(self.state, obj['project_id'],
                                  ref['security_groups'] or [],
                                  port_security, obj['device_owner'])
        elif groups and not port_security:
            raise common.conflict(
                'PortSecurityPortHasSecurityGroup', 'Port has security group'
                ' associated. Cannot disable port security or ip address '
                'until security group is removed')
        if 'fixed_ips' in ref:
            obj['fixed_ips'] = ipam.resolve_fixed_ips(
                self.state, network, ref['fixed_ips'] or [],
                ref.get('device_owner', obj['device_owner']), obj['id'])
        obj.update({'security_groups': groups,
                    'port_security_enabled': port_security})
        for key in ('admin_state_up',):
            if key in ref:
                obj[key] = common.check_bool(key, ref[key])
        for key in ('device_id', 'device_owner', 'binding:host_id',
                    'binding:vnic_type', 'binding:profile',
                    'allowed_address_pairs', 'extra_dhcp_opts'):
            if key in ref:
                obj[key] = ref[key]

    def delete_port(self, request: Any, obj: dict) -> None:
        """Delete a port; a floating IP on it is disassociated.

        :param request: the request.
        :param obj: the stored port.
        """
        if obj['device_owner'].startswith('network:router'):
            raise common.conflict(
                'L3PortInUse', 'Port %s has owner %s and therefore cannot be'
                ' deleted directly via the port API.'
                % (obj['id'], obj['device_owner']))
        remove_port(self.state, obj)

    def extend_port(self, obj: dict, body: dict) -> None:
        """Add the status and the binding's derived attributes.

        :param obj: the stored port.
        :param body: the rendered port.
        """
        bound = bool(obj['device_owner']) and bool(obj['device_id'])
        body.update({
            'status': 'ACTIVE' if bound else 'DOWN',
            'binding:vif_type': 'ovs' if obj['binding:host_id'] else
            'unbound',
            'binding:vif_details': {'port_filter': True} if obj[
                'binding:host_id'] else {},
            'ip_allocation': 'immediate'})

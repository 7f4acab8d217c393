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

"""Neutron networks and subnets.

A network cannot be deleted while ports other than Neutron's own are on it
(409 ``NetworkInUse``); its subnets go with it. A subnet cannot be deleted
while a port holds one of its addresses (409 ``SubnetInUse``). There are no
DHCP ports.
"""

import ipaddress
from typing import Any
from typing import Optional

from heat_retry_plugins.fakecloud import neutron_common
from heat_retry_plugins.fakecloud import neutron_ipam

#: Port owners that a network delete removes with it (Neutron's own).
AUTO_DELETE_OWNERS = ('network:dhcp',)

NETWORKS = neutron_common.Collection(
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

SUBNETS = neutron_common.Collection(
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


def find_network(state: Any, network_id: object, status: int = 404) -> dict:
    """Look a network up by an id from a body (404 ``NetworkNotFound``)."""
    return neutron_common.find(state, NETWORKS, network_id, status)


def _check_mtu(mtu: object) -> int:
    if not isinstance(mtu, int) or not 68 <= mtu <= 9000:
        raise neutron_common.invalid('mtu', "'%s' is not in range 68..9000"
                                     % (mtu,))
    return mtu


def _pools(cidr: Any, requested: object, gateway: Optional[str]) -> list:
    if requested:
        return neutron_ipam.check_pools(cidr, requested, gateway)
    return neutron_ipam.default_pools(cidr, gateway)


class NetworkResources:
    """Networks and subnets (a NeutronService mixin)."""

    # -- networks ---------------------------------------------------------

    def create_network(self, request: Any, ref: dict, obj: dict) -> dict:
        """Store a network.

        :param request: the request.
        :param ref: the create body.
        :param obj: the common attributes.
        :returns: the stored network.
        """
        mtu = _check_mtu(ref.get('mtu', 1450))
        obj.update({
            'admin_state_up': neutron_common.check_bool(
                'admin_state_up', ref.get('admin_state_up', True)),
            'shared': neutron_common.check_bool('shared',
                                                ref.get('shared', False)),
            'router:external': neutron_common.check_bool(
                'router:external', ref.get('router:external', False)),
            'mtu': mtu,
            'port_security_enabled': neutron_common.check_bool(
                'port_security_enabled',
                ref.get('port_security_enabled', True))})
        return self.state.add('network', obj)

    def update_network(self, request: Any, obj: dict, ref: dict) -> None:
        """Change a network's flags.

        :param request: the request.
        :param obj: the stored network.
        :param ref: the update body.
        """
        neutron_common.update_flags(obj, ref, ('admin_state_up', 'shared',
                                               'router:external',
                                               'port_security_enabled'))
        if 'mtu' in ref:
            obj['mtu'] = _check_mtu(ref['mtu'])

    def delete_network(self, request: Any, obj: dict) -> None:
        """Delete a network and its subnets (409 while ports are on it).

        :param request: the request.
        :param obj: the stored network.
        """
        ports = self.state.list('port', network_id=obj['id'])
        if any(p['device_owner'] not in AUTO_DELETE_OWNERS for p in ports):
            raise neutron_common.conflict(
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
            raise neutron_common.NeutronError(
                404, 'SubnetPoolNotFound', 'Subnet pool %s could not be found.'
                % ref.get('subnetpool_id'))
        if ref.get('cidr') is None:
            raise neutron_common.bad_request(
                'Bad subnet request: a subnetpool must be specified in the '
                'absence of a cidr.')
        if ref.get('ip_version') not in (4, 6, '4', '6'):
            raise neutron_common.bad_request(
                "Failed to parse request. Required attribute 'ip_version' not "
                "specified")
        cidr = neutron_ipam.parse_cidr(ref['cidr'])
        if cidr.version != int(ref['ip_version']):
            raise neutron_common.bad_request(
                'Invalid input for operation: IP version %s does not match '
                'the CIDR %s.' % (ref['ip_version'], cidr))
        for other in self.state.list('subnet', network_id=network['id']):
            if cidr.overlaps(ipaddress.ip_network(other['cidr'])):
                raise neutron_common.bad_request(
                    'Invalid input for operation: Requested subnet with '
                    'cidr: %s for network: %s overlaps with another subnet.'
                    % (cidr, network['id']))
        gateway = self._gateway(cidr, ref.get('gateway_ip', 'default'))
        pools = _pools(cidr, ref.get('allocation_pools'), gateway)
        obj.update({
            'network_id': network['id'], 'cidr': str(cidr),
            'ip_version': cidr.version, 'gateway_ip': gateway,
            'allocation_pools': pools,
            'dns_nameservers': list(ref.get('dns_nameservers') or []),
            'host_routes': list(ref.get('host_routes') or []),
            'enable_dhcp': neutron_common.check_bool(
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
            return neutron_ipam.default_pools(cidr, None)[0]['start']
        address = neutron_ipam.parse_ip('gateway_ip', gateway)
        if not neutron_ipam.usable(cidr, address):
            raise neutron_common.bad_request(
                'Invalid input for operation: Gateway is not valid on subnet.')
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
            pools = _pools(cidr, ref['allocation_pools'], gateway)
        elif 'gateway_ip' in ref:
            neutron_ipam.check_pools(cidr, pools, gateway)
        obj.update({'gateway_ip': gateway, 'allocation_pools': pools})
        for key in ('dns_nameservers', 'host_routes', 'service_types'):
            if key in ref:
                obj[key] = list(ref[key] or [])
        neutron_common.update_flags(obj, ref, ('enable_dhcp',))

    def delete_subnet(self, request: Any, obj: dict) -> None:
        """Delete a subnet (409 while a port holds one of its addresses).

        :param request: the request.
        :param obj: the stored subnet.
        """
        if neutron_ipam.used_addresses(self.state, obj['id']):
            raise neutron_common.conflict(
                'SubnetInUse', 'Unable to complete operation on subnet %s: '
                'One or more ports have an IP allocation from this subnet.'
                % obj['id'])
        self.state.remove('subnet', obj['id'])

    def extend_subnet(self, obj: dict, body: dict) -> None:
        """Subnets have no derived attributes.

        :param obj: the stored subnet.
        :param body: the rendered subnet.
        """

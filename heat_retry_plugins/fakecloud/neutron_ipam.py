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

"""IP address management: subnet pools of addresses and port fixed IPs.

An address is in use when a port's ``fixed_ips`` holds it; the gateway is
reserved for the router interface that takes it. Allocation takes the lowest
free address of the subnet's allocation pools (Neutron picks at random; the
lowest is deterministic).
"""

import ipaddress
from typing import Any
from typing import Iterable
from typing import Optional

from heat_retry_plugins.fakecloud import neutron_common

#: Device owners that may hold a subnet's gateway address.
ROUTER_OWNERS = ('network:router_interface',
                 'network:router_interface_distributed',
                 'network:ha_router_replicated_interface')


def parse_cidr(value: object) -> Any:
    """Parse a subnet CIDR as Neutron accepts it (no host bits).

    :param value: the CIDR given.
    :returns: an ``ipaddress`` network.
    :raises NeutronError: 400.
    """
    try:
        network = ipaddress.ip_network(str(value), strict=False)
    except ValueError:
        raise neutron_common.invalid('cidr', "'%s' is not a valid IP subnet"
                                     % (value,))
    if str(network) != str(value):
        raise neutron_common.invalid(
            'cidr', "'%s' isn't a recommended CIDR, '%s' is recommended"
            % (value, network))
    return network


def parse_ip(field: str, value: object) -> Any:
    """Parse one IP address.

    :param field: the attribute, for the error.
    :param value: the address given.
    :returns: an ``ipaddress`` address.
    :raises NeutronError: 400.
    """
    try:
        return ipaddress.ip_address(str(value))
    except ValueError:
        raise neutron_common.invalid(field, "'%s' is not a valid IP address"
                                     % (value,))


def usable(network: Any, address: Any) -> bool:
    """Tell whether an address may be given to a port of a subnet.

    :param network: the subnet's network.
    :param address: the address.
    :returns: False outside the CIDR and for IPv4's network and broadcast
        addresses.
    """
    if address.version != network.version or address not in network:
        return False
    if network.version == 4 and network.prefixlen < 31:
        return address not in (network.network_address,
                               network.broadcast_address)
    return True


def default_pools(network: Any, gateway: Optional[str]) -> list:
    """Compute the allocation pools of a subnet given none.

    :param network: the subnet's network.
    :param gateway: the gateway address, or None.
    :returns: ``[{'start': ..., 'end': ...}]``: the usable range without
        the gateway.
    """
    first = int(network.network_address) + 1
    last = int(network.broadcast_address) - (network.version == 4)
    if network.version == 4 and network.prefixlen >= 31:
        first, last = int(network.network_address), int(
            network.broadcast_address)
    ranges = [(first, last)]
    if gateway is not None:
        gw = int(ipaddress.ip_address(gateway))
        ranges = [(a, b) for a, b in ((first, gw - 1), (gw + 1, last))
                  if a <= b]
    version = ipaddress.ip_address
    return [{'start': str(version(a)), 'end': str(version(b))}
            for a, b in ranges]


def check_pools(network: Any, pools: object, gateway: Optional[str]) -> list:
    """Validate the allocation pools given for a subnet.

    :param network: the subnet's network.
    :param pools: ``[{'start', 'end'}]`` as given.
    :param gateway: the gateway address, or None.
    :returns: the pools, normalised.
    :raises NeutronError: 400.
    """
    if not isinstance(pools, list):
        raise neutron_common.invalid('allocation_pools', "'%s' is not a list"
                                     % (pools,))
    ranges = []
    for pool in pools:
        if not isinstance(pool, dict) or set(pool) != {'start', 'end'}:
            raise neutron_common.invalid(
                'allocation_pools', "'%s' is not a valid allocation pool"
                % (pool,))
        start = parse_ip('allocation_pools', pool['start'])
        end = parse_ip('allocation_pools', pool['end'])
        if not (usable(network, start) and usable(network, end)
                and start <= end):
            raise neutron_common.bad_request(
                'The allocation pool %s-%s spans beyond the subnet cidr %s.'
                % (start, end, network))
        ranges.append((start, end))
    ranges.sort()
    for (_, end), (start, _) in zip(ranges, ranges[1:]):
        if start <= end:
            raise neutron_common.bad_request(
                'Found overlapping allocation pools: %s' % (ranges,))
    if gateway is not None:
        gw = ipaddress.ip_address(gateway)
        for start, end in ranges:
            if start <= gw <= end:
                raise neutron_common.conflict(
                    'GatewayConflictWithAllocationPools',
                    'Gateway ip %s conflicts with allocation pool %s-%s.'
                    % (gw, start, end))
    return [{'start': str(a), 'end': str(b)} for a, b in ranges]


def used_addresses(state: Any, subnet_id: str,
                   except_port: Optional[str] = None) -> set:
    """List the addresses of a subnet that ports hold.

    :param state: the CloudState.
    :param subnet_id: the subnet.
    :param except_port: a port whose addresses do not count (being
        updated).
    :returns: the addresses, as strings.
    """
    return {ip['ip_address'] for port in state.list('port')
            if port['id'] != except_port for ip in port['fixed_ips']
            if ip['subnet_id'] == subnet_id}


def next_free(subnet: dict, used: set) -> Optional[str]:
    """Find the lowest free address of a subnet's pools.

    :param subnet: the stored subnet.
    :param used: the addresses in use.
    :returns: the address, or None when the pools are exhausted.
    """
    for pool in subnet['allocation_pools']:
        start = int(ipaddress.ip_address(pool['start']))
        end = int(ipaddress.ip_address(pool['end']))
        # NOTE: at most len(used) + 1 steps: an address is found before the
        # loop has skipped every used one.
        for value in range(start, end + 1):
            address = str(ipaddress.ip_address(value))
            if address not in used and address != subnet['gateway_ip']:
                return address
    return None


def resolve_fixed_ips(state: Any, network: dict, requested: object,
                      device_owner: str = '',
                      port_id: Optional[str] = None) -> list:
    """Turn a port's requested ``fixed_ips`` into allocated addresses.

    :param state: the CloudState (read under its lock by the caller).
    :param network: the port's network.
    :param requested: the ``fixed_ips`` given, or None for Neutron's
        default: one address of the first IPv4 subnet with room (and one of
        the first IPv6 subnet).
    :param device_owner: the port's owner (router ports take gateways).
    :param port_id: the port being updated, whose addresses are free.
    :returns: ``[{'subnet_id', 'ip_address'}]``.
    :raises NeutronError: 400 for an address or subnet not of the network,
        409 for an address in use or a network without room.
    """
    subnets = [s for s in state.list('subnet', network_id=network['id'])]
    if requested is None:
        return _default_addresses(state, network, subnets, port_id)
    if not isinstance(requested, list):
        raise neutron_common.invalid('fixed_ips', "'%s' is not a list"
                                     % (requested,))
    result = []
    for item in requested:
        keys = {'subnet_id', 'ip_address'}
        if not isinstance(item, dict) or not set(item) <= keys:
            raise neutron_common.invalid(
                'fixed_ips', "'%s' is not a valid fixed IP" % (item,))
        subnet = _subnet_of(network, subnets, item)
        taken = used_addresses(state, subnet['id'], port_id) | {
            ip['ip_address'] for ip in result}
        if item.get('ip_address') is None:
            address = next_free(subnet, taken)
            if address is None:
                raise _exhausted(network)
        else:
            address = str(parse_ip('ip_address', item['ip_address']))
            gateway = (address == subnet['gateway_ip']
                       and device_owner not in ROUTER_OWNERS)
            if address in taken or gateway:
                raise neutron_common.conflict(
                    'IpAddressAlreadyAllocated',
                    'IP address %s already allocated in subnet %s'
                    % (address, subnet['id']))
        result.append({'subnet_id': subnet['id'], 'ip_address': address})
    return result


def _default_addresses(state: Any, network: dict, subnets: Iterable,
                       port_id: Optional[str]) -> list:
    result = []
    for version in (4, 6):
        candidates = [s for s in subnets if s['ip_version'] == version]
        for subnet in candidates:
            address = next_free(subnet, used_addresses(
                state, subnet['id'], port_id))
            if address is not None:
                result.append({'subnet_id': subnet['id'],
                               'ip_address': address})
                break
        else:
            if candidates:
                raise _exhausted(network)
    return result


def _subnet_of(network: dict, subnets: list, item: dict) -> dict:
    if item.get('subnet_id') is not None:
        for subnet in subnets:
            if subnet['id'] == item['subnet_id']:
                break
        else:
            raise neutron_common.bad_request(
                'Invalid input for operation: Failed to create port on '
                'network %s, because fixed_ips included invalid subnet %s.'
                % (network['id'], item['subnet_id']))
        if item.get('ip_address') is not None and not usable(
                ipaddress.ip_network(subnet['cidr']),
                parse_ip('ip_address', item['ip_address'])):
            raise neutron_common.NeutronError(
                400, 'InvalidIpForSubnet', 'IP address %s is not a valid IP '
                'for the specified subnet.' % item['ip_address'])
        return subnet
    if item.get('ip_address') is None:
        raise neutron_common.invalid(
            'fixed_ips', "'%s' has neither subnet_id nor ip_address"
            % (item,))
    address = parse_ip('ip_address', item['ip_address'])
    for subnet in subnets:
        if usable(ipaddress.ip_network(subnet['cidr']), address):
            return subnet
    raise neutron_common.NeutronError(
        400, 'InvalidIpForNetwork', 'IP address %s is not a valid IP for '
        'any of the subnets on the specified network.' % address)


def _exhausted(network: dict) -> neutron_common.NeutronError:
    return neutron_common.conflict(
        'IpAddressGenerationFailure',
        'No more IP addresses available on network %s.' % network['id'])

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

"""Neutron ports, and the port calls Nova and the routers make.

A port takes its addresses from its network's subnets (see
:mod:`.neutron_ipam`) and the project's ``default`` group unless it names
groups. It is ``DOWN`` until a device binds it (Nova, a router), then
``ACTIVE``. Router ports cannot be deleted through the port API (409
``L3PortInUse``); a deleted port's floating IP is disassociated.
"""

import itertools
from typing import Any
import uuid

from heat_retry_plugins.fakecloud import neutron_common
from heat_retry_plugins.fakecloud import neutron_ipam
from heat_retry_plugins.fakecloud import neutron_networks
from heat_retry_plugins.fakecloud import neutron_security

#: The owner Nova gives the ports of its servers.
COMPUTE_OWNER = 'compute:nova'

_MACS = itertools.count(1)

PORTS = neutron_common.Collection(
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


def find_port(state: Any, port_id: object, status: int = 404) -> dict:
    """Look a port up by an id from a body (404 ``PortNotFound``)."""
    return neutron_common.find(state, PORTS, port_id, status)


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
        raise neutron_common.conflict(
            'MacAddressInUse', 'Unable to complete operation for network %s.'
            ' The mac address %s is in use.' % (network['id'], mac))
    stamp = neutron_common.now()
    port = {'id': attributes.pop('id', None) or str(uuid.uuid4()), 'name': '',
            'description': '', 'tags': [], 'project_id': project_id,
            'created_at': stamp, 'updated_at': stamp, 'revision_number': 1,
            'network_id': network['id'], 'admin_state_up': True,
            'mac_address': mac,
            'fixed_ips': neutron_ipam.resolve_fixed_ips(
                state, network, fixed_ips, device_owner),
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
    neutron_common.touch(port)


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
        neutron_common.touch(fip)
    state.remove('port', port['id'])


def _port_groups(state: Any, project_id: str, groups: object,
                 port_security: bool, device_owner: str) -> list:
    if groups is None:
        if device_owner.startswith('network:') or not port_security:
            return []
        return [neutron_security.ensure_default_group(state, project_id)['id']]
    if not isinstance(groups, list):
        raise neutron_common.invalid('security_groups', "'%s' is not a list"
                                     % (groups,))
    if groups and not port_security:
        raise neutron_common.conflict(
            'PortSecurityAndIPRequiredForSecurityGroups',
            'Port security must be enabled and port must have an IP address'
            ' in order to use security groups.')
    neutron_security.ensure_default_group(state, project_id)
    for group_id in groups:
        neutron_common.find(state, neutron_security.SECURITY_GROUPS,
                            str(group_id))
    return list(dict.fromkeys(str(g) for g in groups))


class PortResources:
    """Ports (a NeutronService mixin)."""

    def create_port(self, request: Any, ref: dict, obj: dict) -> dict:
        """Allocate the addresses and store a port.

        :param request: the request.
        :param ref: the create body.
        :param obj: the common attributes.
        :returns: the stored port.
        """
        network = neutron_networks.find_network(self.state,
                                                ref.get('network_id'))
        extra = {key: ref[key] for key in (
            'mac_address', 'port_security_enabled', 'binding:vnic_type',
            'binding:host_id', 'binding:profile', 'allowed_address_pairs',
            'extra_dhcp_opts') if key in ref}
        if 'port_security_enabled' in extra:
            extra['port_security_enabled'] = neutron_common.check_bool(
                'port_security_enabled', extra['port_security_enabled'])
        for key in ('device_id', 'device_owner'):
            neutron_common.check_string(key, ref.get(key, ''))
        return make_port(
            self.state, network, obj.pop('project_id'),
            fixed_ips=ref.get('fixed_ips'),
            device_owner=ref.get('device_owner', ''),
            device_id=ref.get('device_id', ''),
            security_groups=ref.get('security_groups'),
            admin_state_up=neutron_common.check_bool(
                'admin_state_up', ref.get('admin_state_up', True)),
            **dict(obj, **extra))

    def update_port(self, request: Any, obj: dict, ref: dict) -> None:
        """Change a port's addresses, groups, device or binding.

        :param request: the request.
        :param obj: the stored port.
        :param ref: the update body.
        """
        network = neutron_networks.find_network(self.state, obj['network_id'])
        port_security = obj['port_security_enabled']
        if 'port_security_enabled' in ref:
            port_security = neutron_common.check_bool(
                'port_security_enabled', ref['port_security_enabled'])
        groups = obj['security_groups']
        if 'security_groups' in ref:
            groups = _port_groups(self.state, obj['project_id'],
                                  ref['security_groups'] or [],
                                  port_security, obj['device_owner'])
        elif groups and not port_security:
            raise neutron_common.conflict(
                'PortSecurityPortHasSecurityGroup', 'Port has security group'
                ' associated. Cannot disable port security or ip address '
                'until security group is removed')
        if 'fixed_ips' in ref:
            obj['fixed_ips'] = neutron_ipam.resolve_fixed_ips(
                self.state, network, ref['fixed_ips'] or [],
                ref.get('device_owner', obj['device_owner']), obj['id'])
        obj.update({'security_groups': groups,
                    'port_security_enabled': port_security})
        neutron_common.update_flags(obj, ref, ('admin_state_up',))
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
            raise neutron_common.conflict(
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

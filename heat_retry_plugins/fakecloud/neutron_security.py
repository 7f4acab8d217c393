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

"""Neutron security groups and their rules, and each project's ``default``.

A project's ``default`` group (egress to anywhere, ingress from its own
members, IPv4 and IPv6) is made by Neutron the first time the project
creates a port or a group, or lists groups. It is seeded: never counted as
created or leaked. A group made through the API gets the two egress rules
of Neutron; they are counted, and go with their group. Rules have no name
and no tags, as in Neutron; a second rule equal to one of the group (same
direction, ethertype, protocol, port range and remote) answers 409
``SecurityGroupRuleExists`` with the first one's id.

NOTE: a list filtered on another project does not make that project's
``default`` group (Neutron does), so that Heat's OS::Keystone::Project
delete, which lists and deletes it, does not count as deleting a seeded
object.
"""

import ipaddress
import uuid

from heat_retry_plugins.fakecloud import neutron_common

#: Protocol names Neutron knows, and their numbers (for duplicate checks).
PROTOCOLS = {'ah': 51, 'dccp': 33, 'egp': 8, 'esp': 50, 'gre': 47,
             'icmp': 1, 'icmpv6': 58, 'igmp': 2, 'ipip': 4,
             'ipv6-encap': 41, 'ipv6-frag': 44, 'ipv6-icmp': 58,
             'ipv6-nonxt': 59, 'ipv6-opts': 60, 'ipv6-route': 43,
             'ospf': 89, 'pgm': 113, 'rsvp': 46, 'sctp': 132, 'tcp': 6,
             'udp': 17, 'udplite': 136, 'vrrp': 112}
_PORT_PROTOCOLS = (6, 17, 33, 132, 136)
_ICMP_PROTOCOLS = (1, 58)

SECURITY_GROUPS = neutron_common.Collection(
    path='security-groups', singular='security_group',
    plural='security_groups', kind='security_group',
    resource='SecurityGroup', missing='Security group %s does not exist',
    fields=('stateful', 'security_group_rules'),
    create=('stateful',), updatable=('name', 'description', 'stateful'))

SECURITY_GROUP_RULES = neutron_common.Collection(
    path='security-group-rules', singular='security_group_rule',
    plural='security_group_rules', kind='security_group_rule',
    resource='SecurityGroupRule',
    missing='Security group rule %s does not exist',
    fields=('security_group_id', 'direction', 'ethertype', 'protocol',
            'port_range_min', 'port_range_max', 'remote_ip_prefix',
            'remote_group_id', 'belongs_to_default_sg'),
    create=('security_group_id', 'direction', 'ethertype', 'protocol',
            'port_range_min', 'port_range_max', 'remote_ip_prefix',
            'remote_group_id'),
    updatable=(), named=False, taggable=False)


def _rule(group: dict, direction: str, ethertype: str,
          remote_group_id: object = None) -> dict:
    stamp = neutron_common.now()
    return {'id': str(uuid.uuid4()), 'security_group_id': group['id'],
            'direction': direction, 'ethertype': ethertype,
            'protocol': None, 'port_range_min': None,
            'port_range_max': None, 'remote_ip_prefix': None,
            'remote_group_id': remote_group_id, 'description': '',
            'project_id': group['project_id'],
            'created_at': stamp, 'updated_at': stamp, 'revision_number': 1}


def ensure_default_group(state: object, project_id: str) -> dict:
    """Return a project's ``default`` group, making it on first use.

    :param state: the CloudState.
    :param project_id: the project.
    :returns: the stored group.
    """
    with state.lock:
        group = state.find('security_group', name='default',
                           project_id=project_id)
        if group is not None:
            return group
        stamp = neutron_common.now()
        group = state.add('security_group', {
            'id': str(uuid.uuid4()), 'name': 'default',
            'description': 'Default security group', 'tags': [],
            'project_id': project_id, 'stateful': True, 'created_at': stamp,
            'updated_at': stamp, 'revision_number': 1}, seeded=True)
        for ethertype in ('IPv4', 'IPv6'):
            state.add('security_group_rule',
                      _rule(group, 'egress', ethertype), seeded=True)
            state.add('security_group_rule',
                      _rule(group, 'ingress', ethertype, group['id']),
                      seeded=True)
        return group


def _protocol_number(protocol: object) -> object:
    if protocol is None or str(protocol) in ('', 'any'):
        return None
    name = str(protocol).lower()
    return PROTOCOLS[name] if name in PROTOCOLS else int(name)


def rule_key(rule: dict) -> tuple:
    """The identity of a rule in its group (what a duplicate shares).

    :param rule: a stored rule.
    :returns: a tuple of the compared attributes.
    """
    return (rule['security_group_id'], rule['direction'], rule['ethertype'],
            str(_protocol_number(rule['protocol'])), rule['port_range_min'],
            rule['port_range_max'], rule['remote_ip_prefix'],
            rule['remote_group_id'])


class SecurityGroupResources:
    """Security groups and rules (a NeutronService mixin)."""

    def find_group(self, group_id: str) -> dict:
        """Look a security group up (404 ``SecurityGroupNotFound``)."""
        return neutron_common.find(self.state, SECURITY_GROUPS, group_id)

    # -- groups -----------------------------------------------------------

    def create_security_group(self, request: object, ref: dict,
                              obj: dict) -> dict:
        """Store a group and its two egress rules.

        :param request: the request.
        :param ref: the create body.
        :param obj: the common attributes.
        :returns: the stored group.
        """
        ensure_default_group(self.state, obj['project_id'])
        if obj['name'] == 'default':
            raise neutron_common.conflict(
                'SecurityGroupDefaultAlreadyExists',
                'Default security group already exists.')
        obj['stateful'] = neutron_common.check_bool('stateful',
                                                    ref.get('stateful', True))
        self.state.add('security_group', obj)
        for ethertype in ('IPv4', 'IPv6'):
            self.state.add('security_group_rule',
                           _rule(obj, 'egress', ethertype))
        return obj

    def update_security_group(self, request: object, obj: dict,
                              ref: dict) -> None:
        """Rename, describe or change ``stateful`` (not while in use).

        :param request: the request.
        :param obj: the stored group.
        :param ref: the update body.
        """
        if obj['name'] == 'default' and ref.get('name', 'default') != (
                'default'):
            raise neutron_common.conflict(
                'SecurityGroupCannotUpdateDefault',
                'Updating default security group not allowed.')
        if 'stateful' in ref:
            stateful = neutron_common.check_bool('stateful', ref['stateful'])
            if stateful != obj['stateful'] and self._group_ports(obj):
                raise neutron_common.conflict(
                    'SecurityGroupInUse', 'Security Group %s in use.'
                    % obj['id'])
            obj['stateful'] = stateful

    def delete_security_group(self, request: object, obj: dict) -> None:
        """Delete a group and its rules (409 while a port uses it).

        :param request: the request.
        :param obj: the stored group.
        """
        if self._group_ports(obj):
            raise neutron_common.conflict(
                'SecurityGroupInUse', 'Security Group %s in use.' % obj['id'])
        for rule in self.state.list('security_group_rule',
                                    security_group_id=obj['id']):
            self.state.remove('security_group_rule', rule['id'])
        self.state.remove('security_group', obj['id'])

    def extend_security_group(self, obj: dict, body: dict) -> None:
        """Add the group's rules.

        :param obj: the stored group.
        :param body: the rendered group.
        """
        body['security_group_rules'] = [
            self.render(SECURITY_GROUP_RULES, rule)
            for rule in self.state.list('security_group_rule',
                                        security_group_id=obj['id'])]

    def _group_ports(self, group: dict) -> list:
        return [p for p in self.state.list('port')
                if group['id'] in p['security_groups']]

    # -- rules ------------------------------------------------------------

    def create_security_group_rule(self, request: object, ref: dict,
                                   obj: dict) -> dict:
        """Validate and store a rule (409 for a duplicate of the group).

        :param request: the request.
        :param ref: the create body.
        :param obj: the common attributes.
        :returns: the stored rule.
        """
        group = self.find_group(ref.get('security_group_id'))
        direction = _one_of(ref, 'direction', ('ingress', 'egress'))
        ethertype = _one_of(ref, 'ethertype', ('IPv4', 'IPv6'), 'IPv4')
        protocol = _check_protocol(ref.get('protocol'))
        low, high = _port_range(protocol, ref.get('port_range_min'),
                                ref.get('port_range_max'))
        remote_prefix, remote_group = self._rule_remote(ref, ethertype)
        obj.pop('tags')
        obj.update({'security_group_id': group['id'],
                    'direction': direction, 'ethertype': ethertype,
                    'protocol': None if protocol is None else str(protocol),
                    'port_range_min': low, 'port_range_max': high,
                    'remote_ip_prefix': remote_prefix,
                    'remote_group_id': remote_group,
                    'project_id': group['project_id']})
        self._check_new_rule(obj)
        return self.state.add('security_group_rule', obj)

    def _rule_remote(self, ref: dict, ethertype: str) -> tuple:
        remote_prefix = ref.get('remote_ip_prefix')
        remote_group = ref.get('remote_group_id')
        if remote_prefix is not None and remote_group is not None:
            raise neutron_common.bad_request(
                'Only remote_ip_prefix or remote_group_id may be provided.')
        if remote_group is not None:
            self.find_group(remote_group)
        if remote_prefix is not None:
            remote_prefix = _remote_prefix(ethertype, remote_prefix)
        return remote_prefix, remote_group

    def _check_new_rule(self, new: dict) -> None:
        key = rule_key(new)
        group_id = new['security_group_id']
        for rule in self.state.list('security_group_rule',
                                    security_group_id=group_id):
            if rule_key(rule) == key:
                raise neutron_common.conflict(
                    'SecurityGroupRuleExists', 'Security group rule already '
                    'exists. Rule id is %s.' % rule['id'])

    def delete_security_group_rule(self, request: object, obj: dict) -> None:
        """Delete a rule.

        :param request: the request.
        :param obj: the stored rule.
        """
        self.state.remove('security_group_rule', obj['id'])

    def extend_security_group_rule(self, obj: dict, body: dict) -> None:
        """Say whether the rule is one of a ``default`` group.

        :param obj: the stored rule.
        :param body: the rendered rule.
        """
        body.pop('tags', None)
        group = self.state.get('security_group', obj['security_group_id'])
        body['belongs_to_default_sg'] = bool(group) and (
            group['name'] == 'default')


def _one_of(ref: dict, key: str, choices: tuple,
            default: object = None) -> object:
    value = ref.get(key, default)
    if value not in choices:
        raise neutron_common.invalid(key, '%s is not in %s'
                                     % (value, list(choices)))
    return value


def _check_protocol(protocol: object) -> object:
    if protocol is not None and not _known_protocol(protocol):
        raise neutron_common.NeutronError(
            400, 'SecurityGroupRuleInvalidProtocol',
            'Security group rule protocol %s not supported. Only protocol '
            'values %s and integer representations [0 to 255] are '
            'supported.' % (protocol, sorted(PROTOCOLS)))
    return protocol


def _known_protocol(protocol: object) -> bool:
    if str(protocol).lower() in PROTOCOLS or protocol in ('any', ''):
        return True
    try:
        return 0 <= int(protocol) <= 255
    except (TypeError, ValueError):
        return False


def _port_range(protocol: object, low: object, high: object) -> tuple:
    if low is None and high is None:
        return None, None
    if protocol is None:
        raise neutron_common.NeutronError(
            400, 'SecurityGroupProtocolRequiredWithPorts',
            'Must also specify protocol if port range is given.')
    try:
        low = None if low is None else int(low)
        high = None if high is None else int(high)
    except (TypeError, ValueError):
        raise neutron_common.invalid('port_range_min', "'%s' is not an integer"
                                     % (low,))
    number = _protocol_number(protocol)
    if number in _ICMP_PROTOCOLS:
        for value in (low, high):
            if value is not None and not 0 <= value <= 255:
                raise neutron_common.bad_request(
                    'Invalid value for ICMP type or code %s.' % value)
        return low, high
    if number not in _PORT_PROTOCOLS:
        raise neutron_common.bad_request(
            'Invalid protocol %s for port range, only supported for TCP, UDP, '
            'UDPLITE, SCTP and DCCP.' % protocol)
    low = high if low is None else low
    high = low if high is None else high
    if not (1 <= low <= 65535 and 1 <= high <= 65535):
        raise neutron_common.bad_request(
            'Invalid value for port %s.'
            % (low if not 1 <= low <= 65535 else high))
    if low > high:
        raise neutron_common.NeutronError(
            400, 'SecurityGroupInvalidPortRange',
            'For TCP/UDP protocols, port_range_min must be <= '
            'port_range_max')
    return low, high


def _remote_prefix(ethertype: str, prefix: object) -> str:
    try:
        network = ipaddress.ip_network(str(prefix), strict=False)
    except ValueError:
        raise neutron_common.invalid(
            'remote_ip_prefix', "'%s' is not a valid IP subnet" % (prefix,))
    if 'IPv%d' % network.version != ethertype:
        raise neutron_common.bad_request(
            'Conflicting value ethertype %s for CIDR %s' % (ethertype, prefix))
    return str(network)

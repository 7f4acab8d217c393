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

"""The Octavia v2 object kinds: their fields, defaults and checks.

One :class:`Kind` per object of ``/v2.0/lbaas``: what a create may send,
what an update may change, what is required, the allowed values of the
enumerated fields and the defaults of the rest, after the Octavia API
reference. ``tenant_id`` is accepted as the old name of ``project_id``
(Heat's listener and health monitor still send it).
"""

import dataclasses
from typing import Any
from typing import Optional

from heat_retry_plugins.fakecloud import routing

HTTPError = routing.HTTPError

_COMMON = ('name', 'description', 'admin_state_up', 'tags', 'project_id',
           'tenant_id')
_TLS = ('tls_ciphers', 'tls_versions', 'alpn_protocols')


@dataclasses.dataclass(frozen=True)
class Kind:
    """One kind of Octavia object.

    :param kind: the state kind (``'loadbalancer'``, ``'l7rule'``).
    :param key: the body key (``'loadbalancer'``, ``'rule'``).
    :param plural: the collection (``'loadbalancers'``), also the list key.
    :param title: how errors name it (``'Load Balancer'``).
    :param fields: what a create may send.
    :param fixed: the fields an update may not send.
    :param required: fields a create must send.
    :param enums: allowed values of enumerated fields.
    :param defaults: the values of fields a create did not send.
    """

    kind: str
    key: str
    plural: str
    title: str
    fields: tuple
    fixed: tuple
    required: tuple
    enums: dict
    defaults: dict

    def check_create(self, body: Any) -> dict:
        """Check a create body and fill in the defaults.

        :param body: the parsed request body.
        :returns: the new object's fields (``project_id`` left to the
            caller when absent).
        :raises HTTPError: 400 on a missing, unknown or invalid field.
        """
        fields = self._unwrap(body, self.fields)
        for field in self.required:
            if fields.get(field) is None:
                raise HTTPError(400, 'Invalid input for field/attribute %s. '
                                     "Value: 'None'. Mandatory field "
                                     'missing.' % field)
        values = dict(self.defaults)
        values.update(fields)
        values['tags'] = list(values.get('tags') or [])
        return values

    def check_update(self, body: Any) -> dict:
        """Check an update body.

        :param body: the parsed request body.
        :returns: the fields to change.
        :raises HTTPError: 400 on a fixed, unknown or invalid field.
        """
        allowed = tuple(f for f in self.fields if f not in self.fixed)
        return self._unwrap(body, allowed)

    def _unwrap(self, body: Any, allowed: tuple) -> dict:
        inner = body.get(self.key) if isinstance(body, dict) else None
        if not isinstance(inner, dict):
            raise HTTPError(400, "Missing argument: \"%s\"" % self.key)
        fields = dict(inner)
        if 'tenant_id' in fields:
            fields.setdefault('project_id', fields.pop('tenant_id'))
        for field, value in fields.items():
            if field not in allowed:
                raise HTTPError(400, 'Invalid input for field/attribute %s. '
                                     'Value: %r. Unknown attribute.'
                                % (field, value))
            choices = self.enums.get(field)
            if choices and value is not None and value not in choices:
                raise HTTPError(400, 'Invalid input for field/attribute %s. '
                                     'Value: %r. Value should be one of: %s'
                                % (field, value, ', '.join(choices)))
        if 'protocol_port' in fields or 'monitor_port' in fields:
            for field in ('protocol_port', 'monitor_port'):
                _check_port(field, fields.get(field))
        tags = fields.get('tags')
        if tags is not None and not (isinstance(tags, list) and all(
                isinstance(t, str) for t in tags)):
            raise HTTPError(400, 'Invalid input for field/attribute tags. '
                                 'Value: %r. Value should be a list of '
                                 'strings.' % (tags,))
        return fields


def _check_port(field: str, value: Optional[Any]) -> None:
    if value is None:
        return
    if (not isinstance(value, int) or isinstance(value, bool)
            or not 1 <= value <= 65535):
        raise HTTPError(400, 'Invalid input for field/attribute %s. Value: '
                             '%r. Value should be between 1 and 65535.'
                        % (field, value))


LOADBALANCER = Kind(
    'loadbalancer', 'loadbalancer', 'loadbalancers', 'Load Balancer',
    fields=_COMMON + ('vip_subnet_id', 'vip_network_id', 'vip_port_id',
                      'vip_address', 'vip_qos_policy_id', 'provider',
                      'flavor_id', 'availability_zone', 'vip_sg_ids'),
    fixed=('vip_subnet_id', 'vip_network_id', 'vip_port_id', 'vip_address',
           'provider', 'flavor_id', 'availability_zone', 'project_id',
           'tenant_id'),
    required=(), enums={},
    defaults={'description': '', 'admin_state_up': True,
              'provider': 'amphora', 'flavor_id': None,
              'availability_zone': None, 'vip_qos_policy_id': None,
              'vip_subnet_id': None, 'vip_network_id': None,
              'vip_sg_ids': None, 'additional_vips': []})

LISTENER = Kind(
    'listener', 'listener', 'listeners', 'Listener',
    fields=_COMMON + _TLS + (
        'protocol', 'protocol_port', 'loadbalancer_id', 'default_pool_id',
        'connection_limit', 'default_tls_container_ref',
        'sni_container_refs', 'insert_headers', 'allowed_cidrs',
        'timeout_client_data', 'timeout_member_connect',
        'timeout_member_data', 'timeout_tcp_inspect',
        'client_ca_tls_container_ref', 'client_authentication',
        'client_crl_container_ref', 'hsts_max_age', 'hsts_include_subdomains',
        'hsts_preload'),
    fixed=('protocol', 'protocol_port', 'loadbalancer_id', 'project_id',
           'tenant_id'),
    required=('protocol', 'protocol_port', 'loadbalancer_id'),
    enums={'protocol': ('HTTP', 'HTTPS', 'TCP', 'TERMINATED_HTTPS', 'UDP',
                        'SCTP', 'PROMETHEUS')},
    defaults={'description': '', 'admin_state_up': True,
              'default_pool_id': None, 'connection_limit': -1,
              'default_tls_container_ref': None, 'sni_container_refs': [],
              'insert_headers': {}, 'allowed_cidrs': None,
              'timeout_client_data': 50000, 'timeout_member_connect': 5000,
              'timeout_member_data': 50000, 'timeout_tcp_inspect': 0,
              'client_ca_tls_container_ref': None,
              'client_authentication': 'NONE',
              'client_crl_container_ref': None, 'tls_ciphers': None,
              'tls_versions': None, 'alpn_protocols': None})

POOL = Kind(
    'pool', 'pool', 'pools', 'Pool',
    fields=_COMMON + _TLS + (
        'protocol', 'lb_algorithm', 'listener_id', 'loadbalancer_id',
        'session_persistence', 'tls_enabled', 'tls_container_ref',
        'ca_tls_container_ref', 'crl_container_ref'),
    fixed=('protocol', 'listener_id', 'loadbalancer_id', 'project_id',
           'tenant_id'),
    required=('protocol', 'lb_algorithm'),
    enums={'protocol': ('HTTP', 'HTTPS', 'PROXY', 'PROXYV2', 'TCP', 'UDP',
                        'SCTP'),
           'lb_algorithm': ('ROUND_ROBIN', 'LEAST_CONNECTIONS', 'SOURCE_IP',
                            'SOURCE_IP_PORT')},
    defaults={'description': '', 'admin_state_up': True,
              'session_persistence': None, 'tls_enabled': False,
              'tls_container_ref': None, 'ca_tls_container_ref': None,
              'crl_container_ref': None, 'tls_ciphers': None,
              'tls_versions': None, 'alpn_protocols': None})

MEMBER = Kind(
    'member', 'member', 'members', 'Member',
    fields=_COMMON[:1] + _COMMON[2:] + (
        'address', 'protocol_port', 'weight', 'subnet_id', 'monitor_address',
        'monitor_port', 'backup', 'vnic_type'),
    fixed=('address', 'protocol_port', 'subnet_id', 'project_id',
           'tenant_id', 'vnic_type'),
    required=('address', 'protocol_port'), enums={},
    defaults={'name': '', 'admin_state_up': True, 'weight': 1,
              'subnet_id': None, 'monitor_address': None,
              'monitor_port': None, 'backup': False, 'vnic_type': 'normal'})

HEALTHMONITOR = Kind(
    'healthmonitor', 'healthmonitor', 'healthmonitors', 'Health Monitor',
    fields=_COMMON[:1] + _COMMON[2:] + (
        'pool_id', 'type', 'delay', 'timeout', 'max_retries',
        'max_retries_down', 'http_method', 'url_path', 'expected_codes',
        'http_version', 'domain_name'),
    fixed=('pool_id', 'type', 'project_id', 'tenant_id'),
    required=('pool_id', 'type', 'delay', 'timeout', 'max_retries'),
    enums={'type': ('HTTP', 'HTTPS', 'PING', 'TCP', 'TLS-HELLO',
                    'UDP-CONNECT', 'SCTP'),
           'http_method': ('CONNECT', 'DELETE', 'GET', 'HEAD', 'OPTIONS',
                           'PATCH', 'POST', 'PUT', 'TRACE')},
    defaults={'name': '', 'admin_state_up': True, 'max_retries_down': 3,
              'http_method': 'GET', 'url_path': '/',
              'expected_codes': '200', 'http_version': None,
              'domain_name': None})

L7POLICY = Kind(
    'l7policy', 'l7policy', 'l7policies', 'L7 Policy',
    fields=_COMMON + ('listener_id', 'action', 'redirect_pool_id',
                      'redirect_url', 'redirect_prefix', 'redirect_http_code',
                      'position'),
    fixed=('listener_id', 'project_id', 'tenant_id'),
    required=('listener_id', 'action'),
    enums={'action': ('REDIRECT_TO_POOL', 'REDIRECT_TO_URL',
                      'REDIRECT_PREFIX', 'REJECT')},
    defaults={'description': '', 'admin_state_up': True,
              'redirect_pool_id': None, 'redirect_url': None,
              'redirect_prefix': None, 'redirect_http_code': None,
              'position': 1})

L7RULE = Kind(
    'l7rule', 'rule', 'rules', 'L7 Rule',
    fields=('admin_state_up', 'tags', 'project_id', 'tenant_id', 'type',
            'compare_type', 'key', 'value', 'invert'),
    fixed=('project_id', 'tenant_id'),
    required=('type', 'compare_type', 'value'),
    enums={'type': ('HOST_NAME', 'PATH', 'FILE_TYPE', 'HEADER', 'COOKIE',
                    'SSL_CONN_HAS_CERT', 'SSL_VERIFY_RESULT',
                    'SSL_DN_FIELD'),
           'compare_type': ('REGEX', 'STARTS_WITH', 'ENDS_WITH', 'CONTAINS',
                            'EQUAL_TO')},
    defaults={'admin_state_up': True, 'key': None, 'invert': False})

#: Every kind, parents before children.
KINDS = (LOADBALANCER, LISTENER, POOL, MEMBER, HEALTHMONITOR, L7POLICY,
         L7RULE)
#: The kinds whose paths are below their parent's: the parent kind and the
#: field that holds its id (stored, not shown, as in Octavia's bodies).
PARENTS = {MEMBER.kind: (POOL, 'pool_id'),
           L7RULE.kind: (L7POLICY, 'l7policy_id')}

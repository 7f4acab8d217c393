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

"""HOT templates, as dicts, for the stacks the runner creates.

Every builder numbers its resources from 0 (``keypair0``, ``keypair1``...)
and gives the physical objects a ``prefix``-based name, so that two stacks
in one cloud do not collide.
"""

from typing import Any
from typing import Dict
from typing import Optional

from heat_retry_plugins.fakecloud import keys

#: The HOT version of the templates (Wallaby; Heat 27 accepts it).
HOT_VERSION = '2021-04-16'

Template = Dict[str, Any]


def _hot(description: str, resources: Dict[str, Any]) -> Template:
    return {'heat_template_version': HOT_VERSION,
            'description': description,
            'resources': resources}


def _check_count(n: int) -> None:
    if not isinstance(n, int) or isinstance(n, bool) or n < 0:
        raise ValueError('the resource count must be an int >= 0, not %r'
                         % (n,))


def keypairs(n: int, public_key: Optional[str] = None,
             prefix: str = 'heatrun') -> Template:
    """Build a template of ``n`` OS::Nova::KeyPair.

    From compute microversion 2.92 on (Heat asks for the cloud's maximum,
    2.96 on the fake cloud), Nova no longer generates keys: every keypair
    imports ``public_key``.

    :param n: the number of keypairs.
    :param public_key: an OpenSSH public key; None generates one RSA key
        (see :func:`heat_retry_plugins.fakecloud.keys.generate`).
    :param prefix: the keypair names are ``<prefix>-kp-<i>``.
    :returns: the template.
    :raises ValueError: if ``n`` is not an int >= 0.
    """
    _check_count(n)
    if public_key is None:
        public_key = keys.generate()[1]
    return _hot('%d Nova keypairs' % n, {
        'keypair%d' % i: {
            'type': 'OS::Nova::KeyPair',
            'properties': {'name': '%s-kp-%d' % (prefix, i),
                           'public_key': public_key}}
        for i in range(n)})


def servers(n: int, flavor: str = 'm1.tiny', image: str = 'cirros',
            prefix: str = 'heatrun') -> Template:
    """Build a template of ``n`` OS::Nova::Server without any network.

    ``networks: [{allocate_network: none}]`` is how a server asks for no
    network from microversion 2.37 on (Heat never calls Neutron then), and
    ``user_data_format: RAW`` without user data keeps Heat from building
    its default HEAT_CFNTOOLS user data, which needs the cloudformation
    (heat-api-cfn) endpoint in the catalog.

    :param n: the number of servers.
    :param flavor: the flavor name.
    :param image: the image name.
    :param prefix: the server names are ``<prefix>-server-<i>``.
    :returns: the template.
    :raises ValueError: if ``n`` is not an int >= 0.
    """
    _check_count(n)
    return _hot('%d Nova servers' % n, {
        'server%d' % i: {
            'type': 'OS::Nova::Server',
            'properties': {'name': '%s-server-%d' % (prefix, i),
                           'flavor': flavor,
                           'image': image,
                           'networks': [{'allocate_network': 'none'}],
                           'user_data_format': 'RAW'}}
        for i in range(n)})


def keystone(n: int, domain: str = 'default',
             prefix: str = 'heatrun') -> Template:
    """Build a template of ``n`` OS::Keystone::Project and User pairs.

    User ``i`` has project ``i`` as its default project, so it is created
    after it and deleted before it.

    :param n: the number of pairs.
    :param domain: the domain of the projects and users.
    :param prefix: the names are ``<prefix>-project-<i>`` and
        ``<prefix>-user-<i>``.
    :returns: the template.
    :raises ValueError: if ``n`` is not an int >= 0.
    """
    _check_count(n)
    resources: Dict[str, Any] = {}
    for i in range(n):
        resources['project%d' % i] = {
            'type': 'OS::Keystone::Project',
            'properties': {'name': '%s-project-%d' % (prefix, i),
                           'domain': domain}}
        resources['user%d' % i] = {
            'type': 'OS::Keystone::User',
            'properties': {'name': '%s-user-%d' % (prefix, i),
                           'domain': domain,
                           'default_project': {
                               'get_resource': 'project%d' % i}}}
    return _hot('%d Keystone project and user pairs' % n, resources)

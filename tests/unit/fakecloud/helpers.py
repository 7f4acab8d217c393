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

"""Helpers of the fakecloud tests: clients, projects, ports, keys, polling.

The functional and Heat tests use them too.
"""

import socket
import time
from typing import Any
from typing import Callable

from cryptography.hazmat.primitives.asymmetric import ed25519
from cryptography.hazmat.primitives import serialization
from keystoneauth1.identity import generic
from keystoneauth1.identity import v3
from keystoneauth1 import session as ks_session
from keystoneclient.v3 import client as ks_client
from novaclient import client as nova_client
from octaviaclient.api.v2 import octavia as octavia_client
from swiftclient import client as swift_client

#: Seconds a poll waits at most.
DEADLINE = 10.0
#: The subnet of the load balancers' VIPs (the fake Octavia takes any).
VIP_SUBNET = '3b9c6f0e-2d4a-4c8e-9f1b-6a7d5e4c3b2a'


def make_session(cloud: Any, **kwargs: Any) -> ks_session.Session:
    """Build a keystoneauth session with the cloud's admin credentials.

    :param cloud: a started FakeCloud.
    :param kwargs: extra Session arguments (timeout...).
    :returns: the session.
    """
    return ks_session.Session(auth=generic.Password(**cloud.credentials()),
                              **kwargs)


def nova(session: ks_session.Session, version: str = '2.1') -> Any:
    """Build a novaclient.

    :param session: a keystoneauth session.
    :param version: the microversion.
    :returns: the client.
    """
    return nova_client.Client(version, session=session)


def keystone(session: ks_session.Session) -> Any:
    """Build a python-keystoneclient v3 client.

    :param session: a keystoneauth session.
    :returns: the client.
    """
    return ks_client.Client(session=session)


def swift(cloud: Any, session: ks_session.Session) -> Any:
    """Build a swiftclient Connection as Heat's plugin does.

    :param cloud: a started FakeCloud.
    :param session: a keystoneauth session.
    :returns: the connection, on the session's project's account, with
        swiftclient's own retries off.
    """
    return swift_client.Connection(
        session=session, retries=0,
        os_options={'object_storage_url': cloud.endpoint('object-store')})


def octavia(cloud: Any, session: ks_session.Session) -> Any:
    """Build a python-octaviaclient API on the cloud's Octavia.

    :param cloud: a started FakeCloud.
    :param session: a keystoneauth session.
    :returns: the OctaviaAPI.
    """
    return octavia_client.OctaviaAPI(
        session=session, endpoint=cloud.endpoint('load-balancer'))


def load_balancer(api: Any, name: str = 'lb', **fields: Any) -> dict:
    """Create a load balancer on :data:`VIP_SUBNET`.

    :param api: an OctaviaAPI.
    :param name: its name.
    :param fields: its other fields.
    :returns: the load balancer, as Octavia returned it.
    """
    return api.load_balancer_create(json={'loadbalancer': dict(
        name=name, vip_subnet_id=VIP_SUBNET, **fields)})['loadbalancer']


def octavia_tree(api: Any) -> tuple:
    """Create a load balancer, its HTTP listener, a pool and a member.

    :param api: an OctaviaAPI.
    :returns: the load balancer, listener, pool and member.
    """
    lb = load_balancer(api)
    listener = api.listener_create(json={'listener': {
        'name': 'web', 'protocol': 'HTTP', 'protocol_port': 80,
        'loadbalancer_id': lb['id']}})['listener']
    pool = api.pool_create(json={'pool': {
        'name': 'pool', 'protocol': 'HTTP', 'lb_algorithm': 'ROUND_ROBIN',
        'listener_id': listener['id']}})['pool']
    member = api.member_create(pool['id'], json={'member': {
        'address': '192.0.2.10', 'protocol_port': 8080,
        'subnet_id': VIP_SUBNET}})['member']
    return lb, listener, pool, member


def project_session(cloud: Any, name: str = 'other') -> tuple:
    """Make a project, make the admin a member of it, and sign in to it.

    :param cloud: a started FakeCloud.
    :param name: the project's name, in the default domain.
    :returns: the project and a keystoneauth session scoped to it.
    """
    admin = keystone(make_session(cloud))
    project = admin.projects.create(name=name, domain=cloud.domain_id)
    admin.roles.grant(admin.roles.list(name='member')[0],
                      user=cloud.user_id, project=project)
    return project, ks_session.Session(auth=v3.Password(
        auth_url=cloud.auth_url, user_id=cloud.user_id,
        password=cloud.password, project_id=project.id))


def port(neutron: Any, subnet: dict, **attrs: Any) -> dict:
    """Create a port, on the subnet's network unless attrs name another.

    :param neutron: a python-neutronclient client.
    :param subnet: the subnet, as Neutron returned it.
    :param attrs: the port's attributes.
    :returns: the port, as Neutron returned it.
    """
    attrs.setdefault('network_id', subnet['network_id'])
    return neutron.create_port({'port': attrs})['port']


def ed25519_public_key() -> str:
    """Make a new ed25519 key (quick to make) and return its public half.

    :returns: the public key in OpenSSH form, without a comment.
    """
    key = ed25519.Ed25519PrivateKey.generate().public_key()
    return key.public_bytes(serialization.Encoding.OpenSSH,
                            serialization.PublicFormat.OpenSSH).decode()


def external_network(neutron: Any, cidr: str = '172.24.4.0/24') -> dict:
    """Create network ``public``, external, with one IPv4 subnet.

    :param neutron: a python-neutronclient client.
    :param cidr: the subnet's CIDR.
    :returns: the network, as Neutron returned it.
    """
    network = neutron.create_network({'network': {
        'name': 'public', 'router:external': True}})['network']
    neutron.create_subnet({'subnet': {'network_id': network['id'],
                                      'cidr': cidr, 'ip_version': 4}})
    return network


def exception_chain(exc: BaseException) -> list:
    """List an exception and everything it was raised from or during.

    :param exc: the exception.
    :returns: the exceptions, outermost first.
    """
    chain = []
    while exc is not None and exc not in chain:
        chain.append(exc)
        exc = exc.__cause__ or exc.__context__
    return chain


def refused(port: int) -> bool:
    """Tell whether a connection to a port of 127.0.0.1 is refused.

    :param port: the port.
    :returns: True when refused, False when accepted.
    """
    try:
        socket.create_connection(('127.0.0.1', port), timeout=1).close()
    except ConnectionRefusedError:
        return True
    return False


def poll(predicate: Callable[[], Any], deadline: float = DEADLINE,
         interval: float = 0.02) -> Any:
    """Call a predicate until it returns a true value.

    :param predicate: the function to call.
    :param deadline: seconds before giving up.
    :param interval: seconds between calls.
    :returns: the true value.
    :raises AssertionError: on timeout.
    """
    end = time.monotonic() + deadline
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > end:
            raise AssertionError('condition not met within %ss' % deadline)
        time.sleep(interval)

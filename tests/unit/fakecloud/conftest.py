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

"""Fixtures: a FakeCloud per test, stopped afterwards, and real clients."""

from cinderclient import client as cinder_client
from designateclient.v2 import client as designate_client
from glanceclient import client as glance_client
from neutronclient.v2_0 import client as neutron_client
import pytest

from heat_retry_plugins.fakecloud import CIRROS_IMAGE_ID
from tests.unit.fakecloud import helpers


@pytest.fixture
def cloud(make_cloud):
    """A started FakeCloud without faults."""
    return make_cloud()


@pytest.fixture
def session(cloud):
    """A keystoneauth session on the cloud, as admin."""
    return helpers.make_session(cloud)


@pytest.fixture
def nova(session):
    """A novaclient at microversion 2.1."""
    return helpers.nova(session)


@pytest.fixture
def keystone(session):
    """A python-keystoneclient v3 client."""
    return helpers.keystone(session)


@pytest.fixture
def cinder(session):
    """A cinderclient at microversion 3.70, the highest the fake serves."""
    return cinder_client.Client('3.70', session=session)


@pytest.fixture
def auth_headers(session):
    """The headers of a request with the admin session's token."""
    return {'X-Auth-Token': session.get_token()}


@pytest.fixture
def dns(session):
    """A python-designateclient v2 client."""
    return designate_client.Client(session=session)


@pytest.fixture
def glance_v2(session):
    """A python-glanceclient v2 client."""
    return glance_client.Client('2', session=session)


@pytest.fixture
def neutron(session):
    """A python-neutronclient v2.0 client."""
    return neutron_client.Client(session=session)


@pytest.fixture
def subnet(neutron):
    """Subnet ``sub``, 10.0.0.0/24, of network ``private``."""
    network = neutron.create_network({'network': {'name': 'private'}})[
        'network']
    return neutron.create_subnet({'subnet': {
        'network_id': network['id'], 'cidr': '10.0.0.0/24', 'ip_version': 4,
        'name': 'sub'}})['subnet']


@pytest.fixture
def api(cloud, session):
    """A python-octaviaclient API, as admin."""
    return helpers.octavia(cloud, session)


@pytest.fixture
def swift(cloud, session):
    """A swiftclient Connection on the admin project's account."""
    return helpers.swift(cloud, session)


@pytest.fixture
def server(session):
    """A server on no network (so made at microversion 2.37 or later)."""
    return helpers.nova(session, '2.79').servers.create(
        'vm', CIRROS_IMAGE_ID, '1', nics='none')

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

import pytest

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

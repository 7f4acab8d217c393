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

"""Fixtures: a FakeCloud per test and the real Heat engine prepared on it.

tests/conftest.py has selected oslo.service's threading backend before
this module imports Heat.
"""

from heat.engine import clients as heat_clients
import pytest

from heat_retry_plugins.fakecloud import keys
from heat_retry_plugins.heatrun import engine


class Progress:
    """Records the ``progress(event, done, total)`` calls of a run."""

    def __init__(self):
        self.calls = []

    def __call__(self, event, done, total):
        self.calls.append((event, done, total))

    def events(self, suffix):
        """The events ending with ``suffix`` (``'CREATE_COMPLETE'``)."""
        return [call[0] for call in self.calls if call[0].endswith(suffix)]


class CountingClients(heat_clients.OpenStackClients):
    """A ``cloud_backend`` that counts the client plugins Heat asks for."""

    asked = []

    def client_plugin(self, name):
        self.asked.append(name)
        return super().client_plugin(name)


@pytest.fixture(scope='session')
def public_key():
    """One OpenSSH public key for every keypair of the session."""
    return keys.generate()[1]


@pytest.fixture
def cloud(make_cloud):
    """A started FakeCloud without faults."""
    return make_cloud(seed=3)


@pytest.fixture
def heat(cloud, tmp_path):
    """The heatrun engine, prepared on ``cloud``; reset afterwards."""
    engine.prepare(str(tmp_path / 'heat'), cloud)
    try:
        yield engine
    finally:
        engine.reset()


@pytest.fixture
def progress():
    return Progress()

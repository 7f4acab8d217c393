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

Every test gets its own cloud, state directory (so its own sqlite
database) and, on the convergence engine, its own EngineService; the
process-wide retry guards start empty. Heat's leaf stagger is off (one
second per independent resource would make the suite crawl); the tests
that are about it turn it on. After each test the fixture checks that the
engine left no thread running, no config override and no stagger switch
behind.
"""

import threading
import time

from heat.engine import clients as heat_clients
from heat.engine import stack as stack_mod
from oslo_config import cfg
import pytest

from heat_retry_plugins.fakecloud import keys
from heat_retry_plugins.heatrun import engine
from heat_retry_plugins import session

STOCK_BACKEND = 'heat.engine.clients.OpenStackClients'
#: Threads of the fake cloud: they end when the cloud stops, after reset.
CLOUD_THREAD_PREFIX = 'fakecloud-'


class Progress:
    """Records the ``progress(event, done, total)`` calls of a run."""

    def __init__(self):
        self.calls = []
        self.threads = set()

    def __call__(self, event, done, total):
        self.calls.append((event, done, total))
        self.threads.add(threading.current_thread())

    def events(self, suffix):
        """The events ending with ``suffix`` (``'CREATE_COMPLETE'``)."""
        return [call[0] for call in self.calls if call[0].endswith(suffix)]

    def counts(self, suffix):
        """The ``done`` counts of the events ending with ``suffix``."""
        return [call[1] for call in self.calls if call[0].endswith(suffix)]


class CountingClients(heat_clients.OpenStackClients):
    """A ``cloud_backend`` that counts the client plugins Heat asks for."""

    asked = []

    def client_plugin(self, name):
        self.asked.append(name)
        return super().client_plugin(name)


def engine_threads(before):
    """The threads started since ``before`` that are not the cloud's."""
    return [thread for thread in threading.enumerate()
            if thread not in before and thread.is_alive()
            and not thread.name.startswith(CLOUD_THREAD_PREFIX)]


def assert_nothing_left(before):
    """Nothing of a run is left: no engine thread, override or stagger."""
    # NOTE: reset() has joined the service's threads; a thread that
    # outlives it is a leak, so no waiting here.
    assert engine_threads(before) == []
    assert engine.prepared_engine() is None
    assert cfg.CONF.cloud_backend == STOCK_BACKEND
    assert stack_mod.time is time


@pytest.fixture(scope='session')
def public_key():
    """One OpenSSH public key for every keypair of the session."""
    return keys.generate()[1]


@pytest.fixture
def cloud(make_cloud):
    """A started FakeCloud without faults."""
    return make_cloud(seed=3)


@pytest.fixture
def prepared(cloud, tmp_path):
    """``prepared(cloud=None, **kwargs)``: heatrun prepared; reset after.

    On the ``cloud`` fixture unless another cloud is given. Keyword
    arguments go to :func:`engine.prepare`; ``stagger`` is False unless
    given.
    """
    before = set(threading.enumerate())
    session.reset_process_state()
    count = []

    def factory(cloud=cloud, **kwargs):
        kwargs.setdefault('stagger', False)
        count.append(1)
        engine.prepare(str(tmp_path / ('heat%d' % len(count))), cloud,
                       **kwargs)
        return engine

    try:
        yield factory
    finally:
        engine.reset()
    assert_nothing_left(before)


@pytest.fixture
def heat(prepared):
    """The heatrun engine, convergence, prepared on ``cloud``."""
    return prepared(engine=engine.CONVERGENCE)


@pytest.fixture
def legacy_heat(prepared):
    """The heatrun engine, legacy, prepared on ``cloud``."""
    return prepared(engine=engine.LEGACY)


@pytest.fixture
def progress():
    return Progress()

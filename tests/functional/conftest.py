"""Fixtures: the nova_retry and keystone_retry plugins, in a real Heat
context, talking to a fake cloud over HTTP on 127.0.0.1.
"""

import pytest

from heat_retry_plugins.fakecloud import CIRROS_IMAGE_ID
from heat_retry_plugins.fakecloud import server as fake_server
from tests import heat_support


class Sleeps:
    """Records the retry loop's sleeps instead of sleeping.

    The fake cloud's faults are counted, not timed, so nothing needs the
    time to pass; ``on_sleep`` lets a test act between two attempts.
    """

    def __init__(self):
        self.delays = []
        self.on_sleep = None

    def __call__(self, seconds):
        self.delays.append(seconds)
        if self.on_sleep is not None:
            self.on_sleep()


@pytest.fixture
def cloud():
    fake = fake_server.FakeCloud(seed=7)
    fake.start()
    try:
        yield fake
    finally:
        fake.stop()


@pytest.fixture
def context(cloud, heat_conf):
    heat_conf.set(group='clients', retry_max_attempts=4,
                  retry_initial_delay=0.5, retry_max_delay=10.0,
                  retry_jitter='none', retry_deadline=60.0)
    return heat_support.heat_context(cloud, heat_conf)


@pytest.fixture
def sleeps():
    return Sleeps()


@pytest.fixture
def nova_plugin(context, sleeps):
    plugin = context.clients.client_plugin('nova_retry')
    plugin.sleep = sleeps
    return plugin


@pytest.fixture
def keystone_plugin(context, sleeps):
    plugin = context.clients.client_plugin('keystone_retry')
    plugin.sleep = sleeps
    return plugin


@pytest.fixture
def server(nova_plugin, cloud):
    """A server made before the test; the counters start after it."""
    made = nova_plugin.client().servers.create('existing', CIRROS_IMAGE_ID,
                                               '1', nics='none')
    cloud.reset_counters()
    return made


def fault(path, method, fault, service='compute', **selector):
    """A fault spec of one rule; the first matching request by default."""
    rule = {'service': service, 'method': method, 'path': path,
            'fault': fault}
    rule.update(selector or {'first': 1})
    return [rule]


def requests_to(cloud, route):
    """The outcomes of the requests to one route: {'503': 2, '200': 1}."""
    return dict(cloud.counters()['requests'].get(route, {}))


def sent(cloud, route):
    return sum(requests_to(cloud, route).values())

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

"""Fixtures: the ``<name>_retry`` plugins, in a real Heat context, talking
to a fake cloud over HTTP on 127.0.0.1; the fault specs the tests share.
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
def retry_plugin(context, sleeps):
    """``retry_plugin(name)``: the context's ``<name>_retry`` plugin.

    Its sleeps are recorded in ``sleeps``, not slept.
    """
    def get(name):
        plugin = context.clients.client_plugin(name + '_retry')
        plugin.sleep = sleeps
        return plugin
    return get


@pytest.fixture
def nova_plugin(retry_plugin):
    return retry_plugin('nova')


@pytest.fixture
def keystone_plugin(retry_plugin):
    return retry_plugin('keystone')


@pytest.fixture
def nova(nova_plugin):
    """The novaclient of ``nova_retry``."""
    return nova_plugin.client()


@pytest.fixture
def cinder(retry_plugin):
    """The cinderclient of ``cinder_retry``, as Heat's resources get it."""
    return retry_plugin('cinder').client()


@pytest.fixture
def glance(retry_plugin):
    """The glanceclient of ``glance_retry``."""
    return retry_plugin('glance').client()


@pytest.fixture
def neutron(retry_plugin):
    """The neutronclient of ``neutron_retry``."""
    return retry_plugin('neutron').client()


@pytest.fixture
def octavia(retry_plugin):
    """The octaviaclient API of ``octavia_retry``."""
    return retry_plugin('octavia').client()


@pytest.fixture
def swift(retry_plugin):
    """The swiftclient Connection of ``swift_retry``."""
    return retry_plugin('swift').client()


@pytest.fixture
def server(nova_plugin, cloud):
    """A server made before the test; the counters start after it."""
    made = nova_plugin.client().servers.create('existing', CIRROS_IMAGE_ID,
                                               '1', nics='none')
    cloud.reset_counters()
    return made


#: The key of the ownership token a reconciled create carries.
MARKER = 'heat_retry_token'
#: The faults after which a create may have been processed.
AMBIGUOUS = ['ambiguous_500', 'ambiguous_502', 'ambiguous_504', 'drop_after']
#: Which of the requests a rule matches fail.
SELECTORS = [
    pytest.param({'rate': 0.01}, id='1%'),
    pytest.param({'rate': 0.05}, id='5%'),
    pytest.param({'rate': 0.30}, id='30%'),
    pytest.param({'first': 1}, id='first-1'),
    pytest.param({'first': 3}, id='first-3'),
]
#: The faults of a create that lands after its error reached the client.
LATE_KINDS = {
    'slow_create': {'kind': 'slow_create', 'seconds': 0.3},
    'read_timeout': {'kind': 'slow', 'seconds': 1.0},
}


def lands_late(context, late):
    """The fault of one of :data:`LATE_KINDS`, the context ready for it.

    A ``read_timeout`` needs a session that times out before the fault's
    answer; its token is fetched first, so that only the create times out.
    """
    if late == 'read_timeout':
        context.keystone_session.timeout = 0.3
        context.keystone_session.get_token()
    return LATE_KINDS[late]


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

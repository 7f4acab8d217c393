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

"""Doing no harm under overload, over real HTTP: budget and breaker."""

from novaclient import exceptions as nova_exceptions
import pytest

from heat_retry_plugins.retry import errors
from tests.functional.conftest import requests_to
from tests.functional.conftest import sent

GET_SERVER = 'compute GET /servers/{id}'
CALLS = 200


class FakeClock:
    """A monotonic clock that the retry loops' sleeps move forward."""

    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


def outage(cloud):
    cloud.set_faults([{'service': 'compute', 'method': 'GET',
                       'path': '^/servers/', 'rate': 1.0,
                       'fault': {'status': 503}}])


def call_through_outage(plugin, server):
    failures = []
    for _ in range(CALLS):
        with pytest.raises(nova_exceptions.ClientException) as raised:
            plugin.call_with_retry(plugin.client().servers.get, server.id)
        failures.append(raised.value)
    return failures


def test_budget_bounds_amplification_during_a_total_outage(
        nova_plugin, cloud, server, heat_conf, context):
    heat_conf.set(group='clients_nova', retry_breaker_threshold=0,
                  retry_budget_capacity=0)
    outage(cloud)
    call_through_outage(nova_plugin, server)
    without_budget = sent(cloud, GET_SERVER)
    assert without_budget == CALLS * 4

    heat_conf.set(group='clients_nova', retry_budget_capacity=10.0)
    plugin = context.clients.client_plugin('nova_retry')
    cloud.reset_counters()
    failures = call_through_outage(plugin, server)
    with_budget = sent(cloud, GET_SERVER)
    assert with_budget <= 1.2 * CALLS
    assert all(f.code == 503 for f in failures)
    assert all(sum(a.delay or 0 for a in f.retry_history) <= 60.0
               for f in failures)


def test_breaker_fails_fast_then_probes_and_closes(nova_plugin, cloud,
                                                   server, heat_conf):
    clock = FakeClock()
    nova_plugin.clock, nova_plugin.sleep = clock, clock.sleep
    heat_conf.set(group='clients_nova', retry_breaker_threshold=5,
                  retry_breaker_cooldown=30.0, retry_budget_capacity=0)
    outage(cloud)
    get = nova_plugin.client().servers.get
    for _ in range(2):
        with pytest.raises(nova_exceptions.ClientException):
            nova_plugin.call_with_retry(get, server.id)
    before = sent(cloud, GET_SERVER)
    assert before == 5
    with pytest.raises(errors.CircuitOpen):
        nova_plugin.call_with_retry(get, server.id)
    with pytest.raises(errors.CircuitOpen):
        get(server.id)
    assert sent(cloud, GET_SERVER) == before

    cloud.set_faults([])
    clock.now += 30.0
    assert nova_plugin.call_with_retry(get, server.id).id == server.id
    assert requests_to(cloud, GET_SERVER)['200'] == 1
    assert get(server.id).id == server.id


def test_calls_after_an_outage_succeed_and_the_budget_refills(
        nova_plugin, cloud, server, heat_conf):
    heat_conf.set(group='clients_nova', retry_breaker_threshold=0,
                  retry_budget_capacity=10.0, retry_budget_ratio=0.2,
                  retry_budget_floor=0.0)
    get = nova_plugin.client().servers.get
    for _ in range(150):
        nova_plugin.call_with_retry(get, server.id)
    outage(cloud)
    for _ in range(100):
        with pytest.raises(nova_exceptions.ClientException):
            nova_plugin.call_with_retry(get, server.id)
    budget = nova_plugin.guards().budget
    assert budget.tokens < 1.0
    cloud.set_faults([])
    for _ in range(250):
        assert nova_plugin.call_with_retry(get, server.id).id == server.id
    assert budget.tokens == 10.0
    cloud.set_faults([{'service': 'compute', 'method': 'GET',
                       'path': '^/servers/', 'first': 1,
                       'fault': {'status': 503}}])
    assert nova_plugin.call_with_retry(get, server.id).id == server.id

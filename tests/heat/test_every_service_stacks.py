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

"""Real Heat: a stack that calls five services survives 503s on all.

A network, subnet, router, security group, port, a server on the port, a
volume attached to it and a Swift container: Keystone, Nova, Neutron,
Cinder, Glance and Swift are called. Every request of every service has
the same chance of a 503, and the first request of Nova, Neutron and
Cinder surely gets one. Stock Heat fails the stack on the first one;
with the plugins it completes and deletes, nothing left behind.
"""

import copy

import pytest

from heat_retry_plugins import session
from tests.heat import test_network_stacks

PLUGINS = {
    ('DEFAULT', 'cloud_backend'): 'heat_retry_plugins.clients.RetryingClients',
    ('clients', 'retry_initial_delay'): 0.01,
    ('clients', 'retry_max_delay'): 0.05,
}
TEMPLATE = copy.deepcopy(test_network_stacks.TEMPLATE)
TEMPLATE['resources']['container'] = {
    'type': 'OS::Swift::Container',
    'properties': {'name': 'app-data', 'PurgeOnDelete': True}}
SEED = 5


ASSERTED = ('compute', 'network', 'volumev3')


def every_service(rate):
    # NOTE: the rate is seeded, but Heat's threads order the requests
    # differently from run to run: the first request of each service the
    # tests name fails too, so that each of them surely meets a 503.
    return [{'service': '*', 'rate': rate, 'fault': {'status': 503}}] + [
        {'service': service, 'first': 1, 'fault': {'status': 503}}
        for service in ASSERTED]


def run(heat, cloud, overrides, rate=0.05):
    session.reset_process_state()
    cloud.set_faults(every_service(rate), seed=SEED)
    cloud.reset_counters()
    return heat.run_stack(cloud, TEMPLATE, name='app',
                          config_overrides=overrides, seed=SEED,
                          timeout=300)


@pytest.fixture
def slow_enough(cloud):
    # NOTE: long enough that Heat polls each server and volume a few times.
    cloud.server_build_seconds = 0.1
    cloud.services['volumev3'].build_seconds = 0.1
    cloud.services['volumev3'].attach_seconds = 0.1


def test_the_stack_completes_under_503s_on_every_service_with_the_plugins(
        heat, cloud, slow_enough):
    result = run(heat, cloud, PLUGINS)
    assert result.create_status == 'CREATE_COMPLETE', result.create_reason
    assert result.resources_complete == len(TEMPLATE['resources'])
    faulted = {route.split()[0] for route, outcomes in
               result.counters['requests'].items() if '503' in outcomes}
    assert set(ASSERTED) <= faulted
    assert result.delete_status == 'DELETE_COMPLETE', result.delete_reason
    assert sum(result.counters['live'].values()) == 0
    assert result.create_counters['duplicates_total'] == 0


def test_stock_heat_fails_the_same_stack_on_the_same_faults(
        heat, cloud, slow_enough):
    result = run(heat, cloud, None)
    assert result.create_status == 'CREATE_FAILED'
    assert '503' in result.create_reason or 'Unavailable' in \
        result.create_reason

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

"""Real Heat: the demo's large stack, 50 servers, under every fault kind.

The shipped ``large`` template with 50 members: a network, a subnet, a
router and its interface, a security group with four rules and a Swift
container, shared; for each member a port, a server on it and a volume
attached to it (206 resources; Keystone, Nova, Glance, Neutron, Cinder
and Swift are called). On the convergence engine with Heat's stagger
off, every service gets :data:`MIX`, from the first request on:

* 503 on 5% of every request, 500 on 1% (a fifth of it);
* on 5% of the POSTs an ambiguous failure after the work was done: half
  the connection dropped (``drop_after``), half a 500 (``ambiguous_500``);
* on every 50th POST a ``slow_create``: a 504 at once, and the request
  processed one second later (the fault's default), as a proxy that timed
  out on a backend that went on;
* and the first volume attach dropped after it was done.

That is the demo's mix at 5% (:func:`heat_retry_plugins.cmd.demo.fault_mix`)
plus the slow creates, which the demo leaves out. The plugins run with 8
attempts a call (for a POST, which fails an attempt with odds of about
0.11 here, all 8 fail with odds of 3e-8) and short delays; Heat's own
``action_retry_limit`` is 0 (heatrun), so nothing is re-created by Heat.
Stock Heat on the same seed fails the stack.
"""

import pytest

from heat_retry_plugins.heatrun import templates
from heat_retry_plugins import session

MEMBERS = 50
SEED = 7
RATE = 0.05
ATTACH = '^/servers/[^/]+/os-volume_attachments$'
MIX = [
    # NOTE: the first attach is lost, so that every run adopts an
    # attachment (5% of 50 attaches miss it on 8% of the runs).
    {'service': 'compute', 'method': 'POST', 'path': ATTACH, 'first': 1,
     'fault': {'kind': 'drop_after'}},
    {'service': '*', 'method': 'POST', 'rate': RATE / 2,
     'fault': {'kind': 'drop_after'}},
    {'service': '*', 'method': 'POST', 'rate': RATE / 2,
     'fault': {'kind': 'ambiguous_500'}},
    {'service': '*', 'method': 'POST', 'every': 50,
     'fault': {'kind': 'slow_create'}},
    {'service': '*', 'rate': RATE, 'fault': {'status': 503}},
    {'service': '*', 'rate': RATE / 5, 'fault': {'status': 500}},
]
PLUGINS = {
    ('DEFAULT', 'cloud_backend'): 'heat_retry_plugins.clients.RetryingClients',
    ('clients', 'retry_max_attempts'): 8,
    ('clients', 'retry_initial_delay'): 0.01,
    ('clients', 'retry_max_delay'): 0.05,
}


@pytest.fixture
def large_cloud(cloud):
    # NOTE: long enough that Heat polls each server, volume and attachment.
    cloud.server_build_seconds = 0.1
    cloud.services['volumev3'].build_seconds = 0.1
    cloud.services['volumev3'].attach_seconds = 0.1
    return cloud


def run(heat, cloud, overrides):
    session.reset_process_state()
    cloud.set_faults(MIX, seed=SEED)
    cloud.reset_counters()
    return heat.run_stack(cloud, templates.shipped('large', MEMBERS),
                          name='large', config_overrides=overrides,
                          seed=SEED, timeout=300)


def test_the_large_stack_completes_and_deletes_under_every_fault(
        heat, large_cloud):
    result = run(heat, large_cloud, PLUGINS)

    assert result.create_status == 'CREATE_COMPLETE', result.create_reason
    assert result.resources_complete == 4 * MEMBERS + 6
    # NOTE: a late duplicate is swept by the polls that name what was kept
    # and by the background sweeps, whose requests are retried: by the
    # create's end the cloud holds one of each.
    assert result.create_counters['duplicates_total'] == 0, (
        result.create_counters['duplicates'])
    assert result.delete_status == 'DELETE_COMPLETE', result.delete_reason
    assert result.counters['duplicates_total'] == 0, (
        result.counters['duplicates'])
    live = {kind: n for kind, n in result.counters['live'].items() if n}
    assert live == {}


def test_stock_heat_fails_the_large_stack_on_the_same_seed(
        heat, large_cloud):
    result = run(heat, large_cloud, None)

    assert result.create_status == 'CREATE_FAILED'
    assert result.create_counters['faults_total'] > 0

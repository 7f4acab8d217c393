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

"""Request amplification and success rate under faults, budget on and off.

The real python-novaclient, through the nova_retry plugin in a real Heat
context, makes CALLS ``servers.get`` calls against the embedded fake cloud
while a share of Nova's answers are 503s. For each fault rate, with the
retry budget on (the defaults) and off (``retry_budget_capacity = 0``),
prints requests per logical call and the share of calls that succeeded,
and writes the raw numbers as JSON. The backoff sleeps are skipped: this
measures load, not time.

    python benchmarks/amplification.py [--calls 300] [--seed 1]
"""

import argparse
import logging
import os
import sys
import tempfile

from heat_retry_plugins import heatrun  # noqa: F401  (threading backend)

from oslo_config import cfg  # noqa: I100

from heat_retry_plugins.config import loading
from heat_retry_plugins.fakecloud import CIRROS_IMAGE_ID
from heat_retry_plugins.fakecloud import server
from heat_retry_plugins.heatrun import engine
from heat_retry_plugins import session

import results_file  # noqa: I100 (a sibling script)

RATES = (0.0, 0.01, 0.05, 0.2, 0.5, 1.0)
ROUTE = 'compute GET /servers/{id}'


def measure(cloud, rate, budget, calls, seed):
    cfg.CONF.set_override('retry_budget_capacity', 10.0 if budget else 0.0,
                          group='clients_nova')
    cfg.CONF.set_override('retry_breaker_threshold', 0, group='clients_nova')
    loading.reload()
    session.reset_process_state()
    context = engine.make_context(cloud)
    plugin = context.clients.client_plugin('nova_retry')
    plugin.sleep = lambda seconds: None
    nova = plugin.client()
    target = nova.servers.create('bench', CIRROS_IMAGE_ID, '1', nics='none')
    cloud.set_faults([{'service': 'compute', 'method': 'GET',
                       'path': '^/servers/[^/]+$', 'rate': rate,
                       'fault': {'status': 503}}], seed=seed)
    cloud.reset_counters()
    succeeded = 0
    for _ in range(calls):
        try:
            plugin.call_with_retry(nova.servers.get, target.id)
            succeeded += 1
        except Exception:
            pass
    requests = sum(cloud.counters()['requests'].get(ROUTE, {}).values())
    nova.servers.delete(target.id)
    return {'rate': rate, 'budget': budget, 'calls': calls,
            'requests': requests, 'amplification': requests / calls,
            'success_rate': succeeded / calls}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--calls', type=int, default=300)
    parser.add_argument('--seed', type=int, default=1)
    parser.add_argument('--out',
                        default='benchmarks/results/amplification.json')
    args = parser.parse_args(argv)
    # NOTE: a WARNING per retry and per give-up would drown the table.
    logging.getLogger('heat_retry_plugins').setLevel(logging.ERROR)
    rows = []
    with tempfile.TemporaryDirectory() as state, \
            server.FakeCloud(seed=args.seed) as cloud:
        engine.prepare(os.path.join(state, 'heat'), cloud)
        try:
            for rate in RATES:
                for budget in (False, True):
                    rows.append(measure(cloud, rate, budget, args.calls,
                                        args.seed))
        finally:
            engine.reset()
    print('%-10s %-8s %16s %14s' % ('fault rate', 'budget',
                                    'requests/call', 'success rate'))
    for row in rows:
        print('%-10s %-8s %16.2f %13.1f%%' % (
            '%g%%' % (row['rate'] * 100), 'on' if row['budget'] else 'off',
            row['amplification'], row['success_rate'] * 100))
    results_file.write_results(args.out, {'calls': args.calls,
                                          'seed': args.seed, 'rows': rows})
    return 0


if __name__ == '__main__':
    sys.exit(main())

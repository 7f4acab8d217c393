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

"""An outage in the middle of a stream of calls: load and time to recover.

The real python-novaclient, through the nova_retry plugin in a real Heat
context, calls ``servers.get`` without pause for ``--seconds`` while Nova
answers every request with 503 during a window in the middle. With the
retry budget and the circuit breaker each on and off, prints the requests
Nova received per call made during the outage, and the time from the end
of the outage to the first successful call (time to recover). Real sleeps,
short delays (0.01 to 0.2 s) and a 1 s breaker cool-down.

    python benchmarks/outage.py [--seconds 6] [--outage 2 4]
"""

import argparse
import logging
import os
import sys
import tempfile
import time

from heat_retry_plugins import heatrun  # noqa: F401  (threading backend)

from oslo_config import cfg  # noqa: I100

from heat_retry_plugins.config import loading
from heat_retry_plugins.fakecloud import CIRROS_IMAGE_ID
from heat_retry_plugins.fakecloud import server
from heat_retry_plugins.heatrun import engine
from heat_retry_plugins import session

import results_file  # noqa: I100 (a sibling script)

ROUTE = 'compute GET /servers/{id}'
SETTINGS = {
    'retry_initial_delay': 0.01, 'retry_max_delay': 0.2,
    'retry_breaker_cooldown': 1.0,
}


def configure(budget, breaker):
    values = dict(SETTINGS, retry_budget_capacity=10.0 if budget else 0.0,
                  retry_breaker_threshold=10 if breaker else 0)
    for name, value in values.items():
        cfg.CONF.set_override(name, value, group='clients_nova')
    loading.reload()
    session.reset_process_state()


def measure(cloud, budget, breaker, seconds, outage):
    configure(budget, breaker)
    plugin = engine.make_context(cloud).clients.client_plugin('nova_retry')
    nova = plugin.client()
    target = nova.servers.create('outage', CIRROS_IMAGE_ID, '1', nics='none')
    cloud.reset_counters()
    cloud.set_faults([{'service': 'compute', 'method': 'GET',
                       'path': '^/servers/[^/]+$', 'window': list(outage),
                       'fault': {'status': 503}}])
    start = time.monotonic()
    calls = {'before': 0, 'during': 0, 'after': 0}
    failed = 0
    recovered = None
    requests_at = {}
    while time.monotonic() - start < seconds:
        began = time.monotonic() - start
        phase = ('before' if began < outage[0] else
                 'during' if began < outage[1] else 'after')
        if phase not in requests_at:
            requests_at[phase] = _sent(cloud)
        calls[phase] += 1
        try:
            plugin.call_with_retry(nova.servers.get, target.id)
        except Exception:
            failed += 1
            continue
        ended = time.monotonic() - start
        if recovered is None and ended >= outage[1]:
            recovered = ended - outage[1]
    requests_at['end'] = _sent(cloud)
    during = requests_at.get('after', requests_at['end']) - requests_at.get(
        'during', 0)
    cloud.set_faults([])
    nova.servers.delete(target.id)
    return {'budget': budget, 'breaker': breaker, 'calls': calls,
            'failed': failed,
            'requests_during': during,
            'requests_per_call_during': during / max(1, calls['during']),
            'recover_seconds': recovered}


def _sent(cloud):
    return sum(cloud.counters()['requests'].get(ROUTE, {}).values())


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--seconds', type=float, default=6.0)
    parser.add_argument('--outage', type=float, nargs=2, default=(2.0, 4.0),
                        metavar=('START', 'END'))
    parser.add_argument('--out', default='benchmarks/results/outage.json')
    args = parser.parse_args(argv)
    logging.getLogger('heat_retry_plugins').setLevel(logging.ERROR)
    rows = []
    with tempfile.TemporaryDirectory() as state, \
            server.FakeCloud() as cloud:
        engine.prepare(os.path.join(state, 'heat'), cloud)
        try:
            for budget in (False, True):
                for breaker in (False, True):
                    rows.append(measure(cloud, budget, breaker,
                                        args.seconds, args.outage))
        finally:
            engine.reset()
    print('%-7s %-8s %14s %18s %16s' % (
        'budget', 'breaker', 'calls in outage', 'requests per call',
        'recovered after'))
    for row in rows:
        recover = row['recover_seconds']
        print('%-7s %-8s %14d %18.2f %16s' % (
            'on' if row['budget'] else 'off',
            'on' if row['breaker'] else 'off', row['calls']['during'],
            row['requests_per_call_during'],
            '-' if recover is None else '%.2fs' % recover))
    results_file.write_results(args.out, {
        'seconds': args.seconds, 'outage': list(args.outage), 'rows': rows})
    return 0


if __name__ == '__main__':
    sys.exit(main())

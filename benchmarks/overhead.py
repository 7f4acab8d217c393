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

"""Overhead of a call that succeeds first time.

Measures, in one process and interleaved, a bare call, a hand-written
try/except retry loop, tenacity's ``Retrying`` configured like Heat's
(stop after N attempts, exponential wait, reraise) and the nova_retry
plugin's ``call_with_retry`` and its request layer, inside a real Heat
request context. Prints a table of medians and writes the raw numbers as
JSON.

    python benchmarks/overhead.py [--runs 15] [--calls 20000] [--out FILE]
"""

import argparse
import platform
import statistics
import sys
import time

from oslo_service import backend

backend.init_backend(backend.BackendType.THREADING)

from heat.common import context  # noqa: E402,I202
from heat.engine import clients  # noqa: E402
from oslo_config import cfg  # noqa: E402
import tenacity  # noqa: E402

import results_file  # noqa: E402,I100,I202 (a sibling script)


def target(value):
    return value


def try_except_loop(func, *args):
    for attempt in range(4):
        try:
            return func(*args)
        except ConnectionError:
            if attempt == 3:
                raise
            time.sleep(0.5 * 2 ** attempt)


def make_plugin():
    cfg.CONF([], project='heat')
    clients.initialise()
    ctx = context.RequestContext(
        username='u', password='p', auth_url='http://127.0.0.1:9/v3',
        project_id='p', user_domain_id='default', project_domain_id='default',
        region_name='RegionOne', is_admin=False)
    plugin = ctx.clients.client_plugin('nova_retry')
    return ctx, plugin


def measure(fn, calls):
    start = time.perf_counter()
    for _ in range(calls):
        fn()
    return (time.perf_counter() - start) / calls * 1e6


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--runs', type=int, default=15)
    parser.add_argument('--calls', type=int, default=20000)
    parser.add_argument('--out', default='benchmarks/results/overhead.json')
    args = parser.parse_args(argv)

    ctx, plugin = make_plugin()
    retrying = tenacity.Retrying(
        stop=tenacity.stop_after_attempt(4),
        wait=tenacity.wait_exponential(multiplier=0.5, max=30),
        retry=tenacity.retry_if_exception_type(ConnectionError),
        reraise=True)
    cases = {
        'bare call': lambda: target(1),
        'try/except loop': lambda: try_except_loop(target, 1),
        'tenacity Retrying': lambda: retrying(target, 1),
        'call_with_retry': lambda: plugin.call_with_retry(target, 1),
        'request layer': lambda: plugin.retry_request(
            lambda url, method: target(1), '/servers/x', 'GET', {}),
    }
    samples = {name: [] for name in cases}
    for _ in range(args.runs):
        for name, fn in cases.items():
            samples[name].append(measure(fn, args.calls))
    medians = {name: statistics.median(values)
               for name, values in samples.items()}
    bare = medians['bare call']
    print('%-20s %12s %14s %14s' % (
        'case', 'median us', 'overhead us', 'x tenacity'))
    for name, value in medians.items():
        ratio = ((medians['tenacity Retrying'] - bare) / (value - bare)
                 if value > bare else float('inf'))
        print('%-20s %12.3f %14.3f %14s' % (
            name, value, value - bare,
            '-' if name == 'bare call' else '%.1f' % ratio))
    result = {'python': sys.version, 'machine': platform.machine(),
              'processor': platform.processor(), 'runs': args.runs,
              'calls': args.calls, 'samples_us': samples,
              'medians_us': medians}
    results_file.write_results(args.out, result)
    return 0


if __name__ == '__main__':
    sys.exit(main())

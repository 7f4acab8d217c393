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

Measures, in one process and interleaved:

* a bare call, a hand-written try/except retry loop, tenacity's
  ``Retrying`` configured like Heat's (stop after N attempts, exponential
  wait, reraise) and the nova_retry plugin's ``call_with_retry``, inside a
  real Heat request context;
* the request layer at the keystoneauth session: one request through
  ``RetryingSession`` against keystoneauth's own ``Session.request`` with
  the transport stubbed (the layer's own cost), and one real GET over
  HTTP on 127.0.0.1 to the embedded fake cloud through each (what it adds
  to a request).

Prints a table of medians and writes the raw numbers as JSON.

    python benchmarks/overhead.py [--runs 15] [--calls 20000]
                                  [--http-calls 300] [--out FILE]
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
from keystoneauth1.identity import generic  # noqa: E402
from keystoneauth1 import session as ks_session  # noqa: E402
from oslo_config import cfg  # noqa: E402
import requests  # noqa: E402
import tenacity  # noqa: E402

from heat_retry_plugins.fakecloud import server  # noqa: E402
from heat_retry_plugins.session import layer  # noqa: E402

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


class StubTransport(ks_session.Session):
    """keystoneauth's Session with its HTTP send replaced by a response."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._response = requests.Response()
        self._response.status_code = 200
        self._response._content = b'{}'

    def _send_request(self, url, method, *args, **kwargs):
        self._response.url = url
        return self._response


class RetryingStub(layer.RetryingSession, StubTransport):
    """The request layer over the stubbed transport."""


def stub_sessions():
    auth = generic.Token(auth_url='http://127.0.0.1:9/v3', token='t')
    bare = StubTransport(auth=auth)
    retrying = RetryingStub(auth=auth)
    # NOTE: a catalog-free endpoint, so that no token is fetched.
    kwargs = {'endpoint_override': 'http://127.0.0.1:9/v2.1',
              'endpoint_filter': {'service_type': 'compute'},
              'authenticated': False}
    return (lambda: bare.request('/servers/x', 'GET', **kwargs),
            lambda: retrying.request('/servers/x', 'GET', **kwargs))


def http_sessions(cloud):
    def session():
        made = ks_session.Session(auth=generic.Password(
            **cloud.credentials()))
        made.get_token()
        return made
    bare, retrying = session(), layer.install(session())
    kwargs = {'endpoint_filter': {'service_type': 'compute',
                                  'interface': 'public'}}
    return (lambda: bare.request('/flavors/1', 'GET', **kwargs),
            lambda: retrying.request('/flavors/1', 'GET', **kwargs))


def measure(fn, calls):
    start = time.perf_counter()
    for _ in range(calls):
        fn()
    return (time.perf_counter() - start) / calls * 1e6


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--runs', type=int, default=15)
    parser.add_argument('--calls', type=int, default=20000)
    parser.add_argument('--http-calls', type=int, default=300)
    parser.add_argument('--out', default='benchmarks/results/overhead.json')
    args = parser.parse_args(argv)
    cloud = server.FakeCloud().start()
    try:
        return run(args, cloud)
    finally:
        cloud.stop()


def run(args, cloud):
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
    }
    stub_bare, stub_layer = stub_sessions()
    http_bare, http_layer = http_sessions(cloud)
    sessions = {
        'session, stub: keystoneauth': (stub_bare, args.calls // 4),
        'session, stub: request layer': (stub_layer, args.calls // 4),
        'HTTP GET: keystoneauth': (http_bare, args.http_calls),
        'HTTP GET: request layer': (http_layer, args.http_calls),
    }
    samples = {name: [] for name in list(cases) + list(sessions)}
    for _ in range(args.runs):
        for name, fn in cases.items():
            samples[name].append(measure(fn, args.calls))
        for name, (fn, calls) in sessions.items():
            samples[name].append(measure(fn, calls))
    medians = {name: statistics.median(values)
               for name, values in samples.items()}
    bare = medians['bare call']
    print('%-30s %12s %14s %14s' % (
        'case', 'median us', 'overhead us', 'x tenacity'))
    for name in cases:
        value = medians[name]
        ratio = ((medians['tenacity Retrying'] - bare) / (value - bare)
                 if value > bare else float('inf'))
        print('%-30s %12.3f %14.3f %14s' % (
            name, value, value - bare,
            '-' if name == 'bare call' else '%.1f' % ratio))
    for base in ('session, stub', 'HTTP GET'):
        ours = medians['%s: request layer' % base]
        theirs = medians['%s: keystoneauth' % base]
        print('%-30s %12.3f %14s %14s' % ('%s: keystoneauth' % base,
                                          theirs, '-', '-'))
        print('%-30s %12.3f %14.3f %14s' % ('%s: request layer' % base,
                                            ours, ours - theirs, '-'))
    result = {'python': sys.version, 'machine': platform.machine(),
              'processor': platform.processor(), 'runs': args.runs,
              'calls': args.calls, 'samples_us': samples,
              'medians_us': medians}
    results_file.write_results(args.out, result)
    return 0


if __name__ == '__main__':
    sys.exit(main())

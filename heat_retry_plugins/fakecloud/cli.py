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

"""Run the fake cloud from a shell until Ctrl-C, then print the counters.

::

    python -m heat_retry_plugins.fakecloud [--faults FILE] [--seed N]
                                            [--port-base N]
"""

import argparse
import json
import logging
import signal
import sys
import threading
import time
from typing import Optional
from typing import Sequence
from typing import TextIO

from heat_retry_plugins.fakecloud import server


def build_parser() -> argparse.ArgumentParser:
    """Describe the command line.

    :returns: the parser.
    """
    parser = argparse.ArgumentParser(
        prog='python -m heat_retry_plugins.fakecloud',
        description='Run a fake OpenStack cloud (Keystone, Nova, Glance) '
                    'that injects faults on purpose.')
    parser.add_argument('--faults', metavar='FILE',
                        help='YAML or JSON fault spec')
    parser.add_argument('--seed', type=int, default=0,
                        help='seed of the rate decisions (default 0)')
    parser.add_argument('--port-base', type=int, default=None, metavar='N',
                        help='identity on N, compute N+1, image N+2, '
                             'network N+3 (default: free ports)')
    parser.add_argument('--host', default='127.0.0.1')
    parser.add_argument('--token-ttl', type=float, default=3600.0,
                        metavar='SECONDS')
    parser.add_argument('--build-seconds', type=float, default=0.0,
                        metavar='SECONDS',
                        help='how long new servers stay in BUILD')
    parser.add_argument('--duration', type=float, default=None,
                        metavar='SECONDS',
                        help='stop after this long instead of at Ctrl-C')
    parser.add_argument('--debug', action='store_true',
                        help='log every request')
    return parser


def print_banner(cloud: server.FakeCloud, out: TextIO) -> None:
    """Print the auth URL, credentials and endpoints.

    :param cloud: the running cloud.
    :param out: where to print.
    """
    lines = ['# fakecloud is running; credentials for the clients:',
             'export OS_AUTH_URL=%s' % cloud.auth_url,
             'export OS_USERNAME=%s' % cloud.username,
             'export OS_PASSWORD=%s' % cloud.password,
             'export OS_PROJECT_NAME=%s' % cloud.project_name,
             'export OS_USER_DOMAIN_ID=%s' % cloud.domain_id,
             'export OS_PROJECT_DOMAIN_ID=%s' % cloud.domain_id,
             'export OS_REGION_NAME=%s' % cloud.region,
             'export OS_IDENTITY_API_VERSION=3']
    lines += ['# %-8s %s' % (name, cloud.endpoint(name))
              for name in cloud.service_types]
    lines.append('# counters: %s/_fake/counters'
                 % cloud.base_url('identity'))
    lines.append('# press Ctrl-C to stop and print the counters')
    out.write('\n'.join(lines) + '\n')
    out.flush()


def main(argv: Optional[Sequence[str]] = None,
         out: Optional[TextIO] = None) -> int:
    """Run the fake cloud.

    :param argv: the arguments (default ``sys.argv[1:]``).
    :param out: where to print (default stdout).
    :returns: the exit status.
    """
    out = out or sys.stdout
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.debug else logging.INFO,
                        format='%(asctime)s %(levelname)s %(name)s '
                               '%(message)s')
    try:
        cloud = server.FakeCloud(faults=args.faults, seed=args.seed,
                                 token_ttl=args.token_ttl,
                                 server_build_seconds=args.build_seconds,
                                 host=args.host, port_base=args.port_base)
        cloud.start()
    except (OSError, ValueError) as exc:
        sys.stderr.write('fakecloud: %s\n' % exc)
        return 2
    stop = threading.Event()
    previous = {}
    if threading.current_thread() is threading.main_thread():
        # Handle both explicitly: a shell starts background jobs with
        # SIGINT ignored.
        for signum in (signal.SIGINT, signal.SIGTERM):
            previous[signum] = signal.signal(signum,
                                             lambda *_: stop.set())
    print_banner(cloud, out)
    deadline = (None if args.duration is None
                else time.monotonic() + args.duration)
    try:
        while not stop.is_set():
            remaining = (0.5 if deadline is None
                         else deadline - time.monotonic())
            if remaining <= 0:
                break
            stop.wait(min(0.5, remaining))
    except KeyboardInterrupt:
        pass
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        cloud.stop()
    out.write(json.dumps(cloud.counters(), indent=2, sort_keys=True) + '\n')
    out.flush()
    return 0

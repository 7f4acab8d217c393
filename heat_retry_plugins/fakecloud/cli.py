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

Every argument, the fault spec included, is checked before anything starts:
a bad one prints one line ``fakecloud: error: ...`` on stderr and exits 2.
"""

import argparse
import contextlib
import json
import logging
import math
import signal
import sys
import threading
import time
from typing import Callable
from typing import Iterator
from typing import NoReturn
from typing import Optional
from typing import Sequence
from typing import TextIO

from heat_retry_plugins.fakecloud import faults
from heat_retry_plugins.fakecloud import server

#: The exit status of a bad command line (argparse's).
USAGE_ERROR = 2


def one_line(text: str) -> str:
    """Fold a message into one line.

    :param text: the message.
    :returns: the message with every run of whitespace made one space.
    """
    return ' '.join(str(text).split())


class OneLineParser(argparse.ArgumentParser):
    """An argument parser whose errors are one line, without the usage."""

    def error(self, message: str) -> NoReturn:
        """Print ``fakecloud: error: MESSAGE`` and exit 2.

        :param message: what is wrong.
        """
        self.exit(USAGE_ERROR, 'fakecloud: error: %s\n' % one_line(message))


def seed_arg(text: str) -> int:
    """Parse ``--seed``.

    :param text: the argument.
    :returns: the seed.
    :raises argparse.ArgumentTypeError: unless a non-negative integer.
    """
    try:
        return faults.validate_seed(int(text))
    except ValueError:
        raise argparse.ArgumentTypeError(
            'must be a non-negative integer, got %r' % text)


def seconds_arg(minimum: float, inclusive: bool = True) -> Callable:
    """Make the parser of a duration.

    :param minimum: the smallest value allowed.
    :param inclusive: the minimum itself is allowed.
    :returns: a function of the argument text that returns seconds.
    """
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not math.isfinite(value) or value < minimum or (
                value == minimum and not inclusive):
            raise argparse.ArgumentTypeError(
                'must be a number of seconds %s %g, got %r'
                % ('>=' if inclusive else '>', minimum, text))
        return value
    return parse


def port_base_arg(text: str) -> int:
    """Parse ``--port-base``: every service's port must be valid.

    :param text: the argument.
    :returns: the first port.
    :raises argparse.ArgumentTypeError: if a port would be outside 1-65535.
    """
    highest = 65536 - len(server.SERVICE_CLASSES)
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 1 <= value <= highest:
        raise argparse.ArgumentTypeError(
            'must be a port from 1 to %d (the %d services take the ports '
            'from it on), got %r' % (highest, len(server.SERVICE_CLASSES),
                                     text))
    return value


def build_parser() -> argparse.ArgumentParser:
    """Describe the command line.

    :returns: the parser.
    """
    parser = OneLineParser(
        prog='python -m heat_retry_plugins.fakecloud',
        description='Run a fake OpenStack cloud (Keystone, Nova, Glance, '
                    'Neutron...) that injects faults on purpose.')
    parser.add_argument('--faults', metavar='FILE',
                        help='YAML or JSON (.json) fault spec')
    parser.add_argument('--seed', type=seed_arg, default=None,
                        help='seed of the rate decisions (default: the '
                             'spec\'s own seed, else 0)')
    parser.add_argument('--port-base', type=port_base_arg, default=None,
                        metavar='N',
                        help='identity on N, compute N+1, and so on for '
                             'every service (default: free ports)')
    parser.add_argument('--host', default='127.0.0.1')
    parser.add_argument('--token-ttl', type=seconds_arg(0, inclusive=False),
                        default=3600.0, metavar='SECONDS')
    parser.add_argument('--build-seconds', type=seconds_arg(0),
                        default=0.0, metavar='SECONDS',
                        help='how long new servers stay in BUILD')
    parser.add_argument('--duration', type=seconds_arg(0), default=None,
                        metavar='SECONDS',
                        help='stop after this long instead of at Ctrl-C')
    parser.add_argument('--debug', action='store_true',
                        help='log every request')
    return parser


def load_faults(parser: argparse.ArgumentParser,
                args: argparse.Namespace) -> tuple:
    """Read and check the fault spec of the command line.

    :param parser: the parser, to report an error.
    :param args: the parsed arguments.
    :returns: ``(rules, seed)``: the rule mappings and the seed to use.
    """
    try:
        loaded = faults.read_spec(args.faults)
    except ValueError as exc:
        parser.error(str(exc))
    seed = args.seed if args.seed is not None else (loaded.seed or 0)
    try:
        faults.parse_spec(loaded.rules, seed)
    except ValueError as exc:
        parser.error('fault spec %s: %s' % (args.faults, exc))
    return loaded.rules, seed


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


@contextlib.contextmanager
def stop_signals(stop: threading.Event) -> Iterator[None]:
    """Let SIGINT and SIGTERM set an event while a block runs.

    Only the main thread may set signal handlers; elsewhere (``main`` run
    in a thread) the block runs with the handlers as they are.

    :param stop: the event the signals set.
    """
    previous = {}
    if threading.current_thread() is threading.main_thread():
        # Handle both explicitly: a shell starts background jobs with
        # SIGINT ignored.
        for signum in (signal.SIGINT, signal.SIGTERM):
            previous[signum] = signal.signal(signum,
                                             lambda *_: stop.set())
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def wait_for_stop(stop: threading.Event, duration: Optional[float]) -> None:
    """Wait until an event is set or a duration has passed.

    :param stop: the event.
    :param duration: seconds, or None to wait for the event only.
    """
    deadline = None if duration is None else time.monotonic() + duration
    while not stop.is_set():
        remaining = (0.5 if deadline is None
                     else deadline - time.monotonic())
        if remaining <= 0:
            break
        stop.wait(min(0.5, remaining))


def serve_until_stopped(cloud: server.FakeCloud, duration: Optional[float],
                        out: TextIO) -> None:
    """Print the banner, serve until a signal or the duration, then stop.

    :param cloud: the running cloud.
    :param duration: seconds, or None to serve until a signal.
    :param out: where to print the banner.
    """
    stop = threading.Event()
    try:
        with stop_signals(stop):
            print_banner(cloud, out)
            wait_for_stop(stop, duration)
    except KeyboardInterrupt:
        pass
    finally:
        cloud.stop()


def main(argv: Optional[Sequence[str]] = None,
         out: Optional[TextIO] = None) -> int:
    """Run the fake cloud.

    :param argv: the arguments (default ``sys.argv[1:]``).
    :param out: where to print (default stdout).
    :returns: the exit status.
    """
    out = out or sys.stdout
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        rules, seed = load_faults(parser, args)
    except SystemExit as exc:
        return exc.code
    logging.basicConfig(level=logging.DEBUG if args.debug else logging.INFO,
                        format='%(asctime)s %(levelname)s %(name)s '
                               '%(message)s')
    try:
        cloud = server.FakeCloud(faults=rules, seed=seed,
                                 token_ttl=args.token_ttl,
                                 server_build_seconds=args.build_seconds,
                                 host=args.host, port_base=args.port_base)
        cloud.start()
    except (OSError, ValueError) as exc:
        sys.stderr.write('fakecloud: error: cannot start: %s\n'
                         % one_line(exc))
        return USAGE_ERROR
    serve_until_stopped(cloud, args.duration, out)
    out.write(json.dumps(cloud.counters(), indent=2, sort_keys=True) + '\n')
    out.flush()
    return 0

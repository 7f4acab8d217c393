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

"""``heat-retry-plugins``: the demo, the fake cloud, the policy inspector.

::

    heat-retry-plugins demo [--resources N] [--fault-rate R] [--seed S]
    heat-retry-plugins fake-cloud [--faults FILE] [--seed S]
    heat-retry-plugins policies --config-file /etc/heat/heat.conf
"""

import argparse
import math
import sys

from heat_retry_plugins.config import policies

#: The most resources ``demo --resources`` takes: each is a real Heat
#: resource in one process, and the fake cloud keeps every object.
MAX_DEMO_RESOURCES = 2000


def _bounds(low, high):
    if low is not None and high is not None:
        return 'from %s to %s' % (_number(low), _number(high))
    if low is not None:
        return 'at least %s' % _number(low)
    return 'at most %s' % _number(high)


def _number(value):
    return '%g' % value if isinstance(value, float) else str(value)


def _check_bounds(value, text, low, high):
    if (low is not None and value < low) or (high is not None and
                                             value > high):
        raise argparse.ArgumentTypeError(
            'must be %s, not %s' % (_bounds(low, high), text))


def integer(low=None, high=None):
    """An argparse ``type=`` for an integer, optionally bounded.

    :param low: the smallest value allowed, or None.
    :param high: the largest value allowed, or None.
    :returns: a function of the argument's text that returns the int or
        raises :class:`argparse.ArgumentTypeError`, which argparse reports
        as one usage error (exit status 2).
    """
    def parse(text):
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                'must be an integer, not %r' % text) from None
        _check_bounds(value, text, low, high)
        return value
    return parse


def finite_float(low=None, high=None):
    """An argparse ``type=`` for a finite number, optionally bounded.

    ``nan``, ``inf`` and overflows such as ``1e400`` are refused whatever
    the bounds.

    :param low: the smallest value allowed, or None.
    :param high: the largest value allowed, or None.
    :returns: a function as :func:`integer` does, returning a float.
    """
    def parse(text):
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                'must be a number, not %r' % text) from None
        if not math.isfinite(value):
            raise argparse.ArgumentTypeError(
                'must be a finite number, not %s' % text)
        _check_bounds(value, text, low, high)
        return value
    return parse


def _policies(args):
    # NOTE: imported here so that `fake-cloud` does not import Heat.
    from heat_retry_plugins.cmd import policies as policies_cmd
    try:
        conf, retry = policies_cmd.load(args.config_file)
        effective = policies_cmd.effective_policies(
            retry, policies_cmd.registered_services())
    except (policies_cmd.UnusableConfigFile,
            policies.InvalidRetryOption) as exc:
        print('ERROR: %s' % exc, file=sys.stderr)
        return 1
    print(policies_cmd.format_table(effective))
    return 0


def _demo(args):
    from heat_retry_plugins.cmd import demo
    return demo.main(args)


def build_parser():
    """The argument parser of ``heat-retry-plugins``."""
    parser = argparse.ArgumentParser(
        prog='heat-retry-plugins',
        description='Client-side retry policies for OpenStack Heat.')
    commands = parser.add_subparsers(dest='command', required=True)

    demo = commands.add_parser(
        'demo', help='Create and delete a stack with the real Heat engine '
        'against the embedded fake cloud under faults, with stock Heat and '
        'with the retry plugins, and compare.')
    demo.add_argument('--resources', type=integer(1, MAX_DEMO_RESOURCES),
                      default=40, metavar='N',
                      help='Resources in the stack, 1 to %d (default 40).'
                      % MAX_DEMO_RESOURCES)
    demo.add_argument('--kind', choices=('keypairs', 'servers', 'keystone'),
                      default='servers',
                      help='What the stack is made of (default servers).')
    demo.add_argument('--fault-rate', type=finite_float(0.0, 1.0),
                      default=0.05, metavar='R',
                      help='Share of the requests to Nova (Keystone for '
                      '--kind keystone) that fail with 503, from 0 to 1; a '
                      'fifth of it again fail with 500, and as many POSTs '
                      'fail ambiguously (default 0.05).')
    demo.add_argument('--seed', type=integer(), default=1, metavar='S',
                      help='Seed of the faults, an integer (default 1).')
    demo.add_argument('--quiet', action='store_true',
                      help='No progress display.')
    demo.add_argument('--engine', choices=('convergence', 'legacy'),
                      default='convergence',
                      help="Heat's engine (default convergence, Heat's "
                      'default; legacy is deprecated).')
    demo.add_argument('--stagger', action=argparse.BooleanOptionalAction,
                      default=None,
                      help="Heat's 1 s stagger between independent "
                      'resources on or off (default: on when it adds at '
                      'most 20 s to the demo).')
    demo.set_defaults(func=_demo)

    fake = commands.add_parser(
        'fake-cloud', help='Run the embedded fake cloud until Ctrl-C '
        '(arguments after it go to the fake cloud; see fake-cloud -h).')
    fake.add_argument('rest', nargs=argparse.REMAINDER,
                      help='The fake cloud\'s own arguments.')

    show = commands.add_parser(
        'policies', help='Print the effective retry policy of every '
        'registered service and where each value comes from; exit 1 '
        'naming the group and option of a bad value.')
    show.add_argument('--config-file', action='append', required=True,
                      help='A heat.conf to read (repeatable).')
    show.set_defaults(func=_policies)
    return parser


def main(argv=None):
    """Run ``heat-retry-plugins``; returns the exit status."""
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ['fake-cloud']:
        # NOTE: everything after it is the fake cloud's own command line,
        # -h included; argparse's REMAINDER would take options first.
        from heat_retry_plugins.fakecloud import cli
        return cli.main(argv[1:])
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == '__main__':
    sys.exit(main())

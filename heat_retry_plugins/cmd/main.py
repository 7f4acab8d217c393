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

    heat-retry-plugins demo [--kind K | --template FILE] [--resources N]
                            [--parameter KEY=VALUE] [--fault-rate R |
                            --faults SPEC] [--seed S] [--json]
    heat-retry-plugins fake-cloud [--faults FILE] [--seed S]
    heat-retry-plugins policies --config-file /etc/heat/heat.conf
"""

import argparse
import math
import os
import sys

from heat_retry_plugins.config import loading

#: The most members ``demo --resources`` takes: each is a real Heat
#: resource (or several) in one process, and the fake cloud keeps every
#: object.
MAX_DEMO_RESOURCES = 2000
#: The shipped templates of ``demo --kind`` (heat_retry_plugins/heatrun/
#: hot/; listed here so that parsing does not import Heat).
DEMO_KINDS = ('servers', 'keypairs', 'keystone', 'large')


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


def _converted(text, convert, noun):
    try:
        return convert(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            'must be %s, not %r' % (noun, text)) from None


def integer(low=None, high=None):
    """An argparse ``type=`` for an integer, optionally bounded.

    :param low: the smallest value allowed, or None.
    :param high: the largest value allowed, or None.
    :returns: a function of the argument's text that returns the int or
        raises :class:`argparse.ArgumentTypeError`, which argparse reports
        as one usage error (exit status 2).
    """
    def parse(text):
        value = _converted(text, int, 'an integer')
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
        value = _converted(text, float, 'a number')
        if not math.isfinite(value):
            raise argparse.ArgumentTypeError(
                'must be a finite number, not %s' % text)
        _check_bounds(value, text, low, high)
        return value
    return parse


def key_value(text):
    """An argparse ``type=`` for ``KEY=VALUE``.

    :param text: the argument.
    :returns: ``(key, value)``; the value may be empty or hold ``=``.
    :raises argparse.ArgumentTypeError: without ``=`` or without a key.
    """
    key, sep, value = text.partition('=')
    if not sep or not key.strip():
        raise argparse.ArgumentTypeError(
            'must be KEY=VALUE, not %r' % text)
    return key.strip(), value


class StoreGiven(argparse.Action):
    """Store an option's value, and True in ``<dest>_given``.

    So that a command can tell a value given from the default (``demo``:
    ``--resources`` on a template without members, ``--seed`` against a
    fault spec's own seed).
    """

    def __call__(self, parser, namespace, values, option_string=None):
        setattr(namespace, self.dest, values)
        setattr(namespace, self.dest + '_given', True)


def _policies(args):
    # NOTE: imported here so that `fake-cloud` does not import Heat.
    from heat_retry_plugins.cmd import policy_table
    try:
        conf, cache = policy_table.load(args.config_file)
        effective = policy_table.effective_policies(
            cache, policy_table.registered_services())
    except (policy_table.UnusableConfigFile,
            loading.InvalidRetryOption) as exc:
        print('ERROR: %s' % exc, file=sys.stderr)
        return 1
    print(policy_table.format_table(effective))
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
    _add_demo(commands)
    _add_fake_cloud(commands)
    _add_policies(commands)
    return parser


def _add_demo(commands):
    demo = commands.add_parser(
        'demo', help='Create and delete a stack with the real Heat engine '
        'against the embedded fake cloud under faults, with stock Heat and '
        'with the retry plugins, and compare.')
    _add_demo_stack_options(demo)
    _add_demo_fault_options(demo)
    _add_demo_run_options(demo)
    demo.set_defaults(func=_demo)


def _add_demo_stack_options(demo):
    """What stack ``demo`` makes: the template, its parameters, its size."""
    what = demo.add_mutually_exclusive_group()
    what.add_argument('--kind', choices=DEMO_KINDS, default='servers',
                      help='A shipped template: servers (the default), '
                      'keypairs, keystone or large (servers on ports of a '
                      'network behind a router, with volumes, a security '
                      'group and a Swift container).')
    what.add_argument('--template', metavar='FILE',
                      help='Any HOT template, YAML or JSON, instead.')
    demo.add_argument('--parameter', action='append', type=key_value,
                      metavar='KEY=VALUE',
                      help="A value of one of the template's parameters "
                      '(repeatable).')
    demo.add_argument('--resources', type=integer(1, MAX_DEMO_RESOURCES),
                      default=40, action=StoreGiven, metavar='N',
                      help="How many times the template's member resources "
                      '(those whose names hold %%%%index%%%%) are repeated, 1 '
                      'to %d (default 40): N servers, keypairs or Keystone '
                      'project and user pairs, or N servers with their port'
                      ', volume and attachment.' % MAX_DEMO_RESOURCES)


def _add_demo_fault_options(demo):
    """Which requests of ``demo`` fail."""
    faults = demo.add_mutually_exclusive_group()
    faults.add_argument('--fault-rate', type=finite_float(0.0, 1.0),
                        default=0.05, metavar='R',
                        help='Share of the requests to every service that '
                        'fail with 503, from 0 to 1; a fifth of it again '
                        'fail with 500, and as many POSTs fail ambiguously '
                        '(default 0.05).')
    faults.add_argument('--faults', metavar='SPEC',
                        help='A fault spec file (YAML, or JSON if it ends '
                        'in .json; see fake-cloud) instead.')
    demo.add_argument('--seed', type=integer(), default=1,
                      action=StoreGiven, metavar='S',
                      help='Seed of the faults, an integer >= 0 (default '
                      "1, or a fault spec's own seed).")


def _add_demo_run_options(demo):
    """How ``demo`` runs Heat and what it prints."""
    demo.add_argument('--delete', action=argparse.BooleanOptionalAction,
                      default=True,
                      help='Delete the stack after the create (default), '
                      'and count what the delete left behind.')
    demo.add_argument('--json', action='store_true',
                      help='Print one JSON object on stdout instead of the '
                      'table (the rest goes to stderr).')
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


def _add_fake_cloud(commands):
    fake = commands.add_parser(
        'fake-cloud', help='Run the embedded fake cloud until Ctrl-C '
        '(arguments after it go to the fake cloud; see fake-cloud -h).')
    fake.add_argument('rest', nargs=argparse.REMAINDER,
                      help='The fake cloud\'s own arguments.')


def _add_policies(commands):
    show = commands.add_parser(
        'policies', help='Print the effective retry policy of every '
        'registered service and where each value comes from; exit 1 '
        'naming the group and option of a bad value.')
    show.add_argument('--config-file', action='append', required=True,
                      help='A heat.conf to read (repeatable).')
    show.set_defaults(func=_policies)


def main(argv=None):
    """Run ``heat-retry-plugins``; returns the exit status."""
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ['fake-cloud']:
        # NOTE: everything after it is the fake cloud's own command line,
        # -h included; argparse's REMAINDER would take options first.
        from heat_retry_plugins.fakecloud import cli
        return cli.main(argv[1:])
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except BrokenPipeError:
        # NOTE: `heat-retry-plugins policies | head` closed the pipe: stop
        # quietly, as a Unix filter does, with no traceback at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1


if __name__ == '__main__':
    sys.exit(main())

#!/usr/bin/env python3
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

"""One pass of Heat's unit tests: as Heat ships them, or with our backend.

Run by ``tools/heat_unit_tests.py``, once per pass, in a process of its
own: the baseline loads Heat's own client plugins only; the ``retrying``
pass sets ``cloud_backend`` to
``heat_retry_plugins.clients.RetryingClients`` before each test. Heat is
imported from the tree given (the installed package beside the sdist's
``etc/heat``); each test's outcome goes to a JSON file.

Usage::

    python tools/heat_unit_pass.py {baseline,retrying} --tree TREE \\
        --results FILE [--timeout SECONDS] SUITE [SUITE ...]
"""

import argparse
import collections
import importlib
import json
import pathlib
import pkgutil
import signal
import sys
import time
import traceback
import unittest

OUR_PACKAGE = 'heat_retry_plugins'
BACKEND = OUR_PACKAGE + '.clients.RetryingClients'
BASELINE = 'baseline'
RETRYING = 'retrying'
PASSES = (BASELINE, RETRYING)
#: Seconds one test may take before it is stopped as an error.
DEFAULT_TIMEOUT = 120
_DETAIL_LINES = 25
_TRACEBACK = 'Traceback (most recent call last):'


class SetupError(Exception):
    """The tests could not be set up; the message says why, in one line."""


class _TestTimeout(Exception):
    """A test ran past the runner's timeout."""


class Outcomes(unittest.TestResult):
    """Each test's record: outcome, detail, backends built, seconds.

    ``outcomes`` maps a test id to a dict of ``outcome`` (``success``,
    ``failure``, ``error``, ``skip``, ``expected failure``, ``unexpected
    success``), ``detail`` (the end of the traceback, or the skip reason),
    ``backends`` (the class names of the client backends Heat built during
    the test) and ``seconds``.

    :param timeout: seconds before a test is stopped with an error.
    :param built: a Counter of client backend class names, kept up to date
        by the caller, read at the start and end of each test.
    :param before_test: called with no argument before each test starts.
    """

    def __init__(self, timeout, built, before_test=None):
        super().__init__()
        self.timeout = timeout
        self.built = built
        self.before_test = before_test
        self.outcomes = {}
        self._before = None
        self._started = None

    def startTest(self, test):
        super().startTest(test)
        if self.before_test is not None:
            self.before_test()
        self._before = collections.Counter(self.built)
        self._started = time.monotonic()
        signal.alarm(self.timeout)

    def stopTest(self, test):
        signal.alarm(0)
        record = self._record(test)
        record['backends'] = sorted(self.built - self._before)
        record['seconds'] = round(time.monotonic() - self._started, 3)
        super().stopTest(test)

    def _record(self, test):
        return self.outcomes.setdefault(test.id(), {
            'outcome': 'success', 'detail': '', 'backends': [],
            'seconds': 0.0})

    def _note(self, test, outcome, detail=''):
        record = self._record(test)
        # NOTE: a failing cleanup after a failing test keeps the first.
        if record['outcome'] == 'success':
            record.update(outcome=outcome, detail=detail)

    def addError(self, test, err):
        super().addError(test, err)
        self._note(test, 'error', _detail(err))

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self._note(test, 'failure', _detail(err))

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        self._note(test, 'skip', str(reason))

    def addExpectedFailure(self, test, err):
        super().addExpectedFailure(test, err)
        self._note(test, 'expected failure')

    def addUnexpectedSuccess(self, test):
        super().addUnexpectedSuccess(test)
        self._note(test, 'unexpected success')

    def addSubTest(self, test, subtest, err):
        super().addSubTest(test, subtest, err)
        if err is not None:
            self._note(test, 'failure', _detail(err))


def _detail(err):
    """The end of the last traceback of ``err`` (testtools adds logs)."""
    text = ''.join(traceback.format_exception(*err))
    start = text.rfind(_TRACEBACK)
    lines = text[max(start, 0):].splitlines()
    return '\n'.join(lines[-_DETAIL_LINES:])


def _on_alarm(signum, frame):
    raise _TestTimeout('the test ran past the runner\'s timeout')


def _test_modules(suite):
    """Yield the names of the test modules of a suite (package or module)."""
    try:
        package = importlib.import_module(suite)
    except ImportError as exc:
        raise SetupError('cannot import the suite %s: %s' %
                         (suite, exc)) from None
    if not hasattr(package, '__path__'):
        yield suite
        return
    for info in pkgutil.walk_packages(package.__path__, suite + '.'):
        if info.name.rsplit('.', 1)[-1].startswith('test_'):
            yield info.name


def _watch_backends():
    """Count the client backends Heat builds, by class name.

    It wraps ``heat.engine.clients.ClientBackend.__new__`` (Heat's
    factory of ``context.clients``) and calls through: it observes which
    backend each test got and changes nothing.
    """
    from heat.engine import clients

    built = collections.Counter()
    make = clients.ClientBackend.__new__

    def counting(cls, context):
        backend = make(cls, context)
        built[type(backend).__name__] += 1
        return backend

    clients.ClientBackend.__new__ = staticmethod(counting)
    return built


def use_retrying_backend():
    """Give ``cloud_backend`` the value heat.conf would: ours.

    NOTE: called before each test starts (before its setUp), because
    HeatTestCase's cleanup, ``cfg.CONF.reset()``, unsets defaults and
    overrides alike. A default, as a heat.conf value is: a test's own
    ``set_override('cloud_backend', ...)`` still wins.
    """
    from oslo_config import cfg

    cfg.CONF.set_default('cloud_backend', BACKEND)


def _stock_clients_only():
    """Load Heat's client plugins as Heat does, without this package's.

    The same manager as ``heat.engine.clients.initialise()`` builds (which
    then does nothing), whose check also refuses the ``*_retry`` plugins of
    heat_retry_plugins before their ``is_available`` runs: the baseline is
    Heat as it ships, not Heat beside this package.
    """
    from heat.common import pluginutils
    from heat.engine import clients
    from stevedore import enabled

    def stock_and_available(extension):
        if extension.entry_point.value.startswith(OUR_PACKAGE + '.'):
            return False
        is_available = getattr(extension.plugin, 'is_available', None)
        return is_available is None or is_available()

    clients._mgr = enabled.EnabledExtensionManager(
        namespace='heat.clients', check_func=stock_and_available,
        invoke_on_load=False,
        on_load_failure_callback=pluginutils.log_fail_msg)


def run_pass(which, tree, suites, timeout):
    """Run the suites as one pass; return :attr:`Outcomes.outcomes`.

    :param which: ``baseline`` or ``retrying``.
    :param tree: the installed ``heat`` beside ``etc/heat`` (made by
        ``heat_unit_tests.prepare_tree``).
    :raises SetupError: when ``heat`` is not imported from ``tree``.
    :param suites: dotted names of Heat's test packages or modules.
    :param timeout: seconds one test may take.
    """
    sys.path.insert(0, str(tree))
    # NOTE: HeatTestCase's module selects oslo.service's backend at import;
    # it goes first, as in Heat's own runs.
    import heat.tests.common  # noqa: F401

    if not pathlib.Path(heat.__file__).is_relative_to(tree):
        raise SetupError('heat imported from %s, not the tree' %
                         heat.__file__)
    import heat_retry_plugins

    print('%s: heat from %s, heat_retry_plugins from %s' % (
        which, heat.__path__[0], heat_retry_plugins.__path__[0]),
        flush=True)
    if which == BASELINE:
        _stock_clients_only()
    built = _watch_backends()
    signal.signal(signal.SIGALRM, _on_alarm)
    loader = unittest.TestLoader()
    result = Outcomes(timeout, built, before_test=(
        use_retrying_backend if which == RETRYING else None))
    for suite in suites:
        for name in _test_modules(suite):
            try:
                module = importlib.import_module(name)
            except Exception:
                result.outcomes[name + ':import'] = {
                    'outcome': 'error', 'detail': _detail(sys.exc_info()),
                    'backends': [], 'seconds': 0.0}
                continue
            started = time.monotonic()
            loader.loadTestsFromModule(module).run(result)
            print('%-8s %-70s %6.1f s' % (which, name,
                                          time.monotonic() - started),
                  flush=True)
    return result.outcomes


def main(argv=None):
    """The command line; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('which', choices=PASSES)
    parser.add_argument('suites', nargs='+',
                        help='dotted names of Heat test packages or modules')
    parser.add_argument('--tree', type=pathlib.Path, required=True,
                        help='the installed heat beside etc/heat')
    parser.add_argument('--results', type=pathlib.Path, required=True,
                        help='the JSON file the outcomes go to')
    parser.add_argument('--timeout', type=int, default=DEFAULT_TIMEOUT,
                        help='seconds one test may take')
    args = parser.parse_args(argv)
    try:
        outcomes = run_pass(args.which, args.tree, args.suites,
                            args.timeout)
    except SetupError as exc:
        print('heat-unit %s: %s' % (args.which, exc), file=sys.stderr)
        return 2
    args.results.write_text(json.dumps(outcomes))
    return 0


if __name__ == '__main__':
    sys.exit(main())

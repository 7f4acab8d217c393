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

"""Heat's own unit tests, as Heat ships them and with ``RetryingClients``.

Runs a subset of the unit tests that ship inside the ``openstack-heat``
wheel twice, each pass in a process of its own (both at once unless
``--serial``): once as Heat ships them (the baseline: Heat's own client
plugins only, this package's ``*_retry`` plugins not loaded), once with
``[DEFAULT] cloud_backend = heat_retry_plugins.clients.RetryingClients``
in force for every test (the option's default, set before each test
starts, as heat.conf would set it). A test that passes on the baseline
must pass with the backend: the script prints one row per suite and exits
1 when one does not, 2 when it could not run the tests at all or the
backend was not in force.

Heat's test base (``heat/tests/common.py``) reads ``etc/heat`` beside the
``heat`` package, which the wheel does not have. The script downloads the
sdist of the installed Heat with pip into the work directory, extracts its
``etc/heat`` there and lays out a tree of that ``etc`` beside a symlink to
the installed ``heat`` package: the tests run from the installed files,
unchanged.

Usage::

    python tools/heat_unit_tests.py [--work-dir DIR] [--serial] [SUITE ...]

A SUITE is a dotted package or module of Heat's tests
(``heat.tests.clients``). Without ``--work-dir`` the work directory is a
temporary one, removed at the end unless a test newly failed.
"""

import argparse
import collections
import importlib
import importlib.metadata
import importlib.util
import json
import os
import pathlib
import pkgutil
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile
import time
import traceback
import unittest

OUR_PACKAGE = 'heat_retry_plugins'
BACKEND = OUR_PACKAGE + '.clients.RetryingClients'
BASELINE = 'baseline'
RETRYING = 'retrying'
PASSES = (BASELINE, RETRYING)

#: What runs by default: every client plugin's tests, the resource tests of
#: the services the plugins retry, and the engine's tests of stack
#: operations on a stored context (signal, delete, update with new
#: credentials, stack users), which build clients for contexts that must
#: not authenticate until a client is made.
DEFAULT_SUITES = (
    'heat.tests.clients',
    'heat.tests.openstack.nova',
    'heat.tests.openstack.neutron',
    'heat.tests.openstack.cinder',
    'heat.tests.openstack.keystone',
    'heat.tests.openstack.glance',
    'heat.tests.openstack.heat',
    'heat.tests.openstack.octavia',
    'heat.tests.openstack.swift',
    'heat.tests.openstack.designate',
    'heat.tests.openstack.aodh',
    'heat.tests.openstack.barbican',
    'heat.tests.openstack.blazar',
    'heat.tests.openstack.ironic',
    'heat.tests.openstack.magnum',
    'heat.tests.openstack.manila',
    'heat.tests.openstack.mistral',
    'heat.tests.openstack.trove',
    'heat.tests.openstack.zaqar',
    'heat.tests.openstack.zun',
    'heat.tests.aws',
    'heat.tests.autoscaling',
    'heat.tests.constraints',
    'heat.tests.test_stack',
    'heat.tests.test_stack_delete',
    'heat.tests.test_stack_update',
    'heat.tests.test_stack_user',
    'heat.tests.test_signal',
    'heat.tests.engine.service.test_stack_delete',
    'heat.tests.engine.service.test_stack_resources',
)

#: Tests not compared, by id, each with a one-line reason: a failure that
#: comes from how the test is written (it asserts ``type(plugin) is
#: NovaClientPlugin``, or mocks a session method the layer calls
#: differently), not from what the backend changes for Heat's resources.
#: They still run in both passes; the report says when one passes again.
#: None so far: every test that newly failed was a behaviour difference.
EXCLUDED = {
}

#: Outcomes that count as passing.
PASSING = frozenset(['success', 'expected failure'])
#: Seconds one test may take before it is stopped as an error.
DEFAULT_TIMEOUT = 120
_DETAIL_LINES = 25
_TRACEBACK = 'Traceback (most recent call last):'


class SetupError(Exception):
    """The tests could not be set up; the message says why, in one line."""


# -- the tree the tests run from ---------------------------------------------

def heat_version():
    """The version of the installed ``openstack-heat``.

    :raises SetupError: when it is not installed.
    """
    try:
        return importlib.metadata.version('openstack-heat')
    except importlib.metadata.PackageNotFoundError:
        raise SetupError('openstack-heat is not installed in %s' %
                         sys.prefix) from None


def installed_heat():
    """The directory of the installed ``heat`` package (not imported)."""
    spec = importlib.util.find_spec('heat')
    if spec is None or not spec.submodule_search_locations:
        raise SetupError('the heat package cannot be found')
    return pathlib.Path(list(spec.submodule_search_locations)[0])


def download_sdist(version, into):
    """Download the sdist of ``openstack-heat==version`` with pip.

    :param version: the version, as installed.
    :param into: the directory it goes to (kept: a second run reuses it).
    :returns: the path of the ``.tar.gz``.
    :raises SetupError: when pip fails.
    """
    into.mkdir(parents=True, exist_ok=True)
    name = 'openstack_heat-%s.tar.gz' % version
    if (into / name).is_file():
        return into / name
    command = [sys.executable, '-m', 'pip', 'download', '--quiet',
               '--disable-pip-version-check', '--no-deps',
               '--no-binary', ':all:', '--dest', str(into),
               'openstack-heat==%s' % version]
    done = subprocess.run(command, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True)
    if done.returncode != 0 or not (into / name).is_file():
        last = (done.stdout.strip().splitlines() or ['no output'])[-1]
        raise SetupError('pip could not download the sdist of '
                         'openstack-heat %s: %s' % (version, last))
    return into / name


def extract_etc(sdist, dest):
    """Extract the sdist's ``etc/heat`` (regular files only) into ``dest``.

    :param sdist: the path of the sdist.
    :param dest: the directory that gets ``heat/`` (the tree's ``etc``).
    :raises SetupError: when the sdist has no ``etc/heat``.
    """
    found = 0
    with tarfile.open(sdist) as tar:
        for member in tar:
            parts = pathlib.PurePosixPath(member.name).parts
            if (len(parts) < 4 or parts[1:3] != ('etc', 'heat') or
                    not member.isfile() or '..' in parts):
                continue
            target = dest.joinpath(*parts[2:])
            target.parent.mkdir(parents=True, exist_ok=True)
            with tar.extractfile(member) as src, open(target, 'wb') as out:
                shutil.copyfileobj(src, out)
            found += 1
    if not found:
        raise SetupError('%s has no etc/heat' % sdist.name)


def prepare_tree(work_dir):
    """Lay out ``work_dir/tree``: the installed ``heat`` beside ``etc/heat``.

    :returns: the tree's path, to put first on ``sys.path``.
    :raises SetupError: when the sdist cannot be had.
    """
    version = heat_version()
    tree = work_dir / ('tree-%s' % version)
    etc = tree / 'etc'
    if not (etc / 'heat' / 'environment.d').is_dir():
        shutil.rmtree(etc, ignore_errors=True)
        extract_etc(download_sdist(version, work_dir / 'sdist'), etc)
    link = tree / 'heat'
    if not link.is_symlink():
        link.symlink_to(installed_heat(), target_is_directory=True)
    return tree


# -- one pass, in its own process --------------------------------------------

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
    package = importlib.import_module(suite)
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
    :param tree: the tree from :func:`prepare_tree`.
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


# -- both passes, compared ---------------------------------------------------

Row = collections.namedtuple('Row', 'suite tests baseline retrying newly')


def compare(suites, outcomes):
    """Compare the two passes.

    :param suites: the suites run, in order.
    :param outcomes: {pass: :attr:`Outcomes.outcomes`}.
    :returns: (rows, newly failing ids, excluded ids that now pass).
    """
    base, retry = outcomes[BASELINE], outcomes[RETRYING]
    ids = sorted(set(base) | set(retry))
    rows, newly, stale = [], [], []
    for suite in suites:
        mine = [i for i in ids if _suite_of(i, suites) == suite]
        passed = [i for i in mine if _passed(base, i)]
        with_backend = [i for i in passed if _passed(retry, i)]
        lost = [i for i in passed if not _passed(retry, i)]
        newly.extend(i for i in lost if i not in EXCLUDED)
        stale.extend(i for i in with_backend if i in EXCLUDED)
        rows.append(Row(suite, len(mine), len(passed), len(with_backend),
                        len([i for i in lost if i not in EXCLUDED])))
    return rows, newly, stale


def _suite_of(test_id, suites):
    best = ''
    for suite in suites:
        if (test_id == suite or test_id.startswith(suite + '.') or
                test_id.startswith(suite + ':')) and len(suite) > len(best):
            best = suite
    return best


def _passed(outcomes, test_id):
    return (test_id in outcomes and
            outcomes[test_id]['outcome'] in PASSING)


def print_table(rows):
    """Print the rows and their total."""
    header = ('suite', 'tests', 'passed baseline',
              'passed RetryingClients', 'newly failing')
    total = Row('total', *(sum(getattr(r, f) for r in rows)
                           for f in Row._fields[1:]))
    width = max(len(r.suite) for r in rows + [total])
    line = '%-*s  %6s  %15s  %22s  %13s'
    print(line % ((width,) + header))
    for row in rows + [total]:
        print(line % ((width,) + tuple(row)))
    return total


def _built_in(outcomes, name):
    return sum(1 for record in outcomes.values()
               if name in record['backends'])


def report(suites, outcomes, seconds, work_dir):
    """Print the comparison; return the exit status (0, 1 or 2)."""
    rows, newly, stale = compare(suites, outcomes)
    print()
    total = print_table(rows)
    print()
    retry = outcomes[RETRYING]
    print('RetryingClients built in %d of the %d tests of the second pass; '
          'OpenStackClients in %d of the baseline' % (
              _built_in(retry, 'RetryingClients'), len(retry),
              _built_in(outcomes[BASELINE], 'OpenStackClients')))
    print('not passing on the baseline (skipped or failing, not compared): '
          '%d; excluded: %d' % (total.tests - total.baseline, len(EXCLUDED)))
    print('wall time of both passes: %.0f s' % seconds)
    for test_id in stale:
        print('NOTE: excluded but passing with RetryingClients: %s' %
              test_id)
    for test_id in newly:
        record = retry.get(test_id, {'outcome': 'missing', 'detail': ''})
        print('\nNEWLY FAILING (%s): %s\n%s' % (
            record['outcome'], test_id, record['detail']))
    if newly:
        print('\nlogs and results: %s' % work_dir)
    stock = [i for i, record in sorted(retry.items())
             if 'OpenStackClients' in record['backends']]
    if stock or not _built_in(retry, 'RetryingClients'):
        print('heat-unit: cloud_backend was not in force in the second '
              'pass: Heat built OpenStackClients in %d tests (%s)' % (
                  len(stock), stock[0] if stock else 'and no other'))
        return 2
    print('heat-unit: %d passed, %d failed' % (total.retrying, len(newly)))
    return 1 if newly else 0


Worker = collections.namedtuple('Worker', 'which process log results')


def run_both(tree, work_dir, suites, serial, timeout):
    """Run the two passes in processes of their own; return the outcomes.

    :returns: {pass: :attr:`Outcomes.outcomes`}.
    :raises SetupError: when a pass did not finish.
    """
    workers, outcomes = [], {}
    try:
        for which in PASSES:
            workers.append(_start(which, tree, work_dir, suites, timeout))
            if serial:
                outcomes[which] = _wait(workers[-1])
        for worker in workers:
            if worker.which not in outcomes:
                outcomes[worker.which] = _wait(worker)
    finally:
        for worker in workers:
            if worker.process.poll() is None:
                worker.process.kill()
                worker.process.wait()
            worker.log.close()
    return outcomes


def _start(which, tree, work_dir, suites, timeout):
    results = work_dir / ('%s.json' % which)
    if results.exists():
        results.unlink()
    log = open(work_dir / ('%s.log' % which), 'w')
    command = [sys.executable, os.path.abspath(__file__),
               '--worker', which, '--results', str(results),
               '--tree', str(tree), '--timeout', str(timeout), *suites]
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    return Worker(which, process, log, results)


def _wait(worker):
    status = worker.process.wait()
    if status != 0 or not worker.results.is_file():
        raise SetupError('the %s pass exited with %d; see %s' %
                         (worker.which, status, worker.log.name))
    with open(worker.results) as f:
        outcomes = json.load(f)
    print('%s pass: %d tests run' % (worker.which, len(outcomes)),
          flush=True)
    return outcomes


def main(argv=None):
    """The command line; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('suites', nargs='*', default=list(DEFAULT_SUITES),
                        help='dotted names of Heat test packages or modules')
    parser.add_argument('--work-dir', type=pathlib.Path,
                        help='where the sdist, logs and results go (kept)')
    parser.add_argument('--serial', action='store_true',
                        help='run the passes one after the other')
    parser.add_argument('--timeout', type=int, default=DEFAULT_TIMEOUT,
                        help='seconds one test may take')
    parser.add_argument('--worker', choices=PASSES, help=argparse.SUPPRESS)
    parser.add_argument('--results', type=pathlib.Path,
                        help=argparse.SUPPRESS)
    parser.add_argument('--tree', type=pathlib.Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    try:
        if args.worker:
            outcomes = run_pass(args.worker, args.tree, args.suites,
                                args.timeout)
            args.results.write_text(json.dumps(outcomes))
            return 0
        return _run(args)
    except SetupError as exc:
        print('heat-unit: %s' % exc, file=sys.stderr)
        return 2


def _run(args):
    keep = args.work_dir is not None
    work_dir = (args.work_dir.resolve() if keep else
                pathlib.Path(tempfile.mkdtemp(prefix='heat-unit-')))
    work_dir.mkdir(parents=True, exist_ok=True)
    tree = prepare_tree(work_dir)
    started = time.monotonic()
    outcomes = run_both(tree, work_dir, args.suites, args.serial,
                        args.timeout)
    status = report(args.suites, outcomes, time.monotonic() - started,
                    work_dir)
    if not keep and status == 0:
        shutil.rmtree(work_dir, ignore_errors=True)
    return status


if __name__ == '__main__':
    sys.exit(main())

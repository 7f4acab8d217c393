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

Each pass is ``tools/heat_unit_pass.py``. Heat's test base
(``heat/tests/common.py``) reads ``etc/heat`` beside the
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
import importlib.metadata
import importlib.util
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time

# NOTE: beside this script; it imports nothing of Heat's until a pass runs.
import heat_unit_pass

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
BASELINE = heat_unit_pass.BASELINE
RETRYING = heat_unit_pass.RETRYING
SetupError = heat_unit_pass.SetupError
_PASS_SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                            'heat_unit_pass.py')


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


# -- both passes, compared ---------------------------------------------------

Row = collections.namedtuple('Row', 'suite tests baseline retrying newly')


def compare(suites, outcomes):
    """Compare the two passes.

    :param suites: the suites run, in order.
    :param outcomes: {pass: its ``heat_unit_pass.Outcomes.outcomes``}.
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
    if stock:
        print('heat-unit: cloud_backend was not in force in the second '
              'pass: Heat built OpenStackClients in %d tests, first %s' % (
                  len(stock), stock[0]))
        return 2
    if not _built_in(retry, 'RetryingClients'):
        print('heat-unit: no test of the second pass built RetryingClients')
        return 2
    print('heat-unit: %d passed, %d failed' % (total.retrying, len(newly)))
    return 1 if newly else 0


Worker = collections.namedtuple('Worker', 'which process log results')


def run_both(tree, work_dir, suites, serial, timeout):
    """Run the two passes in processes of their own; return the outcomes.

    :returns: {pass: its ``heat_unit_pass.Outcomes.outcomes``}.
    :raises SetupError: when a pass did not finish.
    """
    workers, outcomes = [], {}
    try:
        for which in heat_unit_pass.PASSES:
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
    command = [sys.executable, _PASS_SCRIPT, which, '--tree', str(tree),
               '--results', str(results), '--timeout', str(timeout),
               *suites]
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    return Worker(which, process, log, results)


def _wait(worker):
    status = worker.process.wait()
    if status != 0 or not worker.results.is_file():
        worker.log.flush()
        with open(worker.log.name) as f:
            last = ([line for line in f.read().splitlines() if line.strip()]
                    or ['no output'])[-1]
        raise SetupError('the %s pass exited with %d: %s (log: %s)' %
                         (worker.which, status, last.strip(),
                          worker.log.name))
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
    parser.add_argument('--timeout', type=int,
                        default=heat_unit_pass.DEFAULT_TIMEOUT,
                        help='seconds one test may take')
    args = parser.parse_args(argv)
    try:
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

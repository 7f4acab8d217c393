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

"""Whole stacks under Nova faults: stock Heat, keystoneauth retries, plugins.

The real Heat engine, in-process, creates and deletes stacks of SIZES
resources (OS::Nova::KeyPair, or OS::Nova::Server with ``--kind servers``;
with ``--kind large``, SIZES servers each on its own port with a volume
attached, on a network behind a router, with a security group and a Swift
container: the demo's large template, faults then on every service)
against the embedded fake cloud while RATES of Nova's answers fail (the
demo's mix: 503s, 500s and ambiguous POSTs, dropped or answered 500 after
the work was done). Every size, rate and seed runs each configuration on
the same seed, each on a fresh cloud and a fresh Heat database. On Heat's
convergence engine (its default, what operators run):

* stock Heat (Heat's defaults: ``client_retry_limit = 2``);
* stock Heat with keystoneauth's retries turned up
  (``client_retry_limit = 5``, which Heat passes to keystoneauth as
  ``connect_retries``; Heat offers no way to set ``status_code_retries``,
  see :func:`status_code_retries_check`);
* Heat with the retry plugins (the demo's ``RETRYING`` overrides);

and, for comparison, the plugins on the deprecated legacy engine
(``legacy-plugins``; ``legacy-stock`` and ``plugins-no-budget`` run only
when asked for).

Prints, per configuration, size and fault rate: the share of the seeds
whose stack was created and deleted; the wall time of create plus delete,
and its ratio to the fault-free run of the same configuration and size;
the HTTP requests per resource (every service, create and delete), and
their ratio to 1/(1-p) times the fault-free count, p the fault rate (the
requests a retry per failed request costs if every request failed with
odds p; the mix fails a GET with odds of about 1.2p and a POST of about
2.2p, so about 1.1 is the floor of a layer that retries what failed and
nothing else); the duplicates left after create; the objects left in the
cloud after delete (``leaked``; when the delete failed, the failed stack
still owns them) and, of those, the orphans: objects left although the
delete completed, which Heat no longer knows of. Then, for the fault-free
runs, the create's requests per resource by route. Writes the raw numbers
as JSON. Runs are sequential, each bounded by the stack timeout.

Heat's one-second stagger between independent resources is off unless
``--stagger``: with it, every create and every delete of N independent
resources takes at least N seconds whatever the configuration, and fast
resources (keypairs) then run one at a time, as in production; without
it, up to 64 run at once.

Heat 27's convergence engine starts a thread for every event it
dispatches and never forgets one, so a stack of more than about 240
resources never ended; heatrun fixes that for its runs
(:mod:`heat_retry_plugins.heatrun.heat_fixes`), and 500 are fine.

    python benchmarks/stacks.py [--sizes 100,200] [--rates 0,1,5,20]
                                [--seeds 3] [--kind keypairs] [--quick]
                                [--stagger] [--configurations
                                 stock,keystoneauth,plugins,legacy-plugins]
"""

import argparse
import collections
import json
import logging
import os
import platform
import re
import statistics
import sys
import tempfile
import time

from heat_retry_plugins import heatrun  # noqa: F401  (threading backend)

from oslo_config import cfg  # noqa: I100

from heat_retry_plugins.cmd import demo
from heat_retry_plugins.fakecloud import keys
from heat_retry_plugins.fakecloud import server
from heat_retry_plugins.heatrun import engine
from heat_retry_plugins.heatrun import templates
from heat_retry_plugins import session

import results_file  # noqa: I100 (a sibling script)

Configuration = collections.namedtuple('Configuration',
                                       'label engine overrides')
CONVERGENCE = engine.CONVERGENCE
LEGACY = engine.LEGACY
NO_BUDGET = {**demo.RETRYING, ('clients', 'retry_budget_capacity'): 0.0}

#: key -> Configuration; convergence first.
CONFIGURATIONS = collections.OrderedDict([
    ('stock', Configuration('stock Heat', CONVERGENCE, None)),
    ('keystoneauth', Configuration(
        'keystoneauth retries', CONVERGENCE,
        {('DEFAULT', 'client_retry_limit'): 5})),
    ('plugins', Configuration('retry plugins', CONVERGENCE, demo.RETRYING)),
    # NOTE: the plugins as installed: cloud_backend and nothing else, every
    # retry option at its default.
    ('defaults', Configuration('plugins, default options', CONVERGENCE, {
        ('DEFAULT', 'cloud_backend'):
            'heat_retry_plugins.clients.RetryingClients'})),
    # NOTE: not run by default: the plugins without their retry budget, to
    # tell the budget's load shedding from retries running out.
    ('plugins-no-budget', Configuration('plugins, budget off', CONVERGENCE,
                                        NO_BUDGET)),
    ('legacy-stock', Configuration('legacy: stock Heat', LEGACY, None)),
    ('legacy-plugins', Configuration('legacy: retry plugins', LEGACY,
                                     demo.RETRYING)),
])
DEFAULT_CONFIGURATIONS = ('stock', 'keystoneauth', 'plugins',
                          'legacy-plugins')
#: --kind -> (the fake cloud's object kind, default sizes). A size of
#: ``large`` is its member count: N servers, each with its port, volume
#: and attachment, on a shared network (4N + 6 resources).
KINDS = {'keypairs': ('keypair', (100, 200)),
         'servers': ('server', (20, 50)),
         'large': ('server', (10, 50))}
#: --kind -> the service its faults are on: the large stack calls six
#: services, and the demo's mix applies to every one of them.
FAULT_SERVICES = {'large': '*'}
RATES = (0.0, 0.01, 0.05, 0.2)
QUICK = {'sizes': (20,), 'rates': (0.0, 0.05), 'seeds': 1}
QUIET_LOGGERS = ('heat_retry_plugins', 'keystoneauth')


def int_list(text):
    return tuple(int(item) for item in text.split(',') if item.strip())


def name_list(text):
    names = tuple(item.strip() for item in text.split(',') if item.strip())
    unknown = [name for name in names if name not in CONFIGURATIONS]
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            'unknown configuration %s; choose from %s' % (
                ', '.join(unknown) or "''", ', '.join(CONFIGURATIONS)))
    return names


def rate_list(text):
    """Fault rates given in percent: ``'0,1,5,20'``."""
    return tuple(float(item) / 100 for item in text.split(',')
                 if item.strip())


def build_template(kind, size, public_key):
    if kind == 'large':
        return templates.shipped('large', size)
    if kind == 'servers':
        return templates.servers(size)
    return templates.keypairs(size, public_key)


def quiet():
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.ERROR)


def status_code_retries_check():
    """Can heat.conf set keystoneauth's ``status_code_retries``?

    Looks for the string in Heat's own source (tests left out) and for an
    option of that name in any group the engine registered.

    :returns: ``(files, groups)``: Heat source files that mention it and
        option groups that hold it.
    """
    import heat
    root = os.path.dirname(heat.__file__)
    files = []
    for directory, dirs, names in os.walk(root):
        dirs[:] = [d for d in dirs if d not in ('tests', '__pycache__')]
        for name in names:
            if name.endswith('.py'):
                path = os.path.join(directory, name)
                with open(path, encoding='utf-8') as source:
                    if 'status_code_retries' in source.read():
                        files.append(os.path.relpath(path, root))
    groups = [name for name in cfg.CONF
              if isinstance(getattr(cfg.CONF, name, None),
                            cfg.ConfigOpts.GroupAttr)
              and 'status_code_retries' in getattr(cfg.CONF, name)]
    if 'status_code_retries' in cfg.CONF:
        groups.append('DEFAULT')
    return sorted(files), sorted(groups)


def reason_kind(text):
    """Reduce Heat's status reason to what failed: class and HTTP status."""
    if not text:
        return '-'
    if 'Timed out' in text:
        return 'timed out'
    prefix = 'validation: ' if text.startswith('Validation failed') else ''
    if 'Property error' in text:
        # NOTE: a name Heat looked up (flavor, image...) failed to resolve.
        prop = re.search(r'[Pp]roperties\.(\w+)', text)
        name = '%s lookup' % (prop.group(1) if prop else 'property')
    else:
        match = re.search(r'(\w+): resources\.', text)
        name = match.group(1) if match else None
    code = re.search(r'HTTP (\d{3})', text)
    if name is None:
        return prefix + re.sub(r'req-[0-9a-f-]+', 'req-...', text)[:50]
    return prefix + name + (' %s' % code.group(1) if code else '')


def run_one(state_dir, template, kind, size, rate, seed, key, timeout,
            stagger):
    """Create and delete one stack on a fresh cloud; return its numbers."""
    config = CONFIGURATIONS[key]
    object_kind = KINDS[kind][0]
    row = {'configuration': key, 'engine': config.engine, 'size': size,
           'rate': rate, 'seed': seed, 'stagger': stagger}
    with server.FakeCloud(seed=seed) as cloud:
        engine.prepare(state_dir, cloud, log_level=logging.ERROR,
                       engine=config.engine, stagger=stagger)
        quiet()
        try:
            session.reset_process_state()
            cloud.set_faults(demo.fault_mix(
                rate, FAULT_SERVICES.get(kind, 'compute')), seed=seed)
            cloud.reset_counters()
            started = time.monotonic()
            try:
                result = engine.run_stack(
                    cloud, template, name='bench',
                    config_overrides=config.overrides, seed=seed,
                    timeout=timeout)
            except Exception as exc:
                # NOTE: Heat reports failures in the stack's status; an
                # exception here (a stack that never ended) is a failed
                # run too, not a reason to stop.
                row.update(create_status='ERROR', delete_status=None,
                           create_reason='%s: %s' % (type(exc).__name__, exc),
                           delete_reason='', wall_seconds=(
                               time.monotonic() - started))
                counters = cloud.counters()
                row.update(_counters(counters, counters, object_kind,
                                     len(template['resources'])))
                return row
            wall = time.monotonic() - started
        finally:
            # NOTE: the run's background sweeps end with the engine.
            engine.reset()
    row.update({
        'create_status': result.create_status,
        'delete_status': result.delete_status,
        'create_reason': result.create_reason,
        'delete_reason': result.delete_reason,
        'validation_failed': result.validation_failed,
        'create_seconds': result.create_seconds,
        'delete_seconds': result.delete_seconds,
        'wall_seconds': wall,
        'resources_complete': result.resources_complete,
    })
    row.update(_counters(result.create_counters or result.counters,
                         result.counters, object_kind,
                         len(template['resources'])))
    return row


def _counters(create, end, object_kind, resources):
    # NOTE: the resources of the template: the size, but for --kind large
    # (4 a member and 6 shared).
    return {
        'resources_total': resources,
        'requests_total': end.get('requests_total', 0),
        'create_requests': create.get('requests_total', 0),
        'create_routes': {route: sum(outcomes.values()) for route, outcomes
                          in create.get('requests', {}).items()},
        'faults_total': end.get('faults_total', 0),
        'faults': end.get('faults', {}),
        'created': create.get('created', {}).get(object_kind, 0),
        'duplicates': create.get('duplicates_total', 0),
        'duplicates_after_delete': end.get('duplicates_total', 0),
        'leaked': sum(end.get('live', {}).values()),
    }


def succeeded(row):
    return (row['create_status'] == 'CREATE_COMPLETE' and
            row['delete_status'] == 'DELETE_COMPLETE')


def summarise(rows, labels=None):
    """One summary per configuration, size and rate.

    ``labels`` maps a configuration to its label (those of a results
    file); CONFIGURATIONS' by default.
    """
    labels = labels or {key: config.label
                        for key, config in CONFIGURATIONS.items()}
    groups = collections.OrderedDict()
    for row in rows:
        groups.setdefault((row['configuration'], row['size'], row['rate']),
                          []).append(row)
    summaries = []
    for (key, size, rate), runs in groups.items():
        ok = [run for run in runs if succeeded(run)]
        summaries.append({
            'configuration': key, 'label': labels.get(key, key),
            'engine': runs[0].get('engine', LEGACY),
            'size': size, 'rate': rate, 'runs': len(runs),
            'succeeded': len(ok), 'success_rate': len(ok) / len(runs),
            'resources_done': statistics.mean(
                run.get('resources_complete', 0) / run['resources_total']
                for run in runs),
            'create_seconds': statistics.mean(
                run.get('create_seconds', run['wall_seconds'])
                for run in runs),
            'wall_seconds': statistics.mean(run['wall_seconds']
                                            for run in runs),
            'requests_per_resource': statistics.mean(
                run['requests_total'] / run['resources_total']
                for run in runs),
            'create_routes_per_resource': {
                route: statistics.mean(run.get('create_routes', {}).get(
                    route, 0) / run['resources_total'] for run in runs)
                for route in sorted({route for run in runs for route in
                                     run.get('create_routes', {})})},
            'faults_total': sum(run['faults_total'] for run in runs),
            'faulted_share': statistics.mean(
                run['faults_total'] / run['requests_total']
                if run['requests_total'] else 0.0 for run in runs),
            'duplicates': sum(run['duplicates'] for run in runs),
            'leaked': sum(run['leaked'] for run in runs),
            'orphaned': sum(run['leaked'] for run in runs
                            if run['delete_status'] == 'DELETE_COMPLETE'),
            'failures': dict(collections.Counter(
                _failure(run) for run in runs if not succeeded(run))),
        })
    baselines = {(s['configuration'], s['size']): s
                 for s in summaries if s['rate'] == 0}
    for summary in summaries:
        base = baselines.get((summary['configuration'], summary['size']))
        summary['wall_relative'] = (
            summary['wall_seconds'] / base['wall_seconds']
            if base and base['wall_seconds'] else None)
        # NOTE: a request that fails with odds p takes 1/(1-p) attempts on
        # average when every failure is retried. p is the share of the
        # requests that met a fault, not the nominal rate: the demo's mix
        # at 5% faults a POST with odds of about 0.11 and any other
        # request with 0.06 (its rules fire independently).
        summary['requests_relative'] = (
            summary['requests_per_resource'] * (1 - summary['faulted_share'])
            / base['requests_per_resource']
            if base and base['requests_per_resource'] else None)
    return summaries


def _failure(run):
    if run['create_status'] != 'CREATE_COMPLETE':
        return 'create: %s' % reason_kind(run['create_reason'])
    return 'delete: %s' % reason_kind(run['delete_reason'])


def _ratio(value):
    return '-' if value is None else '%.2f' % value


def format_tables(summaries, kind):
    lines = []
    header = '%-22s %5s %7s %5s %7s %6s %7s %6s %7s %5s %6s %7s' % (
        'configuration', 'fault', 'success', 'done', 'wall s', 'vs 0%',
        'req/res', 'p', 'vs 0%/q', 'dups', 'leaked', 'orphans')
    for size in sorted({s['size'] for s in summaries}):
        runs = max(s['runs'] for s in summaries if s['size'] == size)
        lines.append('')
        lines.append('%d %s, %d seed%s per row' % (
            size, kind, runs, '' if runs == 1 else 's'))
        lines.append(header)
        lines.append('-' * len(header))
        for s in summaries:
            if s['size'] != size:
                continue
            lines.append('%-22s %5s %7s %4.0f%% %7.2f %6s %7.2f %6.3f %7s '
                         '%5d %6d %7d' % (
                             s['label'], '%g%%' % (s['rate'] * 100),
                             '%d/%d' % (s['succeeded'], s['runs']),
                             s['resources_done'] * 100, s['wall_seconds'],
                             _ratio(s['wall_relative']),
                             s['requests_per_resource'],
                             s['faulted_share'],
                             _ratio(s['requests_relative']),
                             s['duplicates'], s['leaked'], s['orphaned']))
    lines.append('')
    lines.append('wall s: create and delete; vs 0%: over the fault-free '
                 'run; p: the share of the requests that met a fault; '
                 'vs 0%/q: requests over the fault-free count / (1-p)')
    lines.extend(format_routes(summaries, kind))
    failures = [s for s in summaries if s['failures']]
    if failures:
        lines.append('')
        lines.append('how the failed runs failed (first failing resource):')
        for s in failures:
            lines.append('  %-22s %4d %s %5s: %s' % (
                s['label'], s['size'], kind, '%g%%' % (s['rate'] * 100),
                ', '.join('%s x%d' % (reason, count) for reason, count in
                          sorted(s['failures'].items()))))
    return '\n'.join(lines)


def format_routes(summaries, kind):
    """The fault-free creates' requests per resource, one row a route."""
    lines = []
    for size in sorted({s['size'] for s in summaries}):
        base = [s for s in summaries if s['size'] == size and s['rate'] == 0]
        if not base:
            continue
        routes = sorted({route for s in base
                         for route in s['create_routes_per_resource']})
        width = max([len(route) for route in routes] + [5])
        columns = [max(len(s['configuration']), 6) for s in base]
        lines.append('')
        lines.append('create requests per resource by route, fault-free, '
                     '%d %s:' % (size, kind))
        lines.append('%-*s  %s' % (width, 'route', '  '.join(
            '%*s' % (column, s['configuration'])
            for column, s in zip(columns, base))))
        for route in routes:
            lines.append('%-*s  %s' % (width, route, '  '.join(
                '%*.2f' % (column, s['create_routes_per_resource'].get(
                    route, 0)) for column, s in zip(columns, base))))
    return lines


def status_code_retries_note(files, groups):
    note = ('keystoneauth status_code_retries: Heat source files that '
            'mention it: %s; option groups of the engine that hold it: %s.'
            % (', '.join(files) or 'none', ', '.join(groups) or 'none'))
    if not files and not groups:
        note += (' heat.conf cannot set it: Heat passes only connect_retries'
                 ' (= client_retry_limit) to keystoneauth, so only that is'
                 ' measured.')
    return note


def print_tables(path):
    with open(path) as source:
        data = json.load(source)
    labels = {key: config['label']
              for key, config in data['configurations'].items()}
    print(format_tables(summarise(data['runs'], labels), data['kind']))
    print('')
    print(data['status_code_retries']['note'])
    print('total wall time: %.0fs' % data['wall_seconds'])
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--sizes', type=int_list, default=None,
                        help='resources per stack, comma-separated '
                             '(default 100,200; 20,50 for servers)')
    parser.add_argument('--rates', type=rate_list, default=None,
                        help='Nova fault rates in percent (default 0,1,5,20)')
    parser.add_argument('--seeds', type=int, default=None,
                        help='seeds per size and rate (default 3)')
    parser.add_argument('--first-seed', type=int, default=1)
    parser.add_argument('--kind', choices=sorted(KINDS), default='keypairs')
    parser.add_argument('--configurations', type=name_list,
                        default=DEFAULT_CONFIGURATIONS,
                        help='comma-separated, of %s (default %s)' % (
                            ', '.join(CONFIGURATIONS),
                            ','.join(DEFAULT_CONFIGURATIONS)))
    parser.add_argument('--stagger', action='store_true',
                        help="keep Heat's 1 s stagger between independent "
                             'resources (production timing; N seconds more '
                             'per create and per delete)')
    parser.add_argument('--quick', action='store_true',
                        help='sizes 20, rates 0 and 5%%, 1 seed')
    parser.add_argument('--timeout', type=float, default=300,
                        help='stack timeout of each create and delete, in '
                             'seconds (Heat rounds it up to minutes)')
    parser.add_argument('--out', default='benchmarks/results/stacks.json')
    parser.add_argument('--tables-from', metavar='FILE',
                        help='run nothing: print the tables of the raw '
                             'numbers an earlier run wrote to FILE')
    args = parser.parse_args(argv)
    if args.tables_from:
        return print_tables(args.tables_from)
    defaults = QUICK if args.quick else {
        'sizes': KINDS[args.kind][1], 'rates': RATES, 'seeds': 3}
    sizes = args.sizes or defaults['sizes']
    rates = args.rates if args.rates is not None else defaults['rates']
    seeds = tuple(range(args.first_seed, args.first_seed + (
        args.seeds if args.seeds is not None else defaults['seeds'])))

    quiet()
    print("Heat's 1 s stagger between independent resources: %s" % (
        'on (--stagger)' if args.stagger else 'off (--stagger keeps it)'),
        file=sys.stderr)
    public_key = keys.generate()[1]
    rows = []
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix='heat-retry-bench-') as state:
        for size in sizes:
            template = build_template(args.kind, size, public_key)
            for rate in rates:
                for seed in seeds:
                    for key in args.configurations:
                        state_dir = os.path.join(state, 'heat-%d' % len(rows))
                        row = run_one(state_dir, template, args.kind, size,
                                      rate, seed, key, args.timeout,
                                      args.stagger)
                        rows.append(row)
                        print('%4d %s %5s seed %d %-22s %s / %s in %.1fs' % (
                            size, args.kind, '%g%%' % (rate * 100), seed,
                            CONFIGURATIONS[key].label, row['create_status'],
                            row['delete_status'], row['wall_seconds']),
                            file=sys.stderr, flush=True)
        files, groups = status_code_retries_check()
    elapsed = time.monotonic() - started

    summaries = summarise(rows)
    print(format_tables(summaries, args.kind))
    scr = status_code_retries_note(files, groups)
    print('')
    print(scr)
    print('total wall time: %.0fs' % elapsed)
    result = {
        'kind': args.kind, 'sizes': list(sizes), 'rates': list(rates),
        'seeds': list(seeds), 'timeout': args.timeout,
        'stagger': args.stagger,
        'configurations': {
            key: {'label': config.label, 'engine': config.engine,
                  'overrides': {'[%s] %s' % k: v
                                for k, v in (config.overrides or {}).items()}}
            for key, config in CONFIGURATIONS.items()
            if key in args.configurations},
        'fault_mix': demo.fault_mix(
            1.0, FAULT_SERVICES.get(args.kind, 'compute')),
        'status_code_retries': {'heat_files': files, 'groups': groups,
                                'note': scr},
        'python': sys.version, 'machine': platform.machine(),
        'cpus': os.cpu_count(), 'wall_seconds': elapsed,
        'summary': summaries, 'runs': rows,
    }
    results_file.write_results(args.out, result)
    return 0


if __name__ == '__main__':
    sys.exit(main())

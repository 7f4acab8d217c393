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

"""``heat-retry-plugins demo``: stock Heat against Heat with the plugins.

Starts the embedded fake cloud on 127.0.0.1 with a seeded fault mix on
Nova, runs the real Heat engine in-process (the convergence engine unless
``--engine legacy``) to create and delete one stack twice on the same seed
(stock Heat, then Heat with ``cloud_backend =
heat_retry_plugins.clients.RetryingClients``), with a progress display,
and prints both outcomes side by side.

Heat's one-second stagger between the independent resources of a
convergence traversal is on when it would add at most
:data:`AUTO_STAGGER_SECONDS` to the demo, off otherwise, unless
``--stagger`` or ``--no-stagger`` says; the demo prints which.
"""

import logging
import os
import sys
import tempfile
import time

from heat_retry_plugins.fakecloud import keys
from heat_retry_plugins.fakecloud import server
from heat_retry_plugins.heatrun import engine
from heat_retry_plugins.heatrun import templates
from heat_retry_plugins import session

RETRYING = {
    ('DEFAULT', 'cloud_backend'): 'heat_retry_plugins.clients.RetryingClients',
    # NOTE: short delays, to keep the demo short: on the legacy engine,
    # which steps every resource in one thread, backoff adds straight to
    # the stack's wall time; on convergence, to that of its resource.
    ('clients', 'retry_initial_delay'): 0.05,
    ('clients', 'retry_max_delay'): 1.0,
}
#: With neither --stagger nor --no-stagger, Heat's stagger is on when it
#: adds at most this many seconds to the demo (one per resource, per
#: create and per delete, per run: ``4 * resources``), off otherwise.
AUTO_STAGGER_SECONDS = 20
KINDS = {'keypairs': 'keypair', 'servers': 'server', 'keystone': 'project'}
SERVICES = {'keypairs': 'compute', 'servers': 'compute',
            'keystone': 'identity'}


def fault_mix(rate, service='compute'):
    """The demo's faults on one service (Nova by default).

    ``rate`` of 503s, a fifth of it of 500s, and as many ambiguous POSTs
    (half dropped, half a 500 after the work was done).
    """
    return [
        {'service': service, 'method': 'POST', 'rate': rate / 2,
         'fault': {'kind': 'drop_after'}},
        {'service': service, 'method': 'POST', 'rate': rate / 2,
         'fault': {'kind': 'ambiguous_500'}},
        {'service': service, 'rate': rate, 'fault': {'status': 503}},
        {'service': service, 'rate': rate / 5, 'fault': {'status': 500}},
    ]


class RetryCounter(logging.Handler):
    """Counts the retries either layer logs: ours and keystoneauth's."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.count = 0

    def emit(self, record):
        message = record.getMessage()
        if message.startswith('Retrying ') or 'retries left' in message:
            self.count += 1


class Progress:
    """One status line, redrawn in place on a terminal."""

    def __init__(self, label, out, enabled):
        self.label = label
        self.out = out
        self.enabled = enabled
        self.tty = out.isatty()
        self.last = -1

    def __call__(self, event, done, total):
        if not self.enabled:
            return
        # NOTE: the event is '<resource> <ACTION>_<STATUS>'.
        action = ('deleting' if event.rsplit(' ', 1)[-1].startswith('DELETE')
                  else 'creating')
        line = '%-22s %s %3d/%d resources' % (
            self.label, action, done, total)
        if self.tty:
            self.out.write('\r' + line)
            self.out.flush()
        elif done * 10 // max(total, 1) != self.last:
            self.last = done * 10 // max(total, 1)
            self.out.write(line + '\n')

    def finish(self, summary):
        if self.enabled:
            self.out.write(('\r' if self.tty else '') + '%-22s %s\n' % (
                self.label, summary))
            self.out.flush()


def run_once(cloud, template, kind, overrides, label, seed, faults, out,
             progress_enabled):
    """Create and delete the stack once; return the table's column."""
    session.reset_process_state()
    cloud.set_faults(faults, seed=seed)
    cloud.reset_counters()
    counter = RetryCounter()
    logging.getLogger().addHandler(counter)
    progress = Progress(label, out, progress_enabled)
    started = time.monotonic()
    try:
        result = engine.run_stack(cloud, template, name='demo',
                                  config_overrides=overrides, seed=seed,
                                  progress=progress)
    finally:
        logging.getLogger().removeHandler(counter)
    wall = time.monotonic() - started
    counters = result.counters
    created = result.create_counters.get('created', {}).get(kind, 0)
    progress.finish('%s / %s' % (result.create_status or '-',
                                 result.delete_status or '-'))
    return {
        'stack create': result.create_status or '-',
        'stack delete': result.delete_status or '-',
        'resources created': '%d/%d' % (
            result.resources_complete, result.resources_total),
        'HTTP requests': str(counters['requests_total']),
        'faults injected': str(counters['faults_total']),
        'retries': str(counter.count),
        '%ss made' % kind: str(created),
        'duplicates': str(result.create_counters.get('duplicates_total', 0)),
        'leaked after delete': str(sum(counters['live'].values())),
        'wall time': '%.1fs' % wall,
        'reason': _short(result.create_reason),
    }


def _short(text, width=60):
    text = ' '.join((text or '-').split())
    return text if len(text) <= width else text[:width - 3] + '...'


def format_table(columns):
    """Format ``{label: {row: value}}`` as a table with one column a run."""
    labels = list(columns)
    rows = list(next(iter(columns.values())))
    first = max(len(r) for r in rows)
    widths = [max(len(label), *(len(columns[label][r]) for r in rows))
              for label in labels]
    lines = ['%-*s  %s' % (first, '', '  '.join(
        label.ljust(w) for label, w in zip(labels, widths)))]
    lines.append('-' * len(lines[0]))
    for row in rows:
        lines.append('%-*s  %s' % (first, row, '  '.join(
            columns[label][row].ljust(w)
            for label, w in zip(labels, widths))))
    return '\n'.join(line.rstrip() for line in lines)


def build_template(kind, resources):
    if kind == 'keypairs':
        return templates.keypairs(resources, keys.generate()[1])
    if kind == 'servers':
        return templates.servers(resources)
    return templates.keystone(max(1, resources // 2))


def choose_stagger(args):
    """Decide on Heat's stagger; returns ``(on, the line that says so)``."""
    engine_name = args.engine
    if engine_name == engine.LEGACY:
        return False, ("Heat's 1 s stagger between independent resources: "
                       "none on the legacy engine")
    cost = 4 * args.resources
    chosen = args.stagger
    if chosen is None:
        on = cost <= AUTO_STAGGER_SECONDS
        why = ('it adds up to %d s' % cost if on else
               'it would add up to %d s; --stagger turns it on' % cost)
    else:
        on = chosen
        why = '--stagger' if on else '--no-stagger'
    return on, ("Heat's 1 s stagger between independent resources: %s (%s)"
                % ('on' if on else 'off', why))


def main(args, out=None):
    """Run the demo; returns 0 when the plugins' run succeeded."""
    out = out or sys.stdout
    progress_out = sys.stderr
    kind = KINDS[args.kind]
    engine_name = args.engine
    stagger, stagger_line = choose_stagger(args)
    template = build_template(args.kind, args.resources)
    print('heat-retry-plugins demo: %d %s, %s fault rate %.0f%% (seed %d), '
          '%s engine' % (args.resources, args.kind, SERVICES[args.kind],
                         args.fault_rate * 100, args.seed, engine_name),
          file=out)
    print(stagger_line, file=out)
    columns = {}
    with tempfile.TemporaryDirectory(prefix='heat-retry-demo-') as state:
        for label, overrides in (('stock Heat', None),
                                 ('Heat + retry plugins', RETRYING)):
            # NOTE: a cloud of its own for each run, on the same seed: the
            # same faults from the first request on, and nothing the other
            # run left behind.
            with server.FakeCloud(seed=args.seed) as cloud:
                engine.prepare(os.path.join(state, label.split()[-1]),
                               cloud, log_level=logging.CRITICAL,
                               engine=engine_name, stagger=stagger)
                try:
                    columns[label] = run_once(
                        cloud, template, kind, overrides, label, args.seed,
                        fault_mix(args.fault_rate, SERVICES[args.kind]),
                        progress_out, not args.quiet)
                finally:
                    engine.reset()
    print(format_table(columns), file=out)
    plugins = columns['Heat + retry plugins']
    ok = (plugins['stack create'] == 'CREATE_COMPLETE' and
          plugins['duplicates'] == '0' and
          plugins['leaked after delete'] == '0')
    return 0 if ok else 1

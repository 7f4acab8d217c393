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

Runs one HOT template, a shipped one (``--kind``, see
:data:`heat_retry_plugins.heatrun.templates.SHIPPED`) or any file
(``--template``), twice on the same seed against the embedded fake cloud
on 127.0.0.1: with stock Heat, then with ``cloud_backend =
heat_retry_plugins.clients.RetryingClients``. The real Heat engine runs
in-process (the convergence engine unless ``--engine legacy``) and
creates, then (unless ``--no-delete``) deletes the stack, under the
demo's fault mix on every service (:func:`fault_mix`) or a fault spec
file (``--faults``). Prints both outcomes side by side, or one JSON
object (``--json``).

Heat's one-second stagger between the independent resources of a
convergence traversal is on when it would add at most
:data:`AUTO_STAGGER_SECONDS` to the demo, off otherwise, unless
``--stagger`` or ``--no-stagger`` says; the demo prints which.
"""

import dataclasses
import json
import logging
import os
import sys
import tempfile
import time
from typing import Any
from typing import Dict
from typing import List
from typing import Optional

from heat_retry_plugins.fakecloud import faults as faults_mod
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
#: The two runs: (key in the JSON output, column label, overrides).
CONFIGURATIONS = (('stock', 'stock Heat', None),
                  ('plugins', 'Heat + retry plugins', RETRYING))
#: With neither --stagger nor --no-stagger, Heat's stagger is on when it
#: adds at most this many seconds to the demo (one per resource, per
#: action, per run: ``4 * resources`` with the delete).
AUTO_STAGGER_SECONDS = 20


def fault_mix(rate, service='compute'):
    """The demo's fault mix on one service (``'*'``: every service).

    ``rate`` of 503s, a fifth of it of 500s, and as many ambiguous POSTs
    (half dropped, half a 500, both after the work was done). No
    ``slow_create``: a create that lands after its error is reconciled
    only when it has landed, so its duplicate is swept later (at the
    latest by the stack delete); it belongs to specs that are about it.

    :param rate: the share of the requests that get a 503, 0 to 1.
    :param service: the service the rules match (the demo passes
        ``'*'``; the stack benchmark keeps Nova's default).
    :returns: the fault spec, a list of rules.
    """
    return [
        {'service': service, 'method': 'POST', 'rate': rate / 2,
         'fault': {'kind': 'drop_after'}},
        {'service': service, 'method': 'POST', 'rate': rate / 2,
         'fault': {'kind': 'ambiguous_500'}},
        {'service': service, 'rate': rate, 'fault': {'status': 503}},
        {'service': service, 'rate': rate / 5, 'fault': {'status': 500}},
    ]


class DemoInputError(ValueError):
    """An argument that the demo cannot run with; one line."""


@dataclasses.dataclass
class Plan:
    """What the demo runs, from its arguments (see :func:`plan`)."""

    template_path: str
    template: Dict[str, Any]
    kind: Optional[str]
    members: Optional[int]
    parameters: Dict[str, str]
    faults: List[dict]
    fault_rate: Optional[float]
    fault_spec: Optional[str]
    seed: int
    engine: str
    stagger: bool
    stagger_line: str
    delete: bool

    @property
    def resources(self) -> int:
        """The resources of the template, members expanded."""
        return len(self.template.get('resources') or {})


def _parameters(pairs):
    values = {}
    for key, value in pairs or ():
        if key in values:
            raise DemoInputError('--parameter %s is given twice' % key)
        values[key] = value
    return values


def _given(args, option):
    return getattr(args, option + '_given', False)


def _template(args, parameters):
    """Load the template; returns ``(path, template, members)``."""
    path = (args.template if args.template is not None else
            templates.shipped_path(args.kind))
    parsed = templates.read(path)
    members = None
    if templates.members(parsed):
        members = args.resources
    elif _given(args, 'resources'):
        raise DemoInputError(
            '--resources: the template %s has no member resources (no '
            'resource name holds %s)' % (path, templates.INDEX))
    return path, templates.instantiate(parsed, members, parameters,
                                       'the template %s' % path), members


def _faults(args):
    """Return ``(rules, seed, fault_rate, spec path)``."""
    if args.faults is None:
        seed = faults_mod.validate_seed(args.seed)
        return fault_mix(args.fault_rate, '*'), seed, args.fault_rate, None
    loaded = faults_mod.read_spec(args.faults)
    seed = faults_mod.validate_seed(
        args.seed if _given(args, 'seed') or loaded.seed is None
        else loaded.seed)
    # NOTE: validated whole now, so that a bad rule is one error line
    # before any cloud starts.
    try:
        faults_mod.parse_spec(loaded.rules, seed)
    except ValueError as exc:
        raise DemoInputError('the fault spec %s: %s'
                             % (args.faults, exc)) from None
    return loaded.rules, seed, None, args.faults


def plan(args) -> Plan:
    """Turn the demo's arguments into what it runs.

    :param args: the parsed ``demo`` arguments.
    :returns: the :class:`Plan`.
    :raises ValueError: (a :class:`DemoInputError`, a
        :class:`~heat_retry_plugins.heatrun.templates.TemplateError` or
        the fault spec's ``ValueError``) with a one-line message, for a
        template, parameter or fault spec that cannot be run.
    """
    parameters = _parameters(args.parameter)
    path, template, members = _template(args, parameters)
    rules, seed, rate, spec = _faults(args)
    resources = len(template.get('resources') or {})
    stagger, stagger_line = choose_stagger(
        args.engine, args.stagger, resources * (4 if args.delete else 2))
    return Plan(template_path=path, template=template,
                kind=None if args.template is not None else args.kind,
                members=members, parameters=parameters, faults=rules,
                fault_rate=rate, fault_spec=spec, seed=seed,
                engine=args.engine, stagger=stagger,
                stagger_line=stagger_line, delete=args.delete)


def choose_stagger(engine_name, chosen, cost):
    """Decide on Heat's stagger.

    :param engine_name: ``'convergence'`` or ``'legacy'``.
    :param chosen: True or False from ``--stagger``/``--no-stagger``, or
        None.
    :param cost: the seconds the stagger would add at most.
    :returns: ``(on, the line that says so)``.
    """
    if engine_name == engine.LEGACY:
        return False, ("Heat's 1 s stagger between independent resources: "
                       "none on the legacy engine")
    if chosen is None:
        on = cost <= AUTO_STAGGER_SECONDS
        why = ('it adds up to %d s' % cost if on else
               'it would add up to %d s; --stagger turns it on' % cost)
    else:
        on = chosen
        why = '--stagger' if on else '--no-stagger'
    return on, ("Heat's 1 s stagger between independent resources: %s (%s)"
                % ('on' if on else 'off', why))


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


def run_once(cloud, the_plan, overrides, label, progress_out,
             progress_enabled):
    """Create (and delete) the stack once; return the run's numbers."""
    session.reset_process_state()
    cloud.set_faults(the_plan.faults, seed=the_plan.seed)
    cloud.reset_counters()
    counter = RetryCounter()
    logging.getLogger().addHandler(counter)
    progress = Progress(label, progress_out, progress_enabled)
    started = time.monotonic()
    try:
        result = engine.run_stack(cloud, the_plan.template, name='demo',
                                  delete=the_plan.delete,
                                  config_overrides=overrides,
                                  seed=the_plan.seed, progress=progress)
    finally:
        logging.getLogger().removeHandler(counter)
    wall = time.monotonic() - started
    counters = result.counters
    progress.finish('%s / %s' % (result.create_status or '-',
                                 result.delete_status or '-'))
    live = {kind: n for kind, n in counters['live'].items() if n}
    return {
        'create_status': result.create_status,
        'create_reason': result.create_reason,
        'delete_status': result.delete_status,
        'delete_reason': result.delete_reason,
        'resources_total': result.resources_total,
        'resources_complete': result.resources_complete,
        'requests': counters['requests_total'],
        'faults': counters['faults_total'],
        'faults_by_kind': counters['faults'],
        'retries': counter.count,
        'created': sum(result.create_counters.get('created', {}).values()),
        'duplicates': result.create_counters.get('duplicates_total', 0),
        'leaked': sum(live.values()),
        'leaked_by_kind': live,
        'wall_seconds': round(wall, 2),
    }


def succeeded(run, delete):
    """Tell whether a run created the stack cleanly (and deleted it all)."""
    return (run['create_status'] == 'CREATE_COMPLETE' and
            run['duplicates'] == 0 and
            (not delete or (run['delete_status'] == 'DELETE_COMPLETE' and
                            run['leaked'] == 0)))


def _short(text, width=60):
    text = ' '.join((text or '-').split())
    return text if len(text) <= width else text[:width - 3] + '...'


def column(run):
    """The table's column of one run: row -> text."""
    return {
        'stack create': run['create_status'] or '-',
        'stack delete': run['delete_status'] or '-',
        'resources created': '%d/%d' % (run['resources_complete'],
                                        run['resources_total']),
        'HTTP requests': str(run['requests']),
        'faults injected': str(run['faults']),
        'retries': str(run['retries']),
        'objects made': str(run['created']),
        'duplicates': str(run['duplicates']),
        'leaked after delete': str(run['leaked']),
        'wall time': '%.1fs' % run['wall_seconds'],
        'reason': _short(run['create_reason']),
    }


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


def headline(the_plan):
    """The demo's first line: what runs, under which faults."""
    what = os.path.basename(the_plan.template_path)
    if the_plan.members is not None:
        what += ' x%d' % the_plan.members
    if the_plan.fault_spec is not None:
        faults = 'fault spec %s' % the_plan.fault_spec
    else:
        faults = 'fault rate %g%% on every service' % (
            the_plan.fault_rate * 100)
    return ('heat-retry-plugins demo: %s (%d resources), %s (seed %d), %s '
            'engine' % (what, the_plan.resources, faults, the_plan.seed,
                        the_plan.engine))


def report(the_plan, runs):
    """The JSON object of ``--json``."""
    return {
        'template': the_plan.template_path,
        'kind': the_plan.kind,
        'members': the_plan.members,
        'resources': the_plan.resources,
        'parameters': the_plan.parameters,
        'seed': the_plan.seed,
        'engine': the_plan.engine,
        'stagger': the_plan.stagger,
        'delete': the_plan.delete,
        'fault_rate': the_plan.fault_rate,
        'fault_spec': the_plan.fault_spec,
        'succeeded': succeeded(runs['plugins'], the_plan.delete),
        **runs,
    }


def run(the_plan, progress_out, progress_enabled):
    """Run both configurations; returns ``{key: the run's numbers}``."""
    runs = {}
    with tempfile.TemporaryDirectory(prefix='heat-retry-demo-') as state:
        for key, label, overrides in CONFIGURATIONS:
            # NOTE: a cloud of its own for each run, on the same seed: the
            # same faults from the first request on, and nothing the other
            # run left behind.
            with server.FakeCloud(seed=the_plan.seed) as cloud:
                engine.prepare(os.path.join(state, key), cloud,
                               log_level=logging.CRITICAL,
                               engine=the_plan.engine,
                               stagger=the_plan.stagger)
                try:
                    runs[key] = run_once(cloud, the_plan, overrides, label,
                                         progress_out, progress_enabled)
                finally:
                    # NOTE: before the cloud stops: the run's background
                    # sweeps end with the engine.
                    engine.reset()
    return runs


def main(args, out=None, err=None):
    """Run the demo.

    :param args: the parsed ``demo`` arguments.
    :param out: where the table (or the JSON object) goes; stdout.
    :param err: where errors and the progress go; stderr.
    :returns: 0 when the run with the plugins created the stack without a
        duplicate (and deleted it, leaving nothing), 1 when it did not, 2
        for an argument it cannot run with (one line on ``err``).
    """
    out = out or sys.stdout
    err = err or sys.stderr
    try:
        the_plan = plan(args)
    except ValueError as exc:
        print('heat-retry-plugins demo: error: %s' % exc, file=err)
        return 2
    # NOTE: with --json, stdout holds the JSON object alone.
    lines_out = err if args.json else out
    print(headline(the_plan), file=lines_out)
    print(the_plan.stagger_line, file=lines_out)
    runs = run(the_plan, err, not args.quiet)
    if args.json:
        print(json.dumps(report(the_plan, runs), sort_keys=True), file=out)
    else:
        print(format_table({label: column(runs[key])
                            for key, label, _ in CONFIGURATIONS}), file=out)
    return 0 if succeeded(runs['plugins'], the_plan.delete) else 1

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

"""Plot the benchmarks' raw numbers as PNGs for the documentation.

Reads benchmarks/results/stacks.json (from stacks.py) and, if present,
benchmarks/results/amplification.json (from amplification.py), and writes
to doc/source/_static/benchmarks/: ``<name>-success.png``, the share of
stacks created and deleted against the fault rate, one line per
configuration and one panel per stack size; ``<name>-requests.png``, the
HTTP requests per resource against the fault rate; and
``amplification.png``, requests per call against the fault rate with the
retry budget on and off.

    python benchmarks/plot.py [--stacks FILE ...] [--out DIR]
"""

import argparse
import json
import os
import sys

import matplotlib

matplotlib.use('Agg')

from matplotlib import pyplot  # noqa: E402,I202

RESULTS = 'benchmarks/results'
MARKERS = ('o', 's', '^', 'D', 'v')
LINESTYLES = ('-', '--', '-.', ':')


def percent(rate):
    return '%g%%' % (rate * 100)


def _panels(summaries):
    sizes = sorted({s['size'] for s in summaries})
    figure, axes = pyplot.subplots(1, len(sizes), sharey=True, squeeze=False,
                                   figsize=(4.2 * len(sizes) + 0.6, 3.9))
    return sizes, figure, axes[0]


def _lines(data, axis, size, field, scale=1.0):
    """One line per configuration; fault rates evenly spaced on x.

    Lines are shifted sideways a little so that equal values stay visible;
    a hollow marker is a point where some stacks failed.
    """
    rates = sorted({s['rate'] for s in data['summary']})
    positions = {rate: index for index, rate in enumerate(rates)}
    configs = list(data['configurations'].items())
    for index, (key, config) in enumerate(configs):
        shift = (index - (len(configs) - 1) / 2) * 0.05
        points = sorted((s['rate'], s[field], s['success_rate'])
                        for s in data['summary']
                        if s['configuration'] == key and s['size'] == size)
        x = [positions[rate] + shift for rate, _, _ in points]
        y = [value * scale for _, value, _ in points]
        line, = axis.plot(x, y, marker=MARKERS[index % len(MARKERS)],
                          linestyle=LINESTYLES[index % len(LINESTYLES)],
                          label=config['label'])
        failed = [(px, py) for px, py, p in zip(x, y, points) if p[2] < 1]
        if failed:
            axis.plot([p[0] for p in failed], [p[1] for p in failed],
                      linestyle='none', marker=MARKERS[index % len(MARKERS)],
                      markerfacecolor='white', color=line.get_color())
    axis.set_xticks(range(len(rates)))
    axis.set_xticklabels([percent(rate) for rate in rates])
    # NOTE: the large stack's faults are on every service.
    axis.set_xlabel('fault rate, every service' if data['kind'] == 'large'
                    else 'Nova fault rate')
    axis.grid(True, alpha=0.3)


def plot_stacks(data, out_dir, name):
    kind = data['kind']
    seeds = len(data['seeds'])
    written = []
    for field, scale, ylabel, title, suffix in (
            ('success_rate', 100, 'stacks created and deleted (%)',
             'Stacks created and deleted', 'success'),
            ('requests_per_resource', 1, 'HTTP requests per resource',
             'HTTP requests per resource, create and delete\n'
             '(hollow marker: some stacks failed, and stopped early)',
             'requests')):
        sizes, figure, axes = _panels(data['summary'])
        for axis, size in zip(axes, sizes):
            _lines(data, axis, size, field, scale)
            axis.set_title('%d %s, %d seed%s' % (
                size, kind, seeds, '' if seeds == 1 else 's'), fontsize=9)
        figure.suptitle(title, fontsize=9)
        axes[0].set_ylabel(ylabel)
        if field == 'success_rate':
            axes[0].set_ylim(-5, 105)
        else:
            axes[0].set_ylim(bottom=0)
        axes[-1].legend(fontsize=8)
        figure.tight_layout()
        path = os.path.join(out_dir, '%s-%s.png' % (name, suffix))
        figure.savefig(path, dpi=100)
        pyplot.close(figure)
        written.append(path)
    return written


def plot_amplification(data, out_dir):
    rows = data['rows']
    rates = sorted({row['rate'] for row in rows})
    positions = {rate: index for index, rate in enumerate(rates)}
    figure, (load, success) = pyplot.subplots(1, 2, figsize=(9, 3.6))
    for index, budget in enumerate((False, True)):
        points = sorted((row['rate'], row['amplification'],
                         row['success_rate']) for row in rows
                        if row['budget'] == budget)
        x = [positions[rate] for rate, _, _ in points]
        label = 'retry budget %s' % ('on' if budget else 'off')
        load.plot(x, [p[1] for p in points], marker=MARKERS[index],
                  label=label)
        success.plot(x, [p[2] * 100 for p in points],
                     marker=MARKERS[index], label=label)
    for axis in (load, success):
        axis.set_xticks(range(len(rates)))
        axis.set_xticklabels([percent(rate) for rate in rates])
        axis.set_xlabel('share of 503s on GET /servers/{id}')
        axis.grid(True, alpha=0.3)
    load.set_ylabel('requests per logical call')
    load.set_ylim(bottom=0)
    load.set_title('%d calls: load' % data['calls'], fontsize=9)
    success.set_ylabel('calls that succeeded (%)')
    success.set_ylim(-5, 105)
    success.set_title('%d calls: success' % data['calls'], fontsize=9)
    success.legend(fontsize=8)
    figure.tight_layout()
    path = os.path.join(out_dir, 'amplification.png')
    figure.savefig(path, dpi=100)
    pyplot.close(figure)
    return [path]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--stacks', nargs='+',
                        default=[os.path.join(RESULTS, 'stacks.json')],
                        help='stacks.py results; each FILE.json gives '
                             'FILE-success.png and FILE-requests.png')
    parser.add_argument('--amplification',
                        default=os.path.join(RESULTS, 'amplification.json'))
    parser.add_argument('--out', default='doc/source/_static/benchmarks')
    args = parser.parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    written = []
    for path in args.stacks:
        with open(path) as source:
            data = json.load(source)
        name = os.path.splitext(os.path.basename(path))[0]
        written.extend(plot_stacks(data, args.out, name))
    if args.amplification and os.path.exists(args.amplification):
        with open(args.amplification) as source:
            written.extend(plot_amplification(json.load(source), args.out))
    for path in written:
        print(path)
    return 0


if __name__ == '__main__':
    sys.exit(main())

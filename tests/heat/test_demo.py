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

"""The demo, the README's first command, with the real Heat engine.

Each test runs ``heat-retry-plugins demo`` end to end: two fake clouds,
two EngineServices, stock Heat then the plugins. The command line's
parsing and its error lines are in tests/unit/cmd/test_demo.py.
"""

import json
import threading

import pytest

from heat_retry_plugins.cmd import demo
from heat_retry_plugins.cmd import main as main_cmd
from heat_retry_plugins.heatrun import engine
from heat_retry_plugins.heatrun import templates
from heat_retry_plugins import session
from heat_retry_plugins.session import sweeps
from tests.heat import conftest

#: The keys of each configuration in the JSON output.
RUN_KEYS = {'create_status', 'delete_status', 'requests', 'faults',
            'retries', 'duplicates', 'leaked'}
#: Keypairs as members, and a volume only if the parameter says so.
CONDITIONAL = """
heat_template_version: 2021-04-16
parameters:
  public_key: {type: string}
  with_volume:
    type: string
    default: 'no'
    constraints: [{allowed_values: ['yes', 'no']}]
conditions:
  volume_wanted: {equals: [{get_param: with_volume}, 'yes']}
resources:
  keypair%index%:
    type: OS::Nova::KeyPair
    properties:
      name: kp-%index%
      public_key: {get_param: public_key}
  volume:
    type: OS::Cinder::Volume
    condition: volume_wanted
    properties: {name: data, size: 1}
"""


@pytest.fixture(autouse=True)
def nothing_left():
    before = set(threading.enumerate())
    session.reset_process_state()
    try:
        yield
    finally:
        engine.reset()
    conftest.assert_nothing_left(before)


def run_demo(capsys, *argv):
    """Run the demo; returns ``(exit status, stdout)``."""
    code = main_cmd.main(['demo', '--quiet', *argv])
    return code, capsys.readouterr().out


def run_json(capsys, *argv):
    code, out = run_demo(capsys, '--json', *argv)
    # Exactly one JSON object, on one line, and nothing else on stdout.
    assert out.endswith('\n') and out.count('\n') == 1, out
    return code, json.loads(out)


def table(text):
    rows = {}
    for line in text.splitlines():
        if line.startswith(('stack ', 'duplicates', 'leaked', 'objects made',
                            'resources created', 'faults injected')):
            rows[line[:21].strip()] = line[21:].split()
    return rows


def test_plugins_succeed_where_stock_heat_fails_on_the_same_seed(capsys):
    code, text = run_demo(capsys, '--resources', '10', '--fault-rate', '0.1',
                          '--seed', '1')
    rows = table(text)
    stock, plugins = rows['stack create']
    assert (stock, plugins) == ('CREATE_FAILED', 'CREATE_COMPLETE'), text
    assert rows['stack delete'][-1] == 'DELETE_COMPLETE'
    assert rows['resources created'][-1] == '10/10'
    assert rows['duplicates'] == ['0', '0']
    assert rows['leaked after delete'][-1] == '0'
    for heading in ('HTTP requests', 'retries', 'wall time'):
        assert heading in text
    assert code == 0
    # The run's background sweeps end with its cloud: none is left to
    # meet the stopped cloud and log its retries under the table.
    assert not sweeps.PENDING
    assert 'heat-retry-sweeps' not in [t.name for t in threading.enumerate()]


def test_keypairs_run_under_faults(capsys):
    code, text = run_demo(capsys, '--kind', 'keypairs', '--resources', '10',
                          '--fault-rate', '0.1', '--seed', '1')
    rows = table(text)
    assert rows['stack create'][-1] == 'CREATE_COMPLETE', text
    assert rows['resources created'][-1] == '10/10'
    assert int(rows['faults injected'][-1]) > 0
    assert code == 0


def test_keystone_runs_under_a_fault_spec(capsys, tmp_path):
    # NOTE: the demo's mix at 10%, but for the ambiguous faults of the
    # token requests. The contexts wait on one shared token request, so
    # its attempts meet the injector back to back: a POST fails an attempt
    # with odds of 0.21 here and all 4 with 0.002, and with the ambiguous
    # faults on it this test failed about 1 run in 10 on a resource's
    # domain check. The token requests' retries are tested on their own
    # in tests/functional/test_every_service.py.
    spec = demo.fault_mix(0.1, '*')
    for rule in spec:
        if rule.get('method') == 'POST':
            rule['path'] = '^(?!/auth/tokens$)'
    path = tmp_path / 'faults.json'
    path.write_text(json.dumps({'faults': spec, 'seed': 1}))
    code, report = run_json(capsys, '--kind', 'keystone', '--resources',
                            '10', '--faults', str(path))
    plugins = report['plugins']
    assert plugins['create_status'] == 'CREATE_COMPLETE', plugins
    assert plugins['resources_complete'] == 20
    assert plugins['faults'] > 0
    assert (report['fault_spec'], report['seed']) == (str(path), 1)
    assert report['stock']['create_status'] == 'CREATE_FAILED'
    assert code == 0


def test_json_prints_one_object_with_both_runs(capsys):
    code, report = run_json(capsys, '--resources', '3', '--fault-rate',
                            '0.2', '--seed', '2')
    assert {'stock', 'plugins', 'template', 'seed', 'engine'} <= set(report)
    assert report['template'] == templates.shipped_path('servers')
    assert (report['kind'], report['members'], report['resources']) == (
        'servers', 3, 3)
    assert (report['seed'], report['engine'], report['fault_rate']) == (
        2, 'convergence', 0.2)
    for key in ('stock', 'plugins'):
        assert RUN_KEYS <= set(report[key]), report[key]
        assert report[key]['requests'] > 0
    plugins = report['plugins']
    assert (plugins['create_status'], plugins['delete_status']) == (
        'CREATE_COMPLETE', 'DELETE_COMPLETE')
    assert (plugins['duplicates'], plugins['leaked']) == (0, 0)
    assert plugins['faults'] > 0 and plugins['retries'] > 0
    assert report['stock']['create_status'] == 'CREATE_FAILED'
    assert report['succeeded'] is True and code == 0


@pytest.mark.parametrize('with_volume, made', [
    ('yes', {'keypair': 2, 'volume': 1}),
    ('no', {'keypair': 2}),
])
def test_a_template_file_runs_with_its_parameters(capsys, tmp_path,
                                                  public_key, with_volume,
                                                  made):
    path = tmp_path / 'conditional.yaml'
    path.write_text(CONDITIONAL)
    code, report = run_json(
        capsys, '--template', str(path), '--resources', '2',
        '--parameter', 'with_volume=' + with_volume,
        '--parameter', 'public_key=' + public_key,
        '--fault-rate', '0', '--no-delete')
    assert report['parameters'] == {'with_volume': with_volume,
                                    'public_key': public_key}
    for key in ('stock', 'plugins'):
        run = report[key]
        assert run['create_status'] == 'CREATE_COMPLETE', run
        # Not deleted: what the create made is still there.
        assert run['delete_status'] is None
        assert run['leaked_by_kind'] == made
    assert code == 0


def test_kind_large_and_its_file_make_the_same_stack(capsys):
    by_kind = run_json(capsys, '--kind', 'large', '--resources', '2',
                       '--fault-rate', '0')[1]
    by_file = run_json(capsys, '--template',
                       templates.shipped_path('large'), '--resources', '2',
                       '--fault-rate', '0')[1]
    same = ('create_status', 'delete_status', 'resources_total',
            'resources_complete', 'created', 'duplicates', 'leaked')
    for key in ('stock', 'plugins'):
        assert by_kind[key]['create_status'] == 'CREATE_COMPLETE'
        assert by_kind[key]['delete_status'] == 'DELETE_COMPLETE'
        assert ({k: by_kind[key][k] for k in same} ==
                {k: by_file[key][k] for k in same})
    assert by_kind['plugins']['resources_total'] == 2 * 4 + 6

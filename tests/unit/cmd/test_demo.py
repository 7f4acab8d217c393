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

"""The demo's plan of a run, and the error line of each bad input.

Nothing here runs Heat's engine nor starts a cloud: every bad input is
refused before (tests/heat/test_demo.py runs the demo). The parsing of the
demo's arguments is the command line's: tests/unit/cmd/test_main.py.
"""

import json

import pytest

from heat_retry_plugins.cmd import demo
from heat_retry_plugins.cmd import main as main_cmd
from heat_retry_plugins.heatrun import engine
from heat_retry_plugins.heatrun import templates

#: A template without members, with a parameter that has no default.
PLAIN = """
heat_template_version: 2021-04-16
parameters:
  size: {type: number, constraints: [{range: {min: 1, max: 10}}]}
resources:
  volume:
    type: OS::Cinder::Volume
    properties: {size: {get_param: size}}
"""


def parse(*argv):
    return main_cmd.build_parser().parse_args(['demo', *argv])


def error_line(capsys, *argv):
    """Run ``demo``; return its one error line after exit status 2."""
    try:
        code = main_cmd.main(['demo', '--quiet', *argv])
    except SystemExit as exc:
        code = exc.code
    captured = capsys.readouterr()
    assert code == 2
    assert captured.out == ''
    assert 'Traceback' not in captured.err
    lines = captured.err.splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith('heat-retry-plugins demo: error: ')
    # Refused before any engine was prepared.
    assert engine.prepared_engine() is None
    return lines[0][len('heat-retry-plugins demo: error: '):]


@pytest.fixture
def write(tmp_path):
    def write(text, name='template.yaml'):
        path = tmp_path / name
        path.write_bytes(text if isinstance(text, bytes) else text.encode())
        return str(path)
    return write


def test_kind_large_plans_the_same_stack_as_its_file():
    by_kind = demo.plan(parse('--kind', 'large', '--resources', '3'))
    by_file = demo.plan(parse('--template', templates.shipped_path('large'),
                              '--resources', '3'))
    assert by_kind.template == by_file.template
    assert (by_kind.faults, by_kind.seed) == (by_file.faults, by_file.seed)
    assert (by_kind.kind, by_file.kind) == ('large', None)
    assert by_kind.resources == 4 * 3 + 6
    assert sorted(r for r in by_kind.template['resources']
                  if r.startswith('server')) == ['server0', 'server1',
                                                 'server2']


def test_the_fault_rate_applies_to_every_service_without_slow_creates():
    planned = demo.plan(parse('--fault-rate', '0.1'))
    assert {rule['service'] for rule in planned.faults} == {'*'}
    assert sorted(rule['fault'].get('kind', 'status')
                  for rule in planned.faults) == [
        'ambiguous_500', 'drop_after', 'status', 'status']
    assert sum(rule['rate'] for rule in planned.faults
               if rule.get('method') == 'POST') == pytest.approx(0.1)


def test_a_fault_spec_brings_its_seed_unless_seed_is_given(write):
    spec = write(json.dumps({'seed': 9, 'faults': [
        {'service': 'image', 'first': 1, 'fault': 503}]}), 'spec.json')
    assert demo.plan(parse('--faults', spec)).seed == 9
    assert demo.plan(parse('--faults', spec, '--seed', '4')).seed == 4


def test_parameter_values_become_the_defaults_heat_sees(write):
    planned = demo.plan(parse('--template', write(PLAIN),
                              '--parameter', 'size=3'))
    assert planned.template['parameters']['size']['default'] == '3'
    assert planned.members is None
    assert planned.parameters == {'size': '3'}


@pytest.mark.parametrize('engine_name, chosen, cost, on', [
    ('convergence', None, 20, True),
    ('convergence', None, 21, False),
    ('convergence', True, 400, True),
    ('convergence', False, 4, False),
    ('legacy', True, 4, False),
])
def test_the_stagger_is_on_when_cheap_or_asked_for(engine_name, chosen, cost,
                                                   on):
    assert demo.choose_stagger(engine_name, chosen, cost)[0] is on


def test_the_stagger_cost_counts_every_resource_of_both_runs():
    assert demo.plan(parse('--kind', 'large', '--resources', '1')
                     ).stagger_line.endswith('(it would add up to 40 s; '
                                             '--stagger turns it on)')
    assert demo.plan(parse('--resources', '4', '--no-delete')
                     ).stagger_line.endswith('(it adds up to 8 s)')


# -- bad input: one line, exit status 2, no engine --------------------------

def test_a_missing_template(capsys, tmp_path):
    missing = str(tmp_path / 'nope.yaml')
    assert error_line(capsys, '--template', missing) == (
        'cannot read the template %s: No such file or directory' % missing)


def test_an_unreadable_template(capsys, tmp_path):
    assert error_line(capsys, '--template', str(tmp_path)) == (
        'cannot read the template %s: Is a directory' % tmp_path)


def test_a_template_that_is_not_utf8(capsys, write):
    path = write(b'heat_template_version: 2021-04-16\n# \xff\n')
    assert error_line(capsys, '--template', path) == (
        'the template %s is not UTF-8 text (byte 36)' % path)


def test_a_template_that_is_not_yaml(capsys, write):
    path = write('heat_template_version: 2021-04-16\nresources: [\n')
    assert error_line(capsys, '--template', path).startswith(
        'the template %s: not valid YAML or JSON: ' % path)


def test_a_json_template_that_is_not_json(capsys, write):
    path = write('{"heat_template_version": "2021-04-16",', 'bad.json')
    assert error_line(capsys, '--template', path).startswith(
        'the template %s: not valid YAML or JSON: ' % path)


@pytest.mark.parametrize('text, message', [
    ('- 1\n- 2\n', 'The template is not a JSON object or YAML mapping.'),
    ('resources: {}\n', 'Template format version not found.'),
    ('heat_template_version: 2021-04-16\nresources: [1]\n',
     'its resources must be a mapping of mappings'),
    ('heat_template_version: 1999-01-01\n',
     'The template version is invalid: '),
])
def test_a_template_that_heat_refuses(capsys, write, text, message):
    path = write(text)
    assert error_line(capsys, '--template', path).startswith(
        'the template %s: %s' % (path, message))


@pytest.mark.parametrize('parameters, message', [
    pytest.param(['size=11'], "Parameter 'size' is invalid: 11 is out of "
                 'range (min: 1, max: 10)', id='out-of-range'),
    pytest.param(['size=big'], "Parameter 'size' is invalid: could not "
                 "convert string to float: 'big'", id='not-a-number'),
    pytest.param(['size=2', 'flavor=m1.tiny'], 'The Parameter (flavor) was '
                 'not defined in template.', id='unknown'),
    pytest.param([], 'The Parameter (size) was not provided.', id='missing'),
])
def test_parameters_heat_refuses(capsys, write, parameters, message):
    path = write(PLAIN)
    args = ['--template', path]
    for parameter in parameters:
        args += ['--parameter', parameter]
    assert error_line(capsys, *args) == 'the template %s: %s' % (
        path, message)


def test_a_parameter_given_twice(capsys):
    assert error_line(capsys, '--kind', 'large', '--parameter', 'cidr=a',
                      '--parameter', 'cidr=b') == (
        '--parameter cidr is given twice')


def test_resources_for_a_template_without_members(capsys, write):
    path = write(PLAIN)
    assert error_line(capsys, '--template', path, '--parameter', 'size=1',
                      '--resources', '3') == (
        '--resources: the template %s has no member resources (no '
        'resource name holds %%index%%)' % path)


def test_a_shared_resource_that_names_a_member(capsys, write):
    path = write(PLAIN + """
  server%index%:
    type: OS::Nova::Server
    properties: {image: cirros, flavor: m1.tiny}
  group:
    type: OS::Nova::ServerGroup
    properties: {name: {get_resource: server%index%}}
""")
    assert error_line(capsys, '--template', path, '--parameter',
                      'size=1') == (
        'the template %s: resource group mentions %%index%% but is not a '
        'member (its name does not hold it)' % path)


def test_a_negative_seed(capsys):
    assert error_line(capsys, '--seed', '-1') == (
        'seed must be a non-negative integer, got -1')


@pytest.mark.parametrize('text, message', [
    ('[', 'the fault spec %s is not valid YAML: '),
    ('faults: [{service: compute, rate: 2, fault: 503}]',
     'the fault spec %s: rule 0: rate must be within [0, 1]'),
    ('faults: [{service: compute, fault: {kind: melt}}]',
     "the fault spec %s: rule 0: unknown fault kind 'melt'"),
    ('{faults: [], when: now}',
     'fault spec %s: unknown keys: when (expected faults, seed)'),
])
def test_a_bad_fault_spec(capsys, write, text, message):
    path = write(text, 'spec.yaml')
    assert error_line(capsys, '--faults', path).startswith(message % path)


def test_a_missing_fault_spec(capsys, tmp_path):
    missing = str(tmp_path / 'spec.yaml')
    assert error_line(capsys, '--faults', missing) == (
        'cannot read the fault spec %s: No such file or directory' % missing)

#
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

"""Reading spec files and mappings: shapes, seeds, one-line errors."""

import json

import pytest

from heat_retry_plugins.fakecloud import fault_spec
from heat_retry_plugins.fakecloud import faults


def test_specs_load_from_yaml_and_json_files(tmp_path):
    yaml_file = tmp_path / 'faults.yaml'
    yaml_file.write_text('faults:\n'
                         '  - service: compute\n'
                         '    first: 1\n'
                         '    fault: {status: 429, retry_after: 3}\n')
    json_file = tmp_path / 'faults.json'
    json_file.write_text(json.dumps([{'every': 2, 'fault': 'drop_after'}]))
    (rule,) = faults.parse_spec(str(yaml_file))
    assert (rule.service, rule.first, rule.fault.status) == ('compute', 1,
                                                             429)
    assert faults.parse_spec(json_file)[0].fault.kind == 'drop_after'
    empty = tmp_path / 'empty.yaml'
    empty.write_text('')
    assert faults.parse_spec(str(empty)) == []
    seeded = tmp_path / 'seeded.yaml'
    seeded.write_text('seed: 5\nfaults: [{rate: 0.5, fault: 503}]\n')
    assert fault_spec.read_spec(str(seeded)).seed == 5
    assert faults.FaultInjector(str(seeded)).seed == 5


@pytest.mark.parametrize('name, content, message', [
    ('missing.yaml', None, 'cannot read the fault spec'),
    ('latin1.yaml', '- {fault: 503, name: caf\xe9}\n'.encode('latin-1'),
     'is not UTF-8 text'),
    ('broken.yaml', b'- {fault: 503\n', 'is not valid YAML'),
    ('tagged.yaml', b'- !!python/object:os.system {}\n',
     'is not valid YAML'),
    ('broken.json', b'[{"fault": 503,]', 'is not valid JSON'),
    ('scalar.yaml', b'just words\n', 'must be a list of rules'),
    ('keys.yaml', b'rules: []\n', 'unknown keys: rules'),
    ('seed.yaml', b'seed: abc\nfaults: []\n', 'seed must be'),
    ('rule.yaml', b'- {fault: 503, colour: red}\n', 'unknown keys: colour'),
])
def test_spec_files_are_validated(tmp_path, name, content, message):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(ValueError) as info:
        faults.parse_spec(str(path))
    assert message in str(info.value)
    assert '\n' not in str(info.value)


def test_a_directory_is_not_a_spec(tmp_path):
    with pytest.raises(ValueError) as info:
        fault_spec.load_spec(tmp_path)
    assert str(info.value) == (
        'cannot read the fault spec %s: Is a directory' % tmp_path)


def test_values_are_shown_on_one_bounded_line():
    assert fault_spec.show('two\nlines') == "'two\\nlines'"
    assert len(fault_spec.show('x' * 1000)) == 60
    nested = []
    for _ in range(100000):
        nested = [nested]
    assert fault_spec.show(nested) == '(a value nested too deeply)'

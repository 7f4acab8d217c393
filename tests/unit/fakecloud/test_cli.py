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

"""The command line: banner, counters, errors."""

import io
import json
import os
import signal
import subprocess
import sys

import pytest

from heat_retry_plugins.fakecloud import cli


def test_main_prints_credentials_then_counters(tmp_path):
    spec = tmp_path / 'faults.yaml'
    spec.write_text('- {service: compute, rate: 0.1, fault: 503}\n')
    out = io.StringIO()
    assert cli.main(['--faults', str(spec), '--seed', '3',
                     '--duration', '0.1'], out=out) == 0
    text = out.getvalue()
    assert 'export OS_AUTH_URL=http://127.0.0.1:' in text
    assert 'export OS_USERNAME=admin' in text
    assert 'export OS_PASSWORD=' in text
    counters = json.loads(text[text.index('\n{') + 1:])
    assert counters['requests_total'] == 0


def test_main_rejects_a_bad_spec(tmp_path, capsys):
    spec = tmp_path / 'faults.yaml'
    spec.write_text('- {fault: {kind: explode}}\n')
    assert cli.main(['--faults', str(spec), '--duration', '0']) == 2
    assert 'explode' in capsys.readouterr().err


def test_module_runs_until_interrupted():
    env = dict(os.environ, PYTHONUNBUFFERED='1')
    process = subprocess.Popen(
        [sys.executable, '-m', 'heat_retry_plugins.fakecloud'],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        env=env)
    try:
        for line in process.stdout:
            if 'Ctrl-C' in line:
                break
        process.send_signal(signal.SIGINT)
        rest = process.communicate(timeout=20)[0]
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0
    assert json.loads(rest)['requests_total'] == 0


def _run(*args, module='heat_retry_plugins.fakecloud'):
    return subprocess.run([sys.executable, '-m', module, *args],
                          capture_output=True, text=True, timeout=60,
                          stdin=subprocess.DEVNULL)


def _assert_one_error_line(result, *words):
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith('fakecloud: error: ')
    assert 'Traceback' not in result.stderr
    for word in words:
        assert word in lines[0]
    assert result.stdout == ''


@pytest.mark.parametrize('args, words', [
    (['--port-base', '99999'], ['--port-base', '99999']),
    (['--port-base', '65534'], ['--port-base', '65534']),
    (['--port-base', '0'], ['--port-base']),
    (['--port-base', '-5'], ['--port-base']),
    (['--seed', 'abc'], ['--seed', 'abc']),
    (['--seed', '-1'], ['--seed']),
    (['--token-ttl', '-1'], ['--token-ttl']),
    (['--token-ttl', '0'], ['--token-ttl']),
    (['--build-seconds', '-1'], ['--build-seconds']),
    (['--duration', '-1'], ['--duration']),
    (['--duration', 'nan'], ['--duration']),
    (['--no-such-option'], ['--no-such-option']),
])
def test_a_bad_argument_is_one_error_line(args, words):
    _assert_one_error_line(_run(*args), *words)


@pytest.mark.parametrize('name, content, words', [
    ('missing.yaml', None, ['missing.yaml', 'No such file']),
    ('latin1.yaml', '- {fault: 503, name: caf\xe9}\n'.encode('latin-1'),
     ['latin1.yaml', 'not UTF-8']),
    ('broken.yaml', b'faults:\n  - {fault: 503\n',
     ['broken.yaml', 'not valid YAML', 'line 3']),
    ('broken.json', b'[{"fault": 503,]', ['broken.json', 'not valid JSON']),
    ('regex.yaml', b'- {path: "^/servers(", fault: 503}\n',
     ['regex.yaml', 'rule 0', 'regular expression']),
    ('unknown.yaml', b'- {fault: 503, colour: red}\n',
     ['unknown.yaml', 'unknown keys: colour']),
    ('scalar.yaml', b'42\n', ['scalar.yaml', 'list of rules']),
    ('seed.yaml', b'seed: abc\nfaults: []\n', ['seed.yaml', 'seed']),
])
def test_a_bad_faults_file_is_one_error_line(tmp_path, name, content,
                                             words):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    _assert_one_error_line(_run('--faults', str(path)), *words)


def test_a_directory_as_faults_file_is_one_error_line(tmp_path):
    _assert_one_error_line(_run('--faults', str(tmp_path)),
                           'Is a directory')


def test_the_heat_retry_plugins_command_reports_the_same_way(tmp_path):
    path = tmp_path / 'regex.yaml'
    path.write_text('- {path: "web(", fault: 503}\n')
    result = _run('fake-cloud', '--faults', str(path),
                  module='heat_retry_plugins.cmd.main')
    _assert_one_error_line(result, 'regular expression')
    _assert_one_error_line(_run('fake-cloud', '--seed', 'abc',
                                module='heat_retry_plugins.cmd.main'),
                           '--seed')


def test_the_spec_files_seed_applies_unless_seed_is_given(tmp_path):
    spec = tmp_path / 'faults.yaml'
    spec.write_text('seed: 9\nfaults: [{rate: 0.5, fault: 503}]\n')
    parser = cli.build_parser()
    args = parser.parse_args(['--faults', str(spec)])
    assert cli.load_faults(parser, args)[1] == 9
    args = parser.parse_args(['--faults', str(spec), '--seed', '2'])
    assert cli.load_faults(parser, args)[1] == 2

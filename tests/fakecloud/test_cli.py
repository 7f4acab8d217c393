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

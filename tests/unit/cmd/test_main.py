"""heat-retry-plugins policies, and heat-retry-plugins-status."""

import pathlib
import subprocess
import sys

import pytest

from heat_retry_plugins.cmd import main

ROOT = pathlib.Path(__file__).resolve().parents[3]


@pytest.fixture
def heat_conf_file(tmp_path):
    def write(text):
        path = tmp_path / 'heat.conf'
        path.write_text(text)
        return str(path)
    return write


def test_policies_prints_each_knob_and_where_it_came_from(heat_conf_file,
                                                          capsys):
    path = heat_conf_file('[clients]\nretry_max_delay = 12\n'
                          '[clients_nova]\nretry_max_attempts = 3\n')
    assert main.main(['policies', '--config-file', path]) == 0
    lines = capsys.readouterr().out.splitlines()
    rows = {tuple(line.split()[:2]): line.split()[2:] for line in lines[2:]}
    assert rows[('nova', 'retry_max_attempts')] == ['3', '[clients_nova]']
    assert rows[('nova', 'retry_max_delay')] == ['12.0', '[clients]']
    assert rows[('keystone', 'retry_max_attempts')] == ['4', 'default']
    assert rows[('nova', 'retry_budget_capacity')] == ['10.0', 'default']
    assert len(rows) == 2 * 11


def test_policies_exits_non_zero_naming_the_bad_option(heat_conf_file,
                                                       capsys):
    path = heat_conf_file('[clients_keystone]\nretry_deadline = -3\n')
    assert main.main(['policies', '--config-file', path]) == 1
    err = capsys.readouterr().err
    assert 'Invalid value for [clients_keystone] retry_deadline' in err
    assert path in err


def status(*args):
    return subprocess.run(
        [sys.executable, '-m', 'heat_retry_plugins.cmd.status', *args],
        capture_output=True, text=True)


def test_upgrade_check_fails_on_a_bad_value(heat_conf_file):
    path = heat_conf_file('[clients_nova]\nretry_jitter = wild\n')
    result = status('--config-file', path, 'upgrade', 'check')
    assert result.returncode == 2, result.stderr
    assert 'Result: Failure' in result.stdout
    assert '[clients_nova] retry_jitter' in result.stdout


def test_upgrade_check_passes_a_good_file(heat_conf_file):
    path = heat_conf_file('[clients]\nretry_max_attempts = 5\n')
    result = status('--config-file', path, 'upgrade', 'check')
    assert result.returncode == 0, result.stderr
    assert 'Result: Success' in result.stdout


def test_checked_in_sample_config_is_current(tmp_path):
    out = tmp_path / 'sample.conf'
    subprocess.run(
        [sys.executable, '-m', 'oslo_config.generator', '--config-file',
         str(ROOT / 'etc/oslo-config-generator/heat-retry-plugins.conf'),
         '--output-file', str(out)], check=True, cwd=ROOT)
    sample = (ROOT / 'etc/heat-retry-plugins.conf.sample').read_text()
    assert out.read_text() == sample, (
        'etc/heat-retry-plugins.conf.sample is stale: run tox -e genconfig')

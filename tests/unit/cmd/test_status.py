"""heat-retry-plugins-status upgrade check, as an operator runs it."""

import json
import subprocess
import sys

import pytest

from heat_retry_plugins.cmd import status as status_cmd
from heat_retry_plugins.config import opts


def status(*args):
    result = subprocess.run(
        [sys.executable, '-m', 'heat_retry_plugins.cmd.status', *args],
        capture_output=True, text=True)
    assert 'Traceback' not in result.stdout + result.stderr
    return result


def check(path, *extra):
    return status('--config-file', str(path), 'upgrade', 'check', *extra)


def json_check(path):
    """Run the check with --json; return its exit status and one result."""
    result = check(path, '--json')
    assert result.stderr == ''
    (only,) = json.loads(result.stdout)['checks']
    assert only['check'] == 'Retry policies'
    return result.returncode, only


def test_upgrade_check_passes_a_good_file(heat_conf_file):
    path = heat_conf_file('[clients]\nretry_max_attempts = 5\n')
    result = check(path)
    assert result.returncode == 0, result.stderr
    assert 'Result: Success' in result.stdout
    code, only = json_check(path)
    assert (code, only['result']) == (0, 0)
    assert only['details'] == 'Valid retry policies for %s.' % ', '.join(
        sorted(opts.SHIPPED_SERVICES))


def test_upgrade_check_shows_a_bad_value_in_its_table(heat_conf_file):
    result = check(heat_conf_file('[clients_nova]\nretry_jitter = wild\n'))
    assert result.returncode == 2, result.stderr
    assert 'Result: Failure' in result.stdout
    assert 'Details: Invalid value for [clients_nova] retry_jitter' in (
        result.stdout)


@pytest.mark.parametrize('index, option', enumerate(opts.OPTION_NAMES))
def test_upgrade_check_fails_naming_a_bad_value_in_any_group(
        heat_conf_file, index, option):
    # Every option, alternately in [clients] and in a service group.
    group = ('clients' if index % 2 else
             opts.service_group(opts.SHIPPED_SERVICES[index]))
    path = heat_conf_file('[%s]\n%s = nan\n' % (group, option))
    code, only = json_check(path)
    assert (code, only['result']) == (2, 2)
    assert only['details'].startswith('Invalid value for [%s] %s in '
                                      'heat.conf: ' % (group, option))
    assert only['details'].endswith('(from %s)' % path)


def file_error(path):
    result = check(path)
    assert result.returncode == 2
    assert result.stdout == ''
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_upgrade_check_names_a_missing_file(tmp_path):
    path = tmp_path / 'nowhere.conf'
    assert file_error(path) == 'ERROR: %s does not exist' % path


def test_upgrade_check_names_a_directory(tmp_path):
    assert file_error(tmp_path) == (
        'ERROR: %s is a directory, not a file' % tmp_path)


def test_upgrade_check_names_a_file_that_is_not_ini(heat_conf_file):
    path = heat_conf_file('[clients\n')
    assert file_error(path).startswith(
        "ERROR: %s is not an INI file: at %s:1, Invalid section"
        % (path, path))


def test_upgrade_check_names_a_file_that_is_not_utf8(heat_conf_file):
    path = heat_conf_file(b'\xff\xfe[clients]\n')
    assert file_error(path) == (
        'ERROR: %s is not UTF-8 text: byte 0xff at offset 0' % path)


def test_upgrade_check_names_an_empty_file(heat_conf_file):
    path = heat_conf_file('')
    assert file_error(path) == 'ERROR: %s is empty' % path


def test_config_files_are_those_named_on_the_command_line():
    assert status_cmd.config_files(
        ['--config-file', 'a.conf', '--config-file=b.conf', 'upgrade',
         'check']) == ['a.conf', 'b.conf']

"""The policy inspector's own module: services, file checks, loading."""

import subprocess
import sys

import pytest

from heat_retry_plugins.cmd import policy_table
from heat_retry_plugins.config import loading
from heat_retry_plugins.config import opts


def test_registered_services_are_every_heat_client_plugin():
    services = policy_table.registered_services()
    assert set(opts.SHIPPED_SERVICES) <= set(services)
    assert services == sorted(services)


def test_the_module_imports_neither_the_plugins_nor_heat():
    code = ('import sys; import heat_retry_plugins.cmd.policy_table; '
            'print(sorted(m for m in sys.modules '
            'if m.startswith(("heat_retry_plugins.clients", "heat.")) '
            'or m == "heat"))')
    out = subprocess.run([sys.executable, '-c', code], capture_output=True,
                         text=True, check=True).stdout
    assert out.strip() == '[]'


@pytest.mark.parametrize('data', [b'[clients]\n', b'# only a comment\n',
                                  b'[DEFAULT]\ndebug = true\n'])
def test_a_readable_non_empty_file_passes(heat_conf_file, data):
    policy_table.check_config_file(str(heat_conf_file(data)))


@pytest.mark.parametrize('data, reason', [
    (b'', 'is empty'),
    (b' \n\t\n', 'is empty'),
    (b'\xff\xfe[clients]\n', 'is not UTF-8 text: byte 0xff at offset 0'),
    (b'[clients]\nretry_jitter = \xe9\n',
     'is not UTF-8 text: byte 0xe9 at offset 25'),
])
def test_a_file_that_cannot_be_a_heat_conf_is_named(heat_conf_file, data,
                                                    reason):
    path = str(heat_conf_file(data))
    with pytest.raises(policy_table.UnusableConfigFile) as raised:
        policy_table.check_config_file(path)
    assert str(raised.value) == '%s %s' % (path, reason)


def test_a_missing_file_a_directory_and_a_device_are_named(tmp_path):
    for path, reason in ((tmp_path / 'none.conf', 'does not exist'),
                         (tmp_path, 'is a directory, not a file'),
                         ('/dev/null', 'is not a regular file')):
        with pytest.raises(policy_table.UnusableConfigFile) as raised:
            policy_table.check_config_file(str(path))
        assert str(raised.value) == '%s %s' % (path, reason)


def test_load_names_a_file_that_is_not_ini(heat_conf_file):
    path = str(heat_conf_file(b'retry_max_attempts = 3\n'))
    with pytest.raises(policy_table.UnusableConfigFile) as raised:
        policy_table.load([path])
    assert str(raised.value).startswith('%s is not an INI file: at %s:1, '
                                        % (path, path))


def test_load_registers_every_service_and_reads_the_files(heat_conf_file):
    path = str(heat_conf_file(b'[clients_trove]\nretry_max_attempts = 2\n'))
    conf, cache = policy_table.load([path])
    assert isinstance(cache, loading.PolicyCache)
    assert conf.clients_trove.retry_max_attempts == 2
    assert cache.get('trove').max_attempts == 2
    for service in opts.SHIPPED_SERVICES:
        assert conf[opts.service_group(service)].retry_jitter is None


def test_effective_policies_stops_at_the_first_bad_value(heat_conf_file):
    path = str(heat_conf_file(b'[clients_swift]\nretry_budget_ratio = nan\n'))
    conf, cache = policy_table.load([path])
    with pytest.raises(loading.InvalidRetryOption) as raised:
        policy_table.effective_policies(cache, ['nova', 'swift'])
    assert (raised.value.group, raised.value.option) == (
        'clients_swift', 'retry_budget_ratio')


def test_format_table_aligns_the_columns():
    value = loading.EffectiveValue('retry_max_attempts', 3, 'default')
    assert policy_table.format_table({'nova': [value]}).splitlines() == [
        'service  option              value  from',
        '-------  ------------------  -----  -------',
        'nova     retry_max_attempts  3      default',
    ]

"""Retry policies read from heat.conf: fallback, validation, mutation."""

import textwrap

from oslo_config import cfg
import pytest

from heat_retry_plugins.config import policies
from heat_retry_plugins.engine import policy as policy_mod


@pytest.fixture
def heat_conf(tmp_path):
    """Write heat.conf text and load it into a fresh ConfigOpts."""
    path = tmp_path / 'heat.conf'

    def load(text):
        path.write_text(textwrap.dedent(text))
        conf = cfg.ConfigOpts()
        retry = policies.RetryPolicies(conf)
        conf(['--config-file', str(path)], project='heat')
        return conf, retry

    load.path = path
    return load


def test_defaults_when_nothing_is_set(heat_conf):
    conf, retry = heat_conf('')
    assert retry.get('nova') == policy_mod.RetryPolicy()


def test_service_group_overrides_and_falls_back_to_clients(heat_conf):
    conf, retry = heat_conf('''
        [clients]
        retry_max_attempts = 6
        retry_jitter = equal
        [clients_nova]
        retry_max_attempts = 2
        retry_deadline = 45
        ''')
    nova = retry.get('nova')
    assert (nova.max_attempts, nova.jitter, nova.deadline) == (2, 'equal',
                                                               45.0)
    keystone = retry.get('keystone')
    assert (keystone.max_attempts, keystone.deadline) == (
        6, policy_mod.DEFAULT_DEADLINE)


def test_a_third_party_service_gets_its_own_group(heat_conf):
    conf, retry = heat_conf('''
        [clients_cinder]
        retry_initial_delay = 0.25
        ''')
    assert retry.get('cinder').initial_delay == 0.25


@pytest.mark.parametrize('group, line, reason', [
    ('clients_nova', 'retry_max_attempts = 0', 'greater than or equal to 1'),
    ('clients_nova', 'retry_max_attempts = many', 'invalid literal'),
    ('clients', 'retry_jitter = random', 'Valid values are'),
    ('clients', 'retry_backoff_multiplier = 0.5', 'greater than or equal'),
    ('clients_nova', 'retry_deadline = -1', 'greater than or equal to 0'),
    ('clients', 'retry_max_delay = 1e9', 'less than or equal to 86400'),
])
def test_bad_value_names_the_group_and_option(heat_conf, group, line,
                                              reason):
    conf, retry = heat_conf('[%s]\n%s\n' % (group, line))
    option = line.split(' =')[0]
    with pytest.raises(policies.InvalidRetryOption) as raised:
        retry.get('nova')
    message = str(raised.value)
    assert message.startswith('Invalid value for [%s] %s in heat.conf'
                              % (group, option))
    assert reason in message
    assert str(heat_conf.path) in message
    assert (raised.value.group, raised.value.option) == (group, option)


def test_the_built_policy_is_cached(heat_conf):
    conf, retry = heat_conf('')
    assert retry.get('nova') is retry.get('nova')


def test_a_mutated_config_file_takes_effect_on_the_next_read(heat_conf):
    conf, retry = heat_conf('[clients_nova]\nretry_max_attempts = 2\n')
    before = retry.get('nova')
    heat_conf.path.write_text('[clients_nova]\nretry_max_attempts = 7\n')
    conf.mutate_config_files()
    after = retry.get('nova')
    assert (before.max_attempts, after.max_attempts) == (2, 7)


def test_a_mutation_to_a_bad_value_is_reported_not_swallowed(heat_conf):
    conf, retry = heat_conf('')
    retry.get('nova')
    heat_conf.path.write_text('[clients]\nretry_max_attempts = -4\n')
    conf.mutate_config_files()
    with pytest.raises(policies.InvalidRetryOption):
        retry.get('nova')


def test_effective_values_say_where_each_came_from(heat_conf):
    conf, retry = heat_conf('''
        [clients]
        retry_max_delay = 12
        [clients_nova]
        retry_max_attempts = 3
        ''')
    sources = {v.option: (v.value, v.source) for v in retry.effective('nova')}
    assert sources['retry_max_attempts'] == (3, '[clients_nova]')
    assert sources['retry_max_delay'] == (12.0, '[clients]')
    assert sources['retry_jitter'] == ('full', 'default')


def test_for_conf_shares_one_instance_per_config_object():
    conf = cfg.ConfigOpts()
    assert policies.for_conf(conf) is policies.for_conf(conf)
    assert policies.for_conf(conf) is not policies.for_conf(cfg.ConfigOpts())

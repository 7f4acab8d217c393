"""Retry policies read from heat.conf: fallback, validation, mutation."""

import textwrap

from oslo_config import cfg
from oslo_config import types
import pytest

from heat_retry_plugins.config import loading
from heat_retry_plugins.config import opts
from heat_retry_plugins.retry import guards
from heat_retry_plugins.retry import policies

FLOAT_OPTIONS = {opt.name: opt.type for opt in opts.clients_opts
                 if isinstance(opt.type, types.Float)}


@pytest.fixture
def fresh_conf(heat_conf_file):
    """Load heat.conf text into a new ConfigOpts and its PolicyCache.

    ``fresh_conf(text)`` returns ``(conf, cache)``; ``fresh_conf.path`` is
    the file, for the tests that change it.
    """
    def load(text):
        path = heat_conf_file(textwrap.dedent(text))
        conf = cfg.ConfigOpts()
        cache = loading.PolicyCache(conf)
        conf(['--config-file', str(path)], project='heat')
        return conf, cache

    load.path = heat_conf_file.path
    return load


def raised_by(cache, service):
    with pytest.raises(loading.InvalidRetryOption) as raised:
        cache.get(service)
    return raised.value


def test_defaults_when_nothing_is_set(fresh_conf):
    conf, cache = fresh_conf('')
    assert cache.get('nova') == policies.RetryPolicy()
    assert cache.guard_settings('nova') == guards.GuardSettings()
    assert cache.marks_creates('nova') is True


def test_service_group_overrides_and_falls_back_to_clients(fresh_conf):
    conf, cache = fresh_conf('''
        [clients]
        retry_max_attempts = 6
        retry_jitter = equal
        [clients_nova]
        retry_max_attempts = 2
        retry_deadline = 45
        ''')
    nova = cache.get('nova')
    assert (nova.max_attempts, nova.jitter, nova.deadline) == (2, 'equal',
                                                               45.0)
    keystone = cache.get('keystone')
    assert (keystone.max_attempts, keystone.deadline) == (
        6, policies.DEFAULT_DEADLINE)


def test_a_third_party_service_gets_its_own_group(fresh_conf):
    conf, cache = fresh_conf('''
        [clients_acme]
        retry_initial_delay = 0.25
        ''')
    assert cache.get('acme').initial_delay == 0.25


@pytest.mark.parametrize('group, line, reason', [
    ('clients_nova', 'retry_max_attempts = 0', 'greater than or equal to 1'),
    ('clients_nova', 'retry_max_attempts = many', 'invalid literal'),
    ('clients', 'retry_jitter = random', 'Valid values are'),
    ('clients', 'retry_backoff_multiplier = 0.5', 'greater than or equal'),
    ('clients_nova', 'retry_deadline = -1', 'greater than or equal to 0'),
    ('clients', 'retry_max_delay = 1e9', 'less than or equal to 86400'),
    ('clients_nova', 'retry_ownership_marker = maybe',
     'Unexpected boolean value'),
    ('clients', 'retry_breaker_probe_timeout = -5',
     'greater than or equal to 0'),
])
def test_bad_value_names_the_group_and_option(fresh_conf, group, line,
                                              reason):
    conf, cache = fresh_conf('[%s]\n%s\n' % (group, line))
    option = line.split(' =')[0]
    error = raised_by(cache, 'nova')
    message = str(error)
    assert message.startswith('Invalid value for [%s] %s in heat.conf'
                              % (group, option))
    assert reason in message
    assert str(fresh_conf.path) in message
    assert (error.group, error.option) == (group, option)


@pytest.mark.parametrize('group', ['clients', 'clients_nova'])
@pytest.mark.parametrize('option', FLOAT_OPTIONS)
@pytest.mark.parametrize('value', ['nan', 'inf', '-inf', '1e400'])
def test_a_value_that_is_not_finite_names_its_own_group_and_option(
        fresh_conf, group, option, value):
    conf, cache = fresh_conf('[%s]\n%s = %s\n' % (group, option, value))
    error = raised_by(cache, 'nova')
    assert (error.group, error.option) == (group, option)
    bounds = FLOAT_OPTIONS[option]
    assert str(error) == (
        'Invalid value for [%s] %s in heat.conf: Should be a finite number '
        'from %g to %g, but found %s (from %s)' % (
            group, option, bounds.min, bounds.max, value, fresh_conf.path))
    assert '(combination)' not in str(error)


@pytest.mark.parametrize('option', ['retry_budget_capacity',
                                    'retry_budget_ratio',
                                    'retry_breaker_cooldown'])
def test_nan_in_clients_is_named_in_clients_for_a_service_that_falls_back(
        fresh_conf, option):
    conf, cache = fresh_conf('[clients]\n%s = nan\n' % option)
    for service in ('nova', 'cinder'):
        with pytest.raises(loading.InvalidRetryOption) as raised:
            cache.guard_settings(service)
        assert raised.value.group == 'clients'
        assert raised.value.option == option


def test_a_service_that_sets_the_option_is_not_hurt_by_clients(fresh_conf):
    conf, cache = fresh_conf('''
        [clients]
        retry_budget_ratio = nan
        [clients_nova]
        retry_budget_ratio = 0.5
        ''')
    assert cache.guard_settings('nova').budget_ratio == 0.5
    assert raised_by(cache, 'keystone').group == 'clients'


def test_an_empty_value_in_clients_is_named(fresh_conf):
    conf, cache = fresh_conf('[clients]\nretry_max_attempts =\n')
    error = raised_by(cache, 'nova')
    assert (error.group, error.option) == ('clients', 'retry_max_attempts')
    assert 'Should not be empty' in str(error)
    assert str(fresh_conf.path) in str(error)


def test_an_empty_value_in_a_service_group_falls_back(fresh_conf):
    conf, cache = fresh_conf('''
        [clients]
        retry_max_attempts = 3
        [clients_nova]
        retry_max_attempts =
        ''')
    assert cache.get('nova').max_attempts == 3


def test_initial_delay_above_max_delay_is_allowed(fresh_conf):
    conf, cache = fresh_conf('[clients]\nretry_initial_delay = 60\n'
                             'retry_max_delay = 5\n')
    nova = cache.get('nova')
    assert (nova.initial_delay, nova.max_delay) == (60.0, 5.0)


def test_a_value_the_policy_refuses_is_named_by_its_option(
        fresh_conf, monkeypatch):
    # The option types are at least as strict as RetryPolicy (see
    # test_opts); a stricter policy stands in for one that is not.
    class StricterPolicy(policies.RetryPolicy):
        def __post_init__(self):
            if self.max_delay > 10:
                raise ValueError('max_delay must be at most 10')

    monkeypatch.setattr(policies, 'RetryPolicy', StricterPolicy)
    conf, cache = fresh_conf('[clients]\nretry_max_delay = 20\n')
    error = raised_by(cache, 'nova')
    assert (error.group, error.option) == ('clients', 'retry_max_delay')
    assert str(error) == ('Invalid value for [clients] retry_max_delay in '
                          'heat.conf: max_delay must be at most 10 (from %s)'
                          % fresh_conf.path)


def test_probe_timeout_reaches_the_guard_settings(fresh_conf):
    conf, cache = fresh_conf('[clients]\nretry_breaker_probe_timeout = 4\n'
                             '[clients_nova]\n'
                             'retry_breaker_probe_timeout = 2.5\n')
    assert cache.guard_settings('nova').breaker_probe_timeout == 2.5
    assert cache.guard_settings('glance').breaker_probe_timeout == 4.0


def test_marks_creates_falls_back_to_clients(fresh_conf):
    conf, cache = fresh_conf('''
        [clients]
        retry_ownership_marker = false
        [clients_nova]
        retry_ownership_marker = true
        ''')
    assert cache.marks_creates('nova') is True
    assert cache.marks_creates('keystone') is False


def test_marks_creates_is_read_again_after_a_mutation(fresh_conf):
    conf, cache = fresh_conf('[clients_nova]\nretry_ownership_marker = on\n')
    before = cache.marks_creates('nova')
    fresh_conf.path.write_text(
        '[clients_nova]\nretry_ownership_marker = off\n')
    conf.mutate_config_files()
    assert (before, cache.marks_creates('nova')) == (True, False)


def test_the_built_policy_is_cached(fresh_conf):
    conf, cache = fresh_conf('')
    assert cache.get('nova') is cache.get('nova')
    assert cache.guard_settings('nova') is cache.guard_settings('nova')


def test_a_mutated_config_file_takes_effect_on_the_next_read(fresh_conf):
    conf, cache = fresh_conf('[clients_nova]\nretry_max_attempts = 2\n')
    before = cache.get('nova')
    fresh_conf.path.write_text('[clients_nova]\nretry_max_attempts = 7\n')
    conf.mutate_config_files()
    after = cache.get('nova')
    assert (before.max_attempts, after.max_attempts) == (2, 7)


def test_a_mutation_to_a_bad_value_is_reported_not_swallowed(fresh_conf):
    conf, cache = fresh_conf('')
    cache.get('nova')
    fresh_conf.path.write_text('[clients]\nretry_budget_floor = nan\n')
    conf.mutate_config_files()
    error = raised_by(cache, 'nova')
    assert (error.group, error.option) == ('clients', 'retry_budget_floor')


def test_effective_values_say_where_each_came_from(fresh_conf):
    conf, cache = fresh_conf('''
        [clients]
        retry_max_delay = 12
        [clients_nova]
        retry_max_attempts = 3
        retry_ownership_marker = false
        ''')
    effective = cache.effective('nova')
    assert tuple(v.option for v in effective) == opts.OPTION_NAMES
    sources = {v.option: (v.value, v.source) for v in effective}
    assert sources['retry_max_attempts'] == (3, '[clients_nova]')
    assert sources['retry_max_delay'] == (12.0, '[clients]')
    assert sources['retry_jitter'] == ('full', 'default')
    assert sources['retry_breaker_probe_timeout'] == (30.0, 'default')
    assert sources['retry_ownership_marker'] == (False, '[clients_nova]')


def test_for_conf_shares_one_instance_per_config_object():
    conf = cfg.ConfigOpts()
    assert loading.for_conf(conf) is loading.for_conf(conf)
    assert loading.for_conf(conf) is not loading.for_conf(cfg.ConfigOpts())

"""The option lists and what oslo-config-generator makes of them."""

from importlib import metadata
import itertools
import pathlib
import subprocess
import sys

from heat.common import config as heat_config
from oslo_config import cfg
from oslo_config import types
import pytest

from heat_retry_plugins.config import opts
from heat_retry_plugins.retry import guards
from heat_retry_plugins.retry import policies

ROOT = pathlib.Path(__file__).resolve().parents[3]

HEAT_27_CLIENT_PLUGINS = (
    'aodh', 'barbican', 'blazar', 'cinder', 'designate', 'glance', 'heat',
    'ironic', 'keystone', 'magnum', 'manila', 'mistral', 'neutron', 'nova',
    'octavia', 'openstack', 'swift', 'trove', 'zaqar', 'zun')

NOT_FINITE = ('nan', 'NaN', '-nan', 'inf', '-inf', 'Infinity', '1e400',
              '-1e400')


def test_every_heat_27_client_plugin_has_its_group():
    assert set(opts.SHIPPED_SERVICES) == set(HEAT_27_CLIENT_PLUGINS)
    groups = [group for group, _ in opts.list_opts()]
    assert groups == ['clients'] + ['clients_%s' % name
                                    for name in opts.SHIPPED_SERVICES]


def test_list_opts_returns_the_registered_objects():
    conf = cfg.ConfigOpts()
    for service in opts.SHIPPED_SERVICES:
        opts.register_opts(conf, service)
    listed = dict(opts.list_opts())
    assert listed['clients'] is opts.clients_opts
    assert listed['clients_nova'] is opts.service_opts('nova')
    for group, group_opts in listed.items():
        for opt in group_opts:
            # NOTE: register_opt is False for an option registered as it
            # is, and raises DuplicateOptError for another of its name.
            assert conf.register_opt(opt, group) is False


def test_every_option_has_help_a_type_and_bounds():
    for group, group_opts in opts.list_opts():
        assert tuple(o.name for o in group_opts) == opts.OPTION_NAMES
        for opt in group_opts:
            assert opt.help.endswith('.') and len(opt.help) > 40
            assert opt.mutable
            if isinstance(opt.type, types.Boolean):
                continue
            bounded = ((getattr(opt.type, 'min', None) is not None and
                        getattr(opt.type, 'max', None) is not None) or
                       getattr(opt.type, 'choices', None))
            assert bounded, opt.name


def test_every_float_option_refuses_values_that_are_not_finite():
    floats = [opt for _, group_opts in opts.list_opts()
              for opt in group_opts if isinstance(opt.type, types.Float)]
    assert floats
    for opt in floats:
        assert isinstance(opt.type, opts.FiniteFloat), opt.name
        for text in NOT_FINITE:
            with pytest.raises(ValueError, match='finite number'):
                opt.type(text)


@pytest.mark.parametrize('text', NOT_FINITE)
def test_finite_float_names_the_range_and_the_value(text):
    with pytest.raises(ValueError) as raised:
        opts.FiniteFloat(0.0, 1.0)(text)
    assert str(raised.value) == (
        'Should be a finite number from 0 to 1, but found %s' % text)


def test_finite_float_keeps_oslo_config_s_checks_and_empty_value():
    number = opts.FiniteFloat(0.0, 1.0)
    assert number(' 0.25 ') == 0.25
    assert number(1) == 1.0
    assert number('') is None
    with pytest.raises(ValueError, match='less than or equal to 1'):
        number('2')
    with pytest.raises(ValueError, match='could not convert'):
        number('abc')


def extremes(names):
    """Every combination of the smallest and largest value of options."""
    by_name = {opt.name: opt.type for opt in opts.clients_opts}
    values = [tuple(by_name[name].choices) if by_name[name].choices
              else (by_name[name].min, by_name[name].max)
              for name in names]
    return [dict(zip(names, chosen)) for chosen in itertools.product(*values)]


@pytest.mark.parametrize('value_type, fields', [
    (policies.RetryPolicy, opts.POLICY_FIELDS),
    (guards.GuardSettings, opts.GUARD_FIELDS),
])
def test_extreme_values_of_the_options_make_valid_settings(value_type,
                                                           fields):
    # The option bounds must be no looser than the value objects' checks,
    # or a value oslo.config accepts would fail as a policy.
    combinations = extremes(list(fields))
    assert len(combinations) >= 2 ** 5
    for chosen in combinations:
        value_type(**{field: chosen[name] for name, field in fields.items()})


def test_guard_fields_are_fields_of_guard_settings():
    fields = set(guards.GuardSettings.__dataclass_fields__)
    assert set(opts.GUARD_FIELDS.values()) <= fields
    assert opts.GUARD_FIELDS['retry_breaker_probe_timeout'] == (
        'breaker_probe_timeout')


def test_the_new_options_and_their_defaults():
    by_name = {opt.name: opt for opt in opts.clients_opts}
    probe = by_name['retry_breaker_probe_timeout']
    assert (probe.default, probe.type.min, probe.type.max) == (
        30.0, 0.0, 86400.0)
    marker = by_name[opts.OWNERSHIP_MARKER_OPTION]
    assert isinstance(marker.type, types.Boolean)
    assert marker.default is True
    assert 'ownership token' in marker.help
    assert 'not retried' in marker.help


def test_the_retry_suffix_names_the_plugins_registered_in_heat_clients():
    ours = {entry.name for entry in metadata.entry_points(
        group='heat.clients') if entry.value.startswith('heat_retry_plugins')}
    assert ours == {name + opts.RETRY_SUFFIX
                    for name in opts.SHIPPED_SERVICES}


def test_service_groups_fall_back_and_say_so():
    for opt in opts.service_opts('nova'):
        assert opt.default is None
        assert 'value of the same option in [clients]' in opt.help


@pytest.mark.parametrize('name', ['ironic', 'blazar', 'zun', 'nova'])
def test_heats_own_client_options_still_fall_back_on_clients(heat_conf,
                                                             name):
    # Registering makes [clients_<name>]; Heat's plugins must still find
    # their endpoint_type there, from [clients] (ironic, blazar and zun have
    # no group of Heat's own).
    opts.register_opts(cfg.CONF, name)
    heat_conf.set(group='clients', endpoint_type='internalURL')
    assert heat_config.get_client_option(name, 'endpoint_type') == (
        'internalURL')


def test_registering_twice_is_harmless():
    conf = cfg.ConfigOpts()
    opts.register_opts(conf, 'nova')
    opts.register_opts(conf, 'nova')
    conf([])
    assert conf.clients_nova.retry_max_attempts is None


def test_oslo_config_generator_lists_every_option():
    out = subprocess.run(
        [sys.executable, '-m', 'oslo_config.generator',
         '--namespace', 'heat_retry_plugins'],
        capture_output=True, text=True, check=True).stdout
    for group in ('clients', *('clients_%s' % name
                               for name in HEAT_27_CLIENT_PLUGINS)):
        assert '\n[%s]\n' % group in out
    for name in opts.OPTION_NAMES:
        assert out.count('#%s = ' % name) == 1 + len(HEAT_27_CLIENT_PLUGINS)
    assert '# Minimum value: 1' in out
    assert 'Allowed values' in out or 'Possible values' in out


def test_checked_in_sample_config_is_current(tmp_path):
    out = tmp_path / 'sample.conf'
    subprocess.run(
        [sys.executable, '-m', 'oslo_config.generator', '--config-file',
         str(ROOT / 'etc/oslo-config-generator/heat-retry-plugins.conf'),
         '--output-file', str(out)], check=True, cwd=ROOT)
    sample = (ROOT / 'etc/heat-retry-plugins.conf.sample').read_text()
    assert out.read_text() == sample, (
        'etc/heat-retry-plugins.conf.sample is stale: run tox -e genconfig')

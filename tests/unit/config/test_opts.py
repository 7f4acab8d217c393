"""The option lists and what oslo-config-generator makes of them."""

import subprocess
import sys

from oslo_config import cfg

from heat_retry_plugins.config import opts


def test_list_opts_returns_the_registered_objects():
    conf = cfg.ConfigOpts()
    opts.register_opts(conf, 'nova')
    listed = dict(opts.list_opts())
    assert listed['clients'] is opts.clients_opts
    assert listed['clients_nova'] is opts.service_opts('nova')
    for group, group_opts in listed.items():
        if group in ('clients', 'clients_nova'):
            for opt in group_opts:
                assert conf[group]._group._opts[opt.dest]['opt'] is opt


def test_every_option_has_help_a_type_and_bounds():
    for group, group_opts in opts.list_opts():
        names = {o.name for o in group_opts}
        assert names == set(opts.POLICY_FIELDS) | set(opts.GUARD_FIELDS)
        for opt in group_opts:
            assert opt.help.endswith('.') and len(opt.help) > 40
            assert opt.mutable
            bounded = (getattr(opt.type, 'min', None) is not None or
                       getattr(opt.type, 'choices', None))
            assert bounded, opt.name


def test_service_groups_fall_back_and_say_so():
    for opt in opts.service_opts('nova'):
        assert opt.default is None
        assert 'value of the same option in [clients]' in opt.help


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
    for group in ('[clients]', '[clients_nova]', '[clients_keystone]'):
        assert group in out
    for name in (*opts.POLICY_FIELDS, *opts.GUARD_FIELDS):
        assert out.count('#%s = ' % name) == 3
    assert '# Minimum value: 1' in out
    assert 'Allowed values' in out or 'Possible values' in out

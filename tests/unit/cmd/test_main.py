"""heat-retry-plugins: its subcommands' arguments and ``policies``."""

import argparse
import pathlib

import pytest

from heat_retry_plugins.cmd import main
from heat_retry_plugins.config import opts
from heat_retry_plugins.heatrun import templates


def parse_demo(*argv):
    return main.build_parser().parse_args(['demo', *argv])


def usage_error(capsys, *argv):
    """Run the command line; return stderr's error lines after exit 2."""
    with pytest.raises(SystemExit) as raised:
        main.main(list(argv))
    err = capsys.readouterr().err
    assert raised.value.code == 2
    assert 'Traceback' not in err
    return [line for line in err.splitlines() if ': error: ' in line]


@pytest.mark.parametrize('option, value, reason', [
    ('--resources', '0', 'must be from 1 to 2000, not 0'),
    ('--resources', '-3', 'must be from 1 to 2000, not -3'),
    ('--resources', '2001', 'must be from 1 to 2000, not 2001'),
    ('--resources', '100000000', 'must be from 1 to 2000, not 100000000'),
    ('--resources', '1.5', "must be an integer, not '1.5'"),
    ('--resources', 'many', "must be an integer, not 'many'"),
    ('--fault-rate', '2', 'must be from 0 to 1, not 2'),
    ('--fault-rate', '-1', 'must be from 0 to 1, not -1'),
    ('--fault-rate', 'nan', 'must be a finite number, not nan'),
    ('--fault-rate', 'inf', 'must be a finite number, not inf'),
    ('--fault-rate', '-inf', 'must be a finite number, not -inf'),
    ('--fault-rate', '1e400', 'must be a finite number, not 1e400'),
    ('--fault-rate', 'abc', "must be a number, not 'abc'"),
    ('--seed', 'abc', "must be an integer, not 'abc'"),
    ('--seed', '0.5', "must be an integer, not '0.5'"),
    ('--seed', '9' * 5000, 'must be an integer'),
])
def test_a_bad_demo_argument_is_one_usage_error(capsys, option, value,
                                                reason):
    # NOTE: "--fault-rate=-inf": argparse takes a lone "-inf" for an option.
    errors = usage_error(capsys, 'demo', '%s=%s' % (option, value))
    assert len(errors) == 1
    assert errors[0].startswith('heat-retry-plugins demo: error: '
                                'argument %s: %s' % (option, reason))


def test_good_demo_arguments_are_parsed():
    args = parse_demo('--resources', '2000', '--fault-rate', '1', '--seed',
                      '-7')
    assert (args.resources, args.fault_rate, args.seed) == (2000, 1.0, -7)
    args = parse_demo('--fault-rate', '0')
    assert (args.resources, args.fault_rate, args.seed) == (40, 0.0, 1)


def test_the_demo_kinds_are_the_shipped_templates():
    assert sorted(main.DEMO_KINDS) == sorted(templates.SHIPPED)


def test_demo_defaults_are_40_servers_deleted_under_5_percent():
    args = parse_demo()
    assert (args.kind, args.template, args.resources) == ('servers', None, 40)
    assert (args.fault_rate, args.faults, args.seed) == (0.05, None, 1)
    assert (args.delete, args.json, args.parameter) == (True, False, None)
    assert not hasattr(args, 'resources_given')


def test_given_demo_options_are_told_from_defaults():
    args = parse_demo('--resources', '40', '--seed', '1', '--no-delete')
    assert args.resources_given and args.seed_given
    assert args.delete is False


def test_demo_parameters_are_split_at_the_first_equals_sign():
    args = parse_demo('--parameter', 'a=1', '--parameter', 'b=x=y',
                      '--parameter', 'c=')
    assert args.parameter == [('a', '1'), ('b', 'x=y'), ('c', '')]


@pytest.mark.parametrize('argv, message', [
    (['--parameter', 'flavor'],
     "argument --parameter: must be KEY=VALUE, not 'flavor'"),
    (['--parameter', '=m1.tiny'],
     "argument --parameter: must be KEY=VALUE, not '=m1.tiny'"),
    (['--kind', 'large', '--template', 'x.yaml'],
     'argument --template: not allowed with argument --kind'),
    (['--fault-rate', '0.1', '--faults', 'x.yaml'],
     'argument --faults: not allowed with argument --fault-rate'),
    (['--kind', 'huge'], "argument --kind: invalid choice: 'huge'"),
])
def test_a_bad_demo_option_or_combination_is_one_usage_error(capsys, argv,
                                                             message):
    errors = usage_error(capsys, 'demo', *argv)
    assert len(errors) == 1
    assert errors[0].startswith('heat-retry-plugins demo: error: ' +
                                message)


def test_the_demo_help_states_the_bounds(capsys):
    with pytest.raises(SystemExit):
        main.main(['demo', '--help'])
    out = ' '.join(capsys.readouterr().out.split())
    assert '1 to 2000' in out
    assert 'from 0 to 1' in out


def test_fake_cloud_passes_every_argument_after_it_to_the_fake_cloud(
        capsys):
    assert main.main(['fake-cloud', '--help']) == 0
    assert '--faults' in capsys.readouterr().out


@pytest.mark.parametrize('make, low, high, good, bad', [
    (main.integer, None, None, ('-5', '0', '12'), ('x', '1e3')),
    (main.integer, 3, None, ('3', '40'), ('2',)),
    (main.integer, None, 3, ('-9', '3'), ('4',)),
    (main.finite_float, None, None, ('-1e300', '0.5'), ('nan', 'inf')),
    (main.finite_float, 0.5, None, ('0.5',), ('0.49',)),
    (main.finite_float, None, 0.5, ('-2',), ('0.51',)),
])
def test_the_type_functions_are_reusable(make, low, high, good, bad):
    parse = make(low, high)
    for text in good:
        assert parse(text) == float(text)
    for text in bad:
        with pytest.raises(argparse.ArgumentTypeError):
            parse(text)


def test_policies_prints_every_service_and_where_each_knob_came_from(
        heat_conf_file, capsys):
    path = heat_conf_file('[clients]\nretry_max_delay = 12\n'
                          '[clients_nova]\nretry_max_attempts = 3\n'
                          '[clients_zun]\nretry_ownership_marker = false\n')
    assert main.main(['policies', '--config-file', str(path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    rows = {tuple(line.split()[:2]): line.split()[2:] for line in lines[2:]}
    assert rows[('nova', 'retry_max_attempts')] == ['3', '[clients_nova]']
    assert rows[('nova', 'retry_max_delay')] == ['12.0', '[clients]']
    assert rows[('keystone', 'retry_max_attempts')] == ['4', 'default']
    assert rows[('nova', 'retry_budget_capacity')] == ['10.0', 'default']
    assert rows[('zun', 'retry_ownership_marker')] == ['False',
                                                       '[clients_zun]']
    assert rows[('aodh', 'retry_breaker_probe_timeout')] == ['30.0',
                                                             'default']
    services = {service for service, _ in rows}
    assert services >= set(opts.SHIPPED_SERVICES)
    for service in services:
        assert {name for s, name in rows if s == service} == set(
            opts.OPTION_NAMES)


def policies_error(capsys, *paths):
    argv = ['policies']
    for path in paths:
        argv += ['--config-file', str(path)]
    assert main.main(argv) == 1
    captured = capsys.readouterr()
    assert captured.out == ''
    lines = captured.err.splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith('ERROR: ')
    assert 'Traceback' not in captured.err
    return lines[0]


def test_policies_names_a_missing_file(tmp_path, capsys):
    path = tmp_path / 'nowhere.conf'
    assert policies_error(capsys, path) == 'ERROR: %s does not exist' % path


def test_policies_names_a_directory(tmp_path, capsys):
    assert policies_error(capsys, tmp_path) == (
        'ERROR: %s is a directory, not a file' % tmp_path)


def test_policies_names_a_file_that_is_not_ini(heat_conf_file, capsys):
    path = heat_conf_file('[clients\nretry_max_attempts = 3\n')
    line = policies_error(capsys, path)
    assert line.startswith('ERROR: %s is not an INI file: ' % path)
    assert 'Invalid section' in line


def test_policies_names_a_file_that_is_not_utf8(heat_conf_file, capsys):
    path = heat_conf_file(b'\xff\xfe[clients]\n')
    assert policies_error(capsys, path) == (
        'ERROR: %s is not UTF-8 text: byte 0xff at offset 0' % path)


def test_policies_names_an_empty_file(heat_conf_file, capsys):
    path = heat_conf_file('\n  \n')
    assert policies_error(capsys, path) == 'ERROR: %s is empty' % path


def test_policies_names_the_bad_one_of_several_files(tmp_path, capsys,
                                                     heat_conf_file):
    good = heat_conf_file('[clients]\nretry_max_attempts = 5\n')
    missing = tmp_path / 'override.conf'
    assert policies_error(capsys, good, missing) == (
        'ERROR: %s does not exist' % missing)


def test_policies_takes_a_path_that_looks_like_an_option(
        tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    pathlib.Path('-x.conf').write_text('[clients]\nretry_max_attempts = 5\n')
    assert main.main(['policies', '--config-file=-x.conf']) == 0
    rows = [line.split() for line in capsys.readouterr().out.splitlines()]
    assert ['nova', 'retry_max_attempts', '5', '[clients]'] in rows


@pytest.mark.parametrize('group', ['clients', 'clients_keystone',
                                   'clients_octavia'])
@pytest.mark.parametrize('option', opts.OPTION_NAMES)
def test_policies_names_a_bad_value_of_any_option_in_any_group(
        heat_conf_file, capsys, group, option):
    path = heat_conf_file('[%s]\n%s = nan\n' % (group, option))
    line = policies_error(capsys, path)
    assert line.startswith('ERROR: Invalid value for [%s] %s in heat.conf: '
                           % (group, option))
    assert line.endswith('(from %s)' % path)
    assert '(combination)' not in line

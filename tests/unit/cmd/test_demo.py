"""The demo: the README's first command."""

import io

import pytest

from heat_retry_plugins.cmd import main as main_cmd
from heat_retry_plugins.heatrun import engine


def run_demo(*argv):
    out = io.StringIO()
    args = main_cmd.build_parser().parse_args(['demo', '--quiet', *argv])
    from heat_retry_plugins.cmd import demo
    try:
        code = demo.main(args, out=out)
    finally:
        engine.reset()
    return code, out.getvalue()


def table(text):
    rows = {}
    for line in text.splitlines():
        if line.startswith(('stack ', 'duplicates', 'leaked', 'servers made',
                            'keypairs made', 'resources created',
                            'faults injected')):
            label = line[:21].strip()
            rows[label] = line[21:].split()
    return rows


def test_plugins_succeed_where_stock_heat_fails_on_the_same_seed():
    code, text = run_demo('--resources', '10', '--fault-rate', '0.1',
                          '--seed', '1')
    rows = table(text)
    stock, plugins = rows['stack create']
    assert (stock, plugins) == ('CREATE_FAILED', 'CREATE_COMPLETE'), text
    assert rows['stack delete'][-1] == 'DELETE_COMPLETE'
    assert rows['resources created'][-1] == '10/10'
    assert rows['duplicates'] == ['0', '0']
    assert rows['leaked after delete'][-1] == '0'
    for heading in ('HTTP requests', 'retries', 'wall time'):
        assert heading in text
    assert code == 0


@pytest.mark.parametrize('kind', ['keypairs', 'keystone'])
def test_other_kinds_run_under_faults(kind):
    code, text = run_demo('--kind', kind, '--resources', '10',
                          '--fault-rate', '0.1', '--seed', '1')
    assert table(text)['stack create'][-1] == 'CREATE_COMPLETE', text
    assert int(table(text)['faults injected'][-1]) > 0
    assert code == 0


def test_fake_cloud_subcommand_passes_its_arguments_through(capsys):
    assert main_cmd.main(['fake-cloud', '--help']) == 0
    assert '--faults' in capsys.readouterr().out

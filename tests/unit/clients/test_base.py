"""The base plugin inside a real Heat context: registration, loading."""

import logging

from heat.engine import clients
from heat.engine.clients.os import keystone as heat_keystone
from heat.engine.clients.os import nova as heat_nova
import pytest

from heat_retry_plugins.clients import backend
from heat_retry_plugins.clients import generated
from heat_retry_plugins.config import loading
from heat_retry_plugins.retry import policies
from heat_retry_plugins.retry import verdicts
from heat_retry_plugins.session import layer
from tests import heat_support


class NoCloud:
    """Enough of a cloud for a context that never sends a request."""

    auth_url = 'http://127.0.0.1:9/v3'
    username, password, user_id = 'admin', 'not-used', 'u'
    project_id, project_name = 'p', 'admin'
    domain_id, region = 'default', 'RegionOne'


@pytest.fixture
def context(heat_conf):
    return heat_support.heat_context(NoCloud(), heat_conf)


def test_plugins_are_registered_in_heat_clients_under_retry_names(context):
    assert clients.has_client('nova_retry')
    assert clients.has_client('keystone_retry')
    assert isinstance(context.clients.client_plugin('nova_retry'),
                      generated.NovaRetryClientPlugin)
    assert isinstance(context.clients.client_plugin('keystone_retry'),
                      generated.KeystoneRetryClientPlugin)
    # Heat's own names still resolve to Heat's own plugins.
    assert type(context.clients.client_plugin('nova')) is \
        heat_nova.NovaClientPlugin


def test_plugins_keep_heats_helpers(context):
    plugin = context.clients.client_plugin('nova_retry')
    assert isinstance(plugin, heat_nova.NovaClientPlugin)
    assert isinstance(context.clients.client_plugin('keystone_retry'),
                      heat_keystone.KeystoneClientPlugin)
    for helper in ('get_server', 'fetch_server', 'find_flavor_by_name_or_id',
                   'is_not_found', 'ignore_not_found', 'is_over_limit'):
        assert callable(getattr(plugin, helper))


def test_making_a_plugin_installs_the_request_layer(context, heat_conf):
    heat_conf.set(client_retry_limit=5)
    context.clients.client_plugin('nova_retry')
    assert isinstance(context.keystone_session, layer.RetryingSession)
    assert context.keystone_session._connect_retries == 0


def test_unknown_policy_raises_before_the_call(context):
    plugin = context.clients.client_plugin('nova_retry')
    calls = []
    with pytest.raises(policies.UnknownPolicy):
        plugin.call_with_retry_policy('idempotent', calls.append, 1)
    assert calls == []


def test_policy_follows_the_service_group(context, heat_conf):
    heat_conf.set(group='clients', retry_max_attempts=6)
    heat_conf.set(group='clients_nova', retry_max_attempts=2)
    assert context.clients.client_plugin(
        'nova_retry').retry_policy().max_attempts == 2
    assert context.clients.client_plugin(
        'keystone_retry').retry_policy().max_attempts == 6


def test_changed_value_takes_effect_on_the_next_call(context, heat_conf):
    heat_conf.set(group='clients_nova', retry_max_attempts=1)
    plugin = context.clients.client_plugin('nova_retry')
    plugin.sleep = lambda seconds: None
    error = ValueError('boom')
    classified = plugin.classify
    plugin.classify = lambda exc: (transient()
                                   if exc is error else classified(exc))

    def flaky(outcomes):
        def call():
            outcome = outcomes.pop(0)
            if outcome is error:
                raise error
            return outcome
        return call

    with pytest.raises(ValueError):
        plugin.call_with_retry(flaky([error, 'ok']))
    heat_conf.set(group='clients_nova', retry_max_attempts=2)
    assert plugin.call_with_retry(flaky([error, 'ok'])) == 'ok'


def transient():
    return verdicts.Classification(verdicts.Verdict.TRANSIENT)


def test_bad_value_is_logged_at_load_and_raised_by_every_call(
        context, heat_conf, caplog):
    heat_conf.load('[clients_nova]\nretry_max_attempts = 0\n')
    caplog.set_level(logging.ERROR)
    assert generated.NovaRetryClientPlugin.is_available()
    assert '[clients_nova] retry_max_attempts' in caplog.text
    calls = []
    plugin = context.clients.client_plugin('nova_retry')
    with pytest.raises(loading.InvalidRetryOption,
                       match=r'\[clients_nova\] retry_max_attempts'):
        plugin.call_with_retry(calls.append, 1)
    assert calls == []


@pytest.mark.parametrize('name', ['ironic', 'blazar', 'zun', 'nova'])
def test_heats_own_client_options_still_fall_back_on_clients(
        context, heat_conf, name):
    # Loading our plugins creates [clients_<name>]; Heat must still find
    # its endpoint_type there, from [clients] (ironic, blazar and zun have
    # no group of Heat's own).
    heat_conf.set(group='clients', endpoint_type='internalURL')
    assert generated.plugin_class(name).is_available()
    plugin = context.clients.client_plugin(name)
    assert plugin._get_client_option(name, 'endpoint_type') == 'internalURL'


def test_the_backend_builds_no_auth_plugin_until_a_client_is_made(
        heat_conf):
    from heat.common import context as heat_context
    heat_conf.set(cloud_backend='heat_retry_plugins.clients.RetryingClients')
    admin = heat_context.get_admin_context()
    # Stock Heat builds nothing here either: a context without
    # credentials must still give its clients.
    assert isinstance(admin.clients, backend.RetryingClients)
    assert isinstance(admin.clients.client_plugin('nova'),
                      generated.plugin_class('nova'))

"""The base plugin inside a real Heat context: the layer, the policies."""

import logging

from keystoneauth1 import exceptions as ks_exceptions
import pytest

from heat_retry_plugins.clients import generated
from heat_retry_plugins.config import loading
from heat_retry_plugins.retry import policies
from heat_retry_plugins.session import layer


def test_making_a_plugin_installs_the_request_layer(context):
    # NOTE: that keystoneauth's own connect_retries are then off is proven
    # over HTTP: tests/functional/test_keystone_plugin.py.
    context.clients.client_plugin('nova_retry')
    assert isinstance(context.keystone_session, layer.RetryingSession)


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


def failing_once():
    """A call whose first attempt meets a 503, as keystoneauth raises it."""
    outcomes = [ks_exceptions.ServiceUnavailable(), 'ok']

    def call():
        outcome = outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome
    return call


def test_changed_value_takes_effect_on_the_next_call(context, heat_conf):
    heat_conf.set(group='clients_nova', retry_max_attempts=1)
    plugin = context.clients.client_plugin('nova_retry')
    plugin.sleep = lambda seconds: None
    with pytest.raises(ks_exceptions.ServiceUnavailable):
        plugin.call_with_retry(failing_once())
    heat_conf.set(group='clients_nova', retry_max_attempts=2)
    assert plugin.call_with_retry(failing_once()) == 'ok'


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

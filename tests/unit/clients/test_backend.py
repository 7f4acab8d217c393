"""cloud_backend = heat_retry_plugins.clients.RetryingClients."""

from heat.common import context as heat_context
from heat.engine import clients

from heat_retry_plugins.clients import backend
from heat_retry_plugins.clients import generated


def test_the_backend_builds_no_auth_plugin_until_a_client_is_made(
        heat_conf):
    heat_conf.set(cloud_backend=backend.BACKEND)
    clients.initialise()
    admin = heat_context.get_admin_context()
    # Stock Heat builds nothing here either: a context without
    # credentials must still give its clients.
    assert isinstance(admin.clients, backend.RetryingClients)
    assert isinstance(admin.clients.client_plugin('nova'),
                      generated.plugin_class('nova'))


def test_heats_name_and_the_retry_name_are_one_plugin(heat_conf):
    heat_conf.set(cloud_backend=backend.BACKEND)
    clients.initialise()
    found = heat_context.get_admin_context().clients
    assert found.client_plugin('nova') is found.client_plugin('nova_retry')
    assert found.client_plugin('keystone') is not found.client_plugin('nova')

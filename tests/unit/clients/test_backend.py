#    Licensed under the Apache License, Version 2.0 (the "License"); you may
#    not use this file except in compliance with the License. You may obtain
#    a copy of the License at
#
#         http://www.apache.org/licenses/LICENSE-2.0
#
#    Unless required by applicable law or agreed to in writing, software
#    distributed under the License is distributed on an "AS IS" BASIS, WITHOUT
#    WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the
#    License for the specific language governing permissions and limitations
#    under the License.

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

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

"""The generated <name>_retry plugins: registered, and Heat's own kept."""

from heat.engine import clients
from heat.engine.clients.os import keystone as heat_keystone
from heat.engine.clients.os import nova as heat_nova

from heat_retry_plugins.clients import generated


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

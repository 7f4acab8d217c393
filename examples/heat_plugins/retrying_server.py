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

"""An example Heat resource plugin that calls Nova through nova_retry.

Load it with ``plugin_dirs = /path/to/examples/heat_plugins`` in heat.conf;
it registers ``Example::Nova::RetryingServer``, a server with an SSH
keypair of its own. Every request it makes, through ``nova_retry`` and
``glance_retry``, also goes through the request layer those plugins
install on the request context's session:

.. code-block:: yaml

    resources:
      web:
        type: Example::Nova::RetryingServer
        properties:
          flavor: m1.tiny
          image: cirros
          public_key: ssh-ed25519 AAAA... user@host
"""

from heat.engine import attributes
from heat.engine import properties
from heat.engine import resource
from heat.engine import support

RETRY_PLUGIN = 'nova_retry'


class RetryingServer(resource.Resource):
    """A Nova server and its keypair, created through retry policies."""

    support_status = support.SupportStatus(version='27.0.0')

    PROPERTIES = (FLAVOR, IMAGE, PUBLIC_KEY) = ('flavor', 'image',
                                                'public_key')
    ATTRIBUTES = (KEY_NAME, STATUS) = ('key_name', 'status')

    properties_schema = {
        FLAVOR: properties.Schema(properties.Schema.STRING,
                                  'Flavor name or id.', required=True),
        IMAGE: properties.Schema(properties.Schema.STRING,
                                 'Image name or id.', required=True),
        PUBLIC_KEY: properties.Schema(properties.Schema.STRING,
                                      'The public half of the SSH key.',
                                      required=True),
    }
    attributes_schema = {
        KEY_NAME: attributes.Schema('The name of the keypair.'),
        STATUS: attributes.Schema('The status of the server.'),
    }

    default_client_name = RETRY_PLUGIN

    def _plugin(self):
        return self.client_plugin(RETRY_PLUGIN)

    def handle_create(self):
        plugin = self._plugin()
        nova = plugin.client()
        name = self.physical_resource_name()
        # A create: sent once by the call; its POST is retried by the
        # request layer when it was not processed and, when it may have
        # been, reconciled by the ownership token the layer puts in the
        # public key's comment (adopted, never duplicated).
        plugin.call_with_retry_policy(
            'create', nova.keypairs.create, name,
            public_key=self.properties[self.PUBLIC_KEY])
        self.data_set('key_name', name)
        # Lookups are idempotent: the default policy, the call retried as
        # a whole. Heat's own helpers work on the retry plugins.
        flavor = plugin.call_with_retry(plugin.find_flavor_by_name_or_id,
                                        self.properties[self.FLAVOR])
        glance = self.client_plugin('glance_retry')
        image = glance.call_with_retry(glance.find_image_by_name_or_id,
                                       self.properties[self.IMAGE])
        # The server's token goes in its metadata; server names are not
        # unique, so a late duplicate is swept by the next request that
        # names the server (the polling below).
        server = plugin.call_with_retry_policy(
            'create', nova.servers.create, name, image, flavor,
            key_name=name, nics='none')
        self.resource_id_set(server.id)
        return server.id

    def check_create_complete(self, server_id):
        plugin = self._plugin()
        server = plugin.call_with_retry(plugin.get_server, server_id)
        return plugin._check_active(server)

    def handle_delete(self):
        plugin = self._plugin()
        nova = plugin.client()
        if self.resource_id is not None:
            with plugin.ignore_not_found:
                plugin.call_with_retry_policy('delete', nova.servers.delete,
                                              self.resource_id)
        key_name = self.data().get('key_name')
        if key_name:
            with plugin.ignore_not_found:
                plugin.call_with_retry_policy('delete', nova.keypairs.delete,
                                              key_name)
        return self.resource_id

    def check_delete_complete(self, server_id):
        if server_id is None:
            return True
        return self._plugin().check_delete_server_complete(server_id)

    def _resolve_attribute(self, name):
        if name == self.KEY_NAME:
            return self.data().get('key_name')
        if name == self.STATUS and self.resource_id:
            plugin = self._plugin()
            return plugin.call_with_retry(plugin.get_server,
                                          self.resource_id).status


def resource_mapping():
    return {'Example::Nova::RetryingServer': RetryingServer}

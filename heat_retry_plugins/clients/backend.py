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

"""``cloud_backend``: every stock Heat resource through the retry plugins.

With ``[DEFAULT] cloud_backend =
heat_retry_plugins.clients.RetryingClients`` in heat.conf, Heat resolves
``client_plugin(name)`` to the ``<name>_retry`` plugin wherever one is
registered in ``heat.clients``, and to Heat's own plugin for every other
name. Nothing else in Heat is changed.
"""

from heat.engine import clients

#: The suffix of the names this package's plugins are registered under.
RETRY_SUFFIX = '_retry'


class RetryingClients(clients.OpenStackClients):
    """Heat's client backend, preferring the retrying plugins.

    :param context: the Heat request context.
    """

    def client_plugin(self, name):
        """Return the plugin for ``name``: ``<name>_retry`` if there is one.

        ``client_plugin('nova')`` and ``client_plugin('nova_retry')``
        return the same instance, so one client cache serves both.
        """
        if not name.endswith(RETRY_SUFFIX) and \
                clients.has_client(name + RETRY_SUFFIX):
            plugin = super().client_plugin(name + RETRY_SUFFIX)
            self._client_plugins[name] = plugin
            return plugin
        return super().client_plugin(name)

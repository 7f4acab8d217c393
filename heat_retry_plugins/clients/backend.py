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

"""``cloud_backend``: every request Heat makes, through the retry layer.

With ``[DEFAULT] cloud_backend =
heat_retry_plugins.clients.RetryingClients`` in heat.conf, every request
context's keystoneauth session becomes the request layer
(:class:`~heat_retry_plugins.session.layer.RetryingSession`), so every
request of every Heat client plugin is retried by its service's policy,
and Heat resolves ``client_plugin(name)`` to the ``<name>_retry`` plugin
wherever one is registered in ``heat.clients``.
"""

from heat.common import context as heat_context
from heat.engine import clients
from keystoneauth1 import session as ks_session
from oslo_config import cfg

from heat_retry_plugins.config import opts
from heat_retry_plugins.session import layer

#: The suffix of the names this package's plugins are registered under.
RETRY_SUFFIX = opts.RETRY_SUFFIX
#: The ``cloud_backend`` value that selects this backend.
BACKEND = 'heat_retry_plugins.clients.RetryingClients'


class _SessionsBornRetrying:
    """What ``heat.common.context`` calls ``session``, once installed.

    NOTE: Heat's RequestContext makes its keystoneauth session in its
    ``__init__``, and a StoredContext (the one Heat rebuilds from stored
    credentials for every resource it checks) fetches a token there, to
    read its roles, before any client is asked for: that token request
    would pass no retry layer. From the first RetryingClients on, while
    ``cloud_backend`` selects it, Heat's context module makes its sessions
    as RetryingSessions from the start; with another backend, plain ones.
    """

    @staticmethod
    def Session(*args, **kwargs):
        if cfg.CONF.cloud_backend != BACKEND:
            return ks_session.Session(*args, **kwargs)
        return layer.install(layer.RetryingSession(*args, **kwargs))


def _contexts_born_retrying():
    if heat_context.session is not _SessionsBornRetrying:
        heat_context.session = _SessionsBornRetrying


class RetryingClients(clients.OpenStackClients):
    """Heat's client backend, retrying every request of the context.

    :param context: the Heat request context.
    """

    def __init__(self, context):
        super().__init__(context)
        _contexts_born_retrying()
        layer.install_on_context(context)

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

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

"""``keystone_retry``: Heat's Keystone client plugin, with retries."""

import functools
import re
import weakref

from heat.engine.clients.os import keystone as heat_keystone
from heat.engine.clients.os.keystone import heat_keystoneclient as hkc
from keystoneauth1 import exceptions as ks_exceptions
from keystoneclient import httpclient
from oslo_config import cfg

from heat_retry_plugins.clients import adapters
from heat_retry_plugins.clients import base
from heat_retry_plugins.clients import http_errors
from heat_retry_plugins.clients import name_reconcilers

CLIENT_NAME = 'keystone'


class _KeystoneAdapter(adapters.RetryingAdapterMixin,
                       httpclient._KeystoneAdapter):
    """keystoneclient's adapter, retrying its requests by policy."""


class KsClientWrapper(hkc.KsClientWrapper):
    """Heat's keystone client wrapper whose clients retry by policy.

    :param plugin: the Keystone retry plugin that decides.
    """

    def __init__(self, context, region_name, plugin):
        self._plugin = weakref.ref(plugin)
        super().__init__(context, region_name)

    def _retrying(self, client):
        # NOTE: Heat builds keystoneclient with connect_retries =
        # client_retry_limit, kept on its adapter; one layer retries.
        plugin = self._plugin()
        if plugin is not None:
            plugin.wrap_adapter(client._adapter, _KeystoneAdapter)
        return client

    def _v3_client_init(self):
        return self._retrying(super()._v3_client_init())

    @property
    def domain_admin_client(self):
        if not self._domain_admin_client:
            self._retrying(super().domain_admin_client)
        return self._domain_admin_client


class KeystoneRetryClientPlugin(base.RetryingClientPlugin,
                                heat_keystone.KeystoneClientPlugin):
    """Heat's ``KeystoneClientPlugin`` whose calls can be retried.

    ``client()`` returns Heat's keystone client wrapper, as Heat's plugin
    does: call the API through its ``client`` attribute, e.g.
    ``plugin.call_with_retry(plugin.client().client.projects.get, pid)``.
    Heat's helpers (``get_project_id``, ``get_user_id``, ...) are
    inherited.
    """

    service = CLIENT_NAME
    reconcilers = (
        (re.compile(r'/projects$'), functools.partial(
            name_reconcilers.ProjectReconciler,
            not_found=ks_exceptions.NotFound)),
        (re.compile(r'/users$'), functools.partial(
            name_reconcilers.UserReconciler,
            not_found=ks_exceptions.NotFound)),
    )

    def _create(self):
        # NOTE: Heat's KeystoneClient factory honours keystone_backend; a
        # deployment that replaced the backend keeps its own client.
        if cfg.CONF.keystone_backend != hkc._default_keystone_backend:
            return hkc.KeystoneClient(self.context, self._get_region_name())
        return KsClientWrapper(self.context, self._get_region_name(), self)

    def classify(self, exc):
        """Map keystoneauth (and so keystoneclient) exceptions to verdicts."""
        return (http_errors.classify_keystoneauth(exc) or
                self.classify_unknown(exc))

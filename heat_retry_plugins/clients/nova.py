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

"""``nova_retry``: Heat's Nova client plugin, with retries."""

import functools
import re

from heat.engine.clients.os import nova as heat_nova
from novaclient import client as nova_client
from novaclient import exceptions
from oslo_config import cfg

from heat_retry_plugins.clients import adapters
from heat_retry_plugins.clients import base
from heat_retry_plugins.clients import http_errors
from heat_retry_plugins.clients import name_reconcilers

CLIENT_NAME = 'nova'


class _HeaderKeepingSessionClient(nova_client.SessionClient):
    """novaclient's session client, keeping the headers of an error.

    novaclient parses Retry-After only as an integer and only for 413 and
    429, and keeps ``x-compute-request-id`` but not the response: the
    exception it raises here carries ``response_headers`` as well.
    """

    def request(self, url, method, **kwargs):
        raise_exc = kwargs.pop('raise_exc', True)
        resp, body = super().request(url, method, raise_exc=False, **kwargs)
        if raise_exc and resp.status_code >= 400:
            exc = exceptions.from_response(resp, body, url, method)
            exc.response_headers = resp.headers
            raise exc
        return resp, body


class _SessionClient(adapters.RetryingAdapterMixin,
                     _HeaderKeepingSessionClient):
    """novaclient's session client, retrying its requests by policy."""


class NovaRetryClientPlugin(base.RetryingClientPlugin,
                            heat_nova.NovaClientPlugin):
    """Heat's ``NovaClientPlugin`` whose calls can be retried.

    Every helper of Heat's plugin (``get_server``, ``fetch_server``,
    ``find_flavor_by_name_or_id``, ``is_not_found``, ...) is inherited.
    """

    service = CLIENT_NAME
    reconcilers = (
        (re.compile(r'^/servers$'), functools.partial(
            name_reconcilers.ServerReconciler,
            not_found=exceptions.NotFound)),
        (re.compile(r'^/os-keypairs$'), functools.partial(
            name_reconcilers.KeypairReconciler,
            not_found=exceptions.NotFound)),
    )

    _discovered_max_microversion = None

    @property
    def max_microversion(self):
        """The highest microversion: heat.conf's, read now, or the server's.

        NOTE: Heat's plugin reads ``max_nova_api_microversion`` into a class
        attribute when its module is imported, so a later configuration is
        never seen; this one reads it on every use.
        """
        return (cfg.CONF.max_nova_api_microversion or
                self._discovered_max_microversion)

    @max_microversion.setter
    def max_microversion(self, value):
        self._discovered_max_microversion = value

    def _get_args(self, version):
        args = super()._get_args(version)
        # NOTE: one layer retries. keystoneauth's connect_retries would
        # resend a POST whose connection dropped after it was sent; this
        # plugin's policies decide instead.
        args['connect_retries'] = 0
        args['status_code_retries'] = 0
        return args

    def _create(self, version=None):
        client = super()._create(version=version)
        self.wrap_adapter(client.client, _SessionClient)
        return client

    def classify(self, exc):
        """Map novaclient and keystoneauth exceptions to verdicts."""
        if isinstance(exc, exceptions.ClientException):
            return http_errors.classify_status(
                exc.code,
                headers=getattr(exc, 'response_headers', None),
                request_id=exc.request_id,
                fallback_retry_after=getattr(exc, 'retry_after', None))
        return (http_errors.classify_keystoneauth(exc) or
                self.classify_unknown(exc))

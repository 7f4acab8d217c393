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

"""``cinder_retry``: Heat's Cinder client plugin, with retries."""

import functools
import urllib.parse

from cinderclient import client as cinder_http
from cinderclient import exceptions
from heat.engine.clients.os import cinder as heat_cinder

from heat_retry_plugins.clients import adapters
from heat_retry_plugins.clients import base
from heat_retry_plugins.clients import http_errors
from heat_retry_plugins.clients import name_reconcilers

CLIENT_NAME = 'cinder'


class _SessionClient(adapters.RetryingAdapterMixin,
                     cinder_http.SessionClient):
    """cinderclient's session client, retrying its requests by policy."""


class VolumeReconciler(name_reconcilers.ByNameReconciler):
    """Cinder ``POST /volumes``, found by its exact name."""

    kind = 'volume'
    member, collection = 'volume', 'volumes'
    collection_url = '/volumes'
    created_field = 'created_at'

    def list_url(self, name):
        return '/volumes/detail?%s' % urllib.parse.urlencode({'name': name})


def volume_reconciler(send):
    # NOTE: cinderclient's SessionClient.request sends no token unless it
    # is told to (its _cs_request passes authenticated=True).
    return VolumeReconciler(functools.partial(send, authenticated=True),
                            not_found=exceptions.NotFound)


class CinderRetryClientPlugin(base.RetryingClientPlugin,
                              heat_cinder.CinderClientPlugin):
    """Heat's ``CinderClientPlugin`` whose calls can be retried."""

    service = CLIENT_NAME

    def _create(self, version=None):
        client = super()._create(version=version)
        # Every request of the client under the policy of its method, and
        # keystoneauth's connect_retries and status_code_retries off.
        self.wrap_adapter(client.client, _SessionClient)
        return client

    def classify(self, exc):
        """Map cinderclient and keystoneauth exceptions to verdicts."""
        if (isinstance(exc, exceptions.ClientException) and
                isinstance(exc.code, int)):
            # cinderclient keeps no response headers; OverLimit (413) has
            # the Retry-After it parsed.
            return http_errors.classify_status(
                exc.code, request_id=exc.request_id,
                fallback_retry_after=getattr(exc, 'retry_after', None))
        return (http_errors.classify_keystoneauth(exc) or
                self.classify_unknown(exc))


CinderRetryClientPlugin.register_reconciler(r'^/volumes$', volume_reconciler)

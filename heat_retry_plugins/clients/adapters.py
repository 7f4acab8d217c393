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

"""Retrying every HTTP request a plugin's client sends.

Stock Heat resources call ``self.client().servers.get(...)`` directly, with
no ``call_with_retry`` around it. The clients this package's plugins build
therefore carry a keystoneauth adapter that puts each request under the
policy its HTTP method allows: GET, HEAD and PUT ``default``, DELETE
``delete``, a POST that creates a named resource ``create`` (reconciled by
name, see :mod:`heat_retry_plugins.engine.reconcile`), any other POST and
PATCH ``never``.

Only one layer retries: inside ``call_with_retry`` the requests are sent
once each, and the call is retried as a whole.
"""

import contextvars
import urllib.parse

import requests

from heat_retry_plugins.engine import policy

#: True while a call_with_retry runs: its requests are not retried again.
IN_RETRIED_CALL = contextvars.ContextVar('heat_retry_plugins_in_call',
                                         default=False)
#: The policy call_with_retry_policy asked for the creates of its call.
CREATE_POLICY = contextvars.ContextVar('heat_retry_plugins_create_policy',
                                       default=None)

#: The policy of each HTTP method; POST is decided per route.
METHOD_POLICIES = {
    'GET': policy.DEFAULT,
    'HEAD': policy.DEFAULT,
    'PUT': policy.DEFAULT,
    'DELETE': policy.DELETE,
}


def url_path(url):
    """The path of a request URL, without query, with a leading slash."""
    path = urllib.parse.urlsplit(url).path
    return path if path.startswith('/') else '/' + path


def done_response(url):
    """A 204 for a DELETE whose retry found the resource already gone."""
    response = requests.Response()
    response.status_code = 204
    response.url = url
    response.reason = 'No Content'
    return response


class RetryingAdapterMixin:
    """A keystoneauth ``LegacyJsonAdapter`` whose requests are retried.

    Mixed into a client library's adapter class; ``retry_plugin`` is set on
    the instance to a weak reference to the plugin that decides.
    """

    retry_plugin = None

    def request(self, url, method, **kwargs):
        plugin = self.retry_plugin() if self.retry_plugin else None
        if plugin is None or IN_RETRIED_CALL.get():
            return super().request(url, method, **kwargs)
        return plugin.retry_request(super().request, url, method, kwargs)

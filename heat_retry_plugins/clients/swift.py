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

"""``swift_retry``: Swift's requests through the same retry engine.

python-swiftclient authenticates through the keystoneauth session (so its
token requests pass the request layer) but sends its own requests with its
own ``requests`` session, under its own loop (5 retries, sleeps of 1 to 64
seconds, for any method). The connections this plugin builds have that
loop off (``retries = 0``) and run each call under the engine instead,
with the policy its HTTP method allows: every Swift call that
python-swiftclient offers is idempotent (PUT, POST of metadata, GET, HEAD,
DELETE), except an object PUT whose contents is a stream, which is sent
once.
"""

import weakref

from swiftclient import client as swift_client

from heat_retry_plugins.retry import policies
from heat_retry_plugins.session import calls


class RetryingConnection(swift_client.Connection):
    """A swiftclient Connection whose calls the plugin retries.

    Made from the Connection Heat builds, by :meth:`adopt`; it adds only
    ``retry_plugin``, a weak reference to the plugin that decides.
    """

    retry_plugin = None

    @classmethod
    def adopt(cls, connection, plugin):
        """Make ``connection`` one of these, retried by ``plugin``."""
        # NOTE: Heat builds the Connection itself; the subclass adds no
        # state but the plugin reference, so changing its class is safe.
        connection.__class__ = cls
        connection.retry_plugin = weakref.ref(plugin)
        connection.retries = 0
        # NOTE: swiftclient sleeps starting_backoff before re-sending
        # after a 401, even with retries = 0.
        connection.starting_backoff = 0
        return connection

    def _retry(self, reset_func, func, *args, **kwargs):
        plugin = self.retry_plugin() if self.retry_plugin else None
        call = calls.current()
        once = (plugin is None or _streamed(func, args, kwargs) or
                (call is not None and call.sends_once and
                 call.service == plugin.service))
        if once:
            return super()._retry(reset_func, func, *args, **kwargs)
        return plugin.retry_library_call(
            _operation(func), self._attempt, (reset_func, func) + args,
            kwargs, label='swift %s' % getattr(func, '__name__', func))

    def _attempt(self, reset_func, func, *args, **kwargs):
        return super()._retry(reset_func, func, *args, **dict(kwargs))


class RetryingConnections:
    """The mixin of ``swift_retry``: its connections are retried."""

    def _create(self):
        return RetryingConnection.adopt(super()._create(), self)


def _operation(func):
    name = getattr(func, '__name__', '')
    if name.startswith('delete_'):
        return policies.DELETE
    return policies.DEFAULT


def _streamed(func, args, kwargs):
    if getattr(func, '__name__', '') != 'put_object':
        return False
    contents = kwargs.get('contents', args[2] if len(args) > 2 else None)
    return contents is not None and not isinstance(contents, (bytes, str))

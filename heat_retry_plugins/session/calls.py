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

"""A plugin call in progress, as the request layer sees it.

``call_with_retry`` retries a whole library call, so the requests it makes
are sent once each and their failures go up to the call's own loop. Not
all of them: a create is still reconciled by the request layer (a call is
never less safe than the bare request), a request to another service (the
token endpoint's) is retried by that service's rules, and a request that
is not safe to repeat (a POST whose response was lost) must not be
repeated by the call's loop either. This module holds what the two loops
tell each other, in one place: the plugin opens a :class:`PluginCall` with
:func:`plugin_call`, the request layer reads it with :func:`current`.
"""

import contextvars
import dataclasses

from heat_retry_plugins.retry import policies
from heat_retry_plugins.retry import verdicts

_CURRENT = contextvars.ContextVar('heat_retry_plugins_call', default=None)


@dataclasses.dataclass
class PluginCall:
    """A ``call_with_retry``/``call_with_retry_policy`` in progress.

    :param service: the plugin's service (``nova``).
    :param create: the policy of the creates the call sends (``create``
        or ``create_cleanup``).
    :param sends_once: the call's own loop retries it as a whole, so its
        requests to ``service`` are sent once each.
    """

    service: str
    create: policies.OperationPolicy = policies.CREATE
    sends_once: bool = True
    settled: bool = False
    unsafe: bool = False
    failure: verdicts.Classification | None = None

    def attempt(self, func, *args, **kwargs):
        """Make one attempt of the call: ``func(*args, **kwargs)``."""
        self.settled = False
        self.unsafe = False
        self.failure = None
        return func(*args, **kwargs)

    def note(self, found: verdicts.Classification) -> None:
        """A request of this attempt, sent once, failed as ``found``.

        The request layer saw the response itself; the client library's
        exception may have kept less of it (novaclient keeps Retry-After
        only for 413 and 429).
        """
        self.failure = found

    def settle(self) -> None:
        """The request layer retried a request of this attempt to its end.

        The call's loop gives up at once, and quietly: the layer logged it.
        """
        self.settled = True

    def forbid_repeat(self) -> None:
        """A request of this attempt must not be sent again.

        It may have been processed (a POST) or cannot be sent again (a
        stream): the call's loop gives up on an AMBIGUOUS failure, saying
        why.
        """
        self.unsafe = True

    def classify(self, found: verdicts.Classification
                 ) -> verdicts.Classification:
        """The call loop's view of a failure of the current attempt."""
        seen = self.failure
        if (seen is not None and seen.status == found.status and
                found.retry_after is None):
            found = dataclasses.replace(found, retry_after=seen.retry_after,
                                        request_id=found.request_id or
                                        seen.request_id)
        if self.settled and not found.settled:
            return dataclasses.replace(found, settled=True)
        if self.unsafe:
            return dataclasses.replace(found, repeatable=False)
        return found


def current() -> PluginCall | None:
    """The plugin call this request is made in, or None."""
    return _CURRENT.get()


class plugin_call:
    """Run a plugin call: the requests made inside see it.

    ``with plugin_call(service) as call: ...``

    :param service: the plugin's service.
    :param create: the policy of the call's creates.
    :param sends_once: see :class:`PluginCall`.
    """

    # NOTE: a class rather than a contextlib generator: it runs around
    # every call_with_retry, where microseconds count.
    __slots__ = ('call', '_token')

    def __init__(self, service, create=policies.CREATE, sends_once=True):
        self.call = PluginCall(service, create, sends_once)

    def __enter__(self) -> PluginCall:
        self._token = _CURRENT.set(self.call)
        return self.call

    def __exit__(self, *exc_info):
        _CURRENT.reset(self._token)

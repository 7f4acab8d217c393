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

"""What a failed call means for retrying it.

A client plugin turns each exception its library raises into a
:class:`Classification`; the engine decides from it, and from the
operation's policy, whether the call may be made again.
"""

import dataclasses
import enum


class Verdict(enum.Enum):
    """What a failure says about the request that caused it."""

    #: Retrying cannot help: a client error (400, 403, 404, 409) or a bug.
    FATAL = 'fatal'
    #: The token was rejected (401): re-authenticate once, then retry.
    REAUTH = 'reauth'
    #: The service asked the client to slow down (429, 413).
    THROTTLED = 'throttled'
    #: The request was not processed (connection refused, 503): safe to
    #: send again whatever the HTTP method.
    TRANSIENT = 'transient'
    #: The request may have been processed (500, 502, 504, read timeout,
    #: connection dropped after sending): only an idempotent call may be
    #: sent again blindly.
    AMBIGUOUS = 'ambiguous'


@dataclasses.dataclass(frozen=True)
class Classification:
    """The verdict on one failure, with what the response told us.

    :param verdict: the :class:`Verdict`.
    :param retry_after: seconds the server asked us to wait (already parsed,
        see :func:`heat_retry_plugins.retry.retry_after.parse_retry_after`),
        or None when it did not say or said something unreadable.
    :param status: the HTTP status code, when there was a response.
    :param request_id: the ``x-openstack-request-id`` of the response, for
        the log line that lets an operator find the call in the service's
        logs.
    :param not_found: True for a 404: a ``delete`` that was retried is done.
    :param conflict: True for a 409: a create that was retried after an
        AMBIGUOUS failure met what its earlier attempt made.
    :param settled: the failure was already retried to its end by an inner
        retry loop (the request layer, or the loop of another service such
        as the token endpoint's), which logged it: an enclosing loop gives
        up at once, silently, and does not count it against its service.
    :param repeatable: False when the request that failed must not be sent
        again even under an idempotent policy: a POST or PATCH, or a
        streamed body, inside a call retried as a whole.
    """

    verdict: Verdict
    retry_after: float | None = None
    status: int | None = None
    request_id: str | None = None
    not_found: bool = False
    conflict: bool = False
    settled: bool = False
    repeatable: bool = True


#: The classification of an exception nobody recognised: a bug is never
#: retried.
UNKNOWN = Classification(Verdict.FATAL)

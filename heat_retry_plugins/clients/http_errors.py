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

"""What HTTP and connection failures mean, for every client plugin.

The client libraries differ in their exception classes but not in what an
HTTP status or a socket error says about the request: that part lives here,
once. Each plugin maps its own library's exceptions onto these functions.
"""

from keystoneauth1 import exceptions as ks_exceptions
import requests
from urllib3 import exceptions as urllib3_exceptions

from heat_retry_plugins.engine import retry_after
from heat_retry_plugins.engine import verdicts

Verdict = verdicts.Verdict

#: Statuses whose response proves the request was not processed.
TRANSIENT_STATUSES = frozenset([408, 503])
#: Statuses that ask the client to slow down (Nova and Keystone use 413
#: for rate limits, besides the standard 429).
THROTTLED_STATUSES = frozenset([413, 429])
#: Server errors that say nothing certain about the request.
NOT_RETRIABLE_SERVER_STATUSES = frozenset([501, 505])

_NOT_SENT = (urllib3_exceptions.NewConnectionError,
             urllib3_exceptions.ConnectTimeoutError,
             requests.exceptions.ConnectTimeout)
_MAX_CAUSES = 16


def verdict_for_status(status):
    """Return the :class:`Verdict` of an HTTP error status."""
    if status == 401:
        return Verdict.REAUTH
    if status in THROTTLED_STATUSES:
        return Verdict.THROTTLED
    if status in TRANSIENT_STATUSES:
        return Verdict.TRANSIENT
    if status >= 500 and status not in NOT_RETRIABLE_SERVER_STATUSES:
        return Verdict.AMBIGUOUS
    return Verdict.FATAL


def classify_status(status, headers=None, request_id=None,
                    fallback_retry_after=None):
    """Classify an HTTP error response.

    :param status: the HTTP status code.
    :param headers: the response headers, when the library kept them.
    :param request_id: the request id the library extracted, if any.
    :param fallback_retry_after: seconds the library parsed from
        Retry-After itself, used only when ``headers`` are not known.
    :returns: a :class:`~heat_retry_plugins.engine.verdicts.Classification`.
    """
    after = None
    if headers is not None:
        after = retry_after.parse_retry_after(headers.get('retry-after'))
        request_id = (headers.get('x-openstack-request-id') or
                      request_id or headers.get('x-compute-request-id'))
    elif fallback_retry_after:
        after = float(fallback_retry_after)
    return verdicts.Classification(
        verdict_for_status(status), retry_after=after, status=status,
        request_id=request_id, not_found=(status == 404),
        conflict=(status == 409))


def _causes(exc):
    """Yield ``exc`` and the exceptions it wraps, breadth first."""
    seen = set()
    queue = [exc]
    while queue and len(seen) < _MAX_CAUSES:
        current = queue.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        queue.extend(e for e in (current.__cause__, current.__context__,
                                 getattr(current, 'reason', None),
                                 *getattr(current, 'args', ()))
                     if isinstance(e, BaseException))


def classify_connection_error(exc):
    """Classify a keystoneauth connection failure.

    keystoneauth raises ``ConnectFailure`` for a refused connection and for
    one dropped after the request was sent, and ``ConnectTimeout`` for a
    connect timeout and for a read timeout alike; the difference is in the
    requests/urllib3 exception it was raised from (its ``__context__``).
    Only a failure to connect proves that nothing was sent.

    :param exc: a :class:`keystoneauth1.exceptions.ConnectionError`.
    :returns: TRANSIENT when the connection was never made, else AMBIGUOUS
        (FATAL for a TLS error, which a retry does not mend).
    """
    if isinstance(exc, ks_exceptions.SSLError):
        return verdicts.Classification(Verdict.FATAL)
    for cause in _causes(exc):
        if isinstance(cause, _NOT_SENT):
            return verdicts.Classification(Verdict.TRANSIENT)
    return verdicts.Classification(Verdict.AMBIGUOUS)


def classify_keystoneauth(exc):
    """Classify a keystoneauth exception, or return None for another one.

    :param exc: any exception.
    :returns: a Classification, or None when ``exc`` is not keystoneauth's.
    """
    if isinstance(exc, ks_exceptions.HttpError):
        response = getattr(exc, 'response', None)
        return classify_status(
            exc.http_status,
            headers=getattr(response, 'headers', None),
            request_id=exc.request_id,
            fallback_retry_after=getattr(exc, 'retry_after', None))
    if isinstance(exc, ks_exceptions.ConnectionError):
        return classify_connection_error(exc)
    if isinstance(exc, ks_exceptions.DiscoveryFailure):
        # NOTE: version discovery wraps the connection error it met.
        for cause in _causes(exc):
            if isinstance(cause, ks_exceptions.ConnectionError):
                return classify_connection_error(cause)
        return verdicts.UNKNOWN
    if isinstance(exc, ks_exceptions.ClientException):
        return verdicts.UNKNOWN
    return None

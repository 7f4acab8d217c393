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

"""What a failed request means: HTTP statuses and connection errors.

The request layer classifies the response or the keystoneauth exception of
each request here, before any client library rewraps it; the client
plugins classify what their library raised (for ``call_with_retry``) with
:func:`classify_exception`, which reads the status and the cause chain
every python-*client keeps. What an HTTP status or a socket error says
about the request is decided here, once.
"""

import dataclasses

from keystoneauth1 import exceptions as ks_exceptions
import requests
from urllib3 import exceptions as urllib3_exceptions

from heat_retry_plugins.retry import retry_after
from heat_retry_plugins.retry import verdicts

Verdict = verdicts.Verdict

#: Statuses whose response proves the request was not processed.
TRANSIENT_STATUSES = frozenset([408, 503])
#: Statuses that ask the client to slow down (Nova and Keystone use 413
#: for rate limits, besides the standard 429).
THROTTLED_STATUSES = frozenset([413, 429])
#: Server errors that prove the server will not do the request (not
#: implemented, HTTP version not supported): repeating it cannot help.
NOT_RETRIABLE_SERVER_STATUSES = frozenset([501, 505])

_NOT_SENT = (urllib3_exceptions.NewConnectionError,
             urllib3_exceptions.ConnectTimeoutError,
             requests.exceptions.ConnectTimeout)
_MAX_CAUSES = 16
#: What requests raises when a request did not get an answer.
_REQUESTS_FAILURES = (requests.exceptions.ConnectionError,
                      requests.exceptions.Timeout)


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
    :returns: a :class:`~heat_retry_plugins.retry.verdicts.Classification`.
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
    return _connection_verdict(exc, ks_exceptions.SSLError)


def _connection_verdict(exc, tls_error):
    """FATAL for a ``tls_error``; TRANSIENT if nothing was sent; AMBIGUOUS."""
    if isinstance(exc, tls_error):
        return verdicts.Classification(Verdict.FATAL)
    if any(isinstance(cause, _NOT_SENT) for cause in _causes(exc)):
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


class ErrorResponse(Exception):
    """An HTTP error response, raised inside the request layer's loop.

    The request layer asks keystoneauth for the response rather than an
    exception, so that it sees the status and headers before any client
    library does; this carries the response through the retry loop.

    :param response: the :class:`requests.Response`.
    """

    #: How log lines name it.
    log_name = 'response'

    def __init__(self, response):
        super().__init__('HTTP %d' % response.status_code)
        self.response = response


def classify_failure(exc):
    """Classify what failed one attempt of the request layer.

    :param exc: an :class:`ErrorResponse`, a keystoneauth exception, or
        anything else (FATAL).
    :returns: a Classification; ``settled`` when an inner loop (another
        service's, such as the token endpoint's) already gave up on it.
    """
    if getattr(exc, 'retry_history', None) is not None:
        return dataclasses.replace(_classify_raw(exc), settled=True)
    return _classify_raw(exc)


def _classify_raw(exc):
    if isinstance(exc, ErrorResponse):
        response = exc.response
        return classify_status(response.status_code,
                               headers=response.headers)
    return classify_keystoneauth(exc) or verdicts.UNKNOWN


def classify_exception(exc):
    """Classify an exception a python-*client raised, or return None.

    Every OpenStack client library raises HTTP errors with the status in
    ``http_status``, ``code`` or ``status_code`` (keystoneauth, nova,
    cinder, glance, heat, neutron, swift, ...), and keeps the keystoneauth
    or requests connection error it met in its cause chain.

    :param exc: any exception.
    :returns: a Classification (``settled`` when the request layer already
        gave up on it), or None when ``exc`` is none of these.
    """
    found = _classify_library_error(exc)
    if getattr(exc, 'retry_history', None) is not None:
        return dataclasses.replace(found or verdicts.UNKNOWN, settled=True)
    return found


def _classify_library_error(exc):
    found = classify_keystoneauth(exc)
    if found is not None:
        return found
    status = _status_of(exc)
    if status is not None:
        response = getattr(exc, 'response', None)
        headers = (getattr(response, 'headers', None) or
                   getattr(exc, 'http_response_headers', None) or
                   getattr(exc, 'http_headers', None))
        return classify_status(
            status, headers=headers,
            request_id=getattr(exc, 'request_id', None),
            fallback_retry_after=_number(getattr(exc, 'retry_after', None)))
    for cause in _causes(exc):
        if isinstance(cause, ks_exceptions.ConnectionError):
            return classify_connection_error(cause)
        if isinstance(cause, _REQUESTS_FAILURES):
            return _connection_verdict(cause, requests.exceptions.SSLError)
    return None


def _status_of(exc):
    # NOTE: mistralclient keeps it in error_code.
    for name in ('http_status', 'status_code', 'code', 'error_code'):
        value = getattr(exc, name, None)
        if isinstance(value, int) and not isinstance(value, bool) and \
                400 <= value <= 599:
            return value
    return None


def _number(value):
    try:
        value = float(value)
    except (TypeError, ValueError):
        return None
    return value if 0 <= value < float('inf') else None

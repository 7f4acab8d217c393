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

"""Parsing the Retry-After header (RFC 9110, section 10.2.3).

The header is either delta-seconds (a non-negative integer) or an HTTP
date. A value that is neither is treated as absent: a server that sends
garbage gets the client's own backoff, never an exception.
"""

import datetime
import email.utils
import math
import time


def parse_retry_after(value: object,
                      now: float | None = None) -> float | None:
    """Return the seconds to wait that a Retry-After value asks for.

    :param value: the header value (str, bytes or int), or None.
    :param now: the current wall-clock time as a POSIX timestamp, for the
        HTTP-date form; defaults to :func:`time.time`.
    :returns: a non-negative float (``math.inf`` for a number too large to
        represent; the caller caps it), or None when the value is absent
        or malformed. A date in the past means "now": 0.0.
    """
    if value is None:
        return None
    if isinstance(value, bytes):
        value = value.decode('latin-1')
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return float(value) if value >= 0 else None
    if not isinstance(value, str):
        return None
    value = value.strip()
    if not value:
        return None
    if value.isascii() and value.isdigit():
        try:
            return float(int(value))
        except OverflowError:
            return math.inf
    return _seconds_until_http_date(value, now)


def _seconds_until_http_date(value, now):
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        # NOTE: every HTTP date is GMT (RFC 9110, 5.6.7); the asctime form
        # carries no zone at all, and the email module reads it as naive.
        when = when.replace(tzinfo=datetime.timezone.utc)
    if now is None:
        now = time.time()
    try:
        return max(0.0, when.timestamp() - now)
    except (OverflowError, OSError, ValueError):
        return None

#
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

"""Swift's headers: metadata updates, timestamps and dates.

Metadata is stored with lower-case header names (``x-container-meta-color``)
and sent back capitalised as Swift does. A PUT or POST sets the
``X-<Scope>-Meta-*`` headers it carries, removes those it sends empty or as
``X-Remove-<Scope>-Meta-*``, and leaves the others alone.
"""

import email.utils
import math
import time
from typing import Optional

#: Container headers kept besides ``X-Container-Meta-*``.
CONTAINER_HEADERS = ('x-container-read', 'x-container-write',
                     'x-versions-location', 'x-history-location')


def timestamp(when: Optional[float] = None) -> str:
    """Format a Swift ``X-Timestamp``.

    :param when: a Unix time (default: now).
    :returns: e.g. ``'1700000000.12345'``.
    """
    return '%016.05f' % (time.time() if when is None else when)


def http_date(when: float) -> str:
    """Format a ``Last-Modified`` header, rounded up as Swift does.

    :param when: a Unix time.
    :returns: the RFC 7231 date.
    """
    return email.utils.formatdate(math.ceil(when), usegmt=True)


def header_name(key: str) -> str:
    """Spell a stored (lower-case) header as Swift sends it.

    :param key: e.g. ``'x-container-meta-color'``.
    :returns: e.g. ``'X-Container-Meta-Color'``.
    """
    return '-'.join(part.capitalize() for part in key.split('-'))


def metadata_updates(headers: object, scope: str) -> dict:
    """Read the metadata changes of a PUT or POST.

    :param headers: the request headers.
    :param scope: ``'account'``, ``'container'`` or ``'object'``.
    :returns: lower-case header -> value, ``''`` meaning remove.
    """
    meta = 'x-%s-meta-' % scope
    remove = 'x-remove-%s-meta-' % scope
    kept = CONTAINER_HEADERS if scope == 'container' else ()
    updates = {}
    for key, value in headers.items():
        key = key.lower()
        if key.startswith(meta) or key in kept:
            updates[key] = value.strip()
        elif key.startswith(remove):
            updates[meta + key[len(remove):]] = ''
        elif key.startswith('x-remove-') and 'x-' + key[9:] in kept:
            updates['x-' + key[9:]] = ''
    return updates


def apply_metadata(stored: dict, updates: dict) -> None:
    """Apply metadata changes in place (an empty value removes).

    :param stored: the stored metadata.
    :param updates: from :func:`metadata_updates`.
    """
    for key, value in updates.items():
        if value:
            stored[key] = value
        else:
            stored.pop(key, None)


def listing_time(when: float) -> str:
    """Format the ``last_modified`` of a listing entry.

    :param when: a Unix time.
    :returns: UTC with microseconds and no zone,
        e.g. ``'2024-05-01T12:00:00.123456'``.
    """
    return time.strftime('%Y-%m-%dT%H:%M:%S', time.gmtime(when)) + (
        '.%06d' % int(round((when % 1) * 1000000) % 1000000))

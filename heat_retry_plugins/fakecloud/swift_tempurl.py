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

"""Swift's TempURL check: is this signed object URL valid now?

The signature is an HMAC of ``METHOD\\nEXPIRES\\nPATH`` (EXPIRES as a Unix
time, even when the URL spells it in ISO 8601) with one of the account's or
the container's ``Temp-Url-Key``/``Temp-Url-Key-2``: SHA-1, SHA-256 or
SHA-512 in hex, or ``<digest>:<url-safe base64>``, as Swift's tempurl
middleware accepts them. A signature for GET or PUT also allows HEAD.
"""

import base64
import binascii
import calendar
import hashlib
import hmac
import time
from typing import Iterable
from typing import Optional

#: The query parameters of a TempURL.
SIG = 'temp_url_sig'
EXPIRES = 'temp_url_expires'

_HEX_DIGESTS = {40: hashlib.sha1, 64: hashlib.sha256, 128: hashlib.sha512}
_ISO8601 = '%Y-%m-%dT%H:%M:%SZ'


def parse_expires(value: str) -> Optional[int]:
    """Read ``temp_url_expires``.

    :param value: a Unix time or an ISO 8601 UTC time.
    :returns: the Unix time, or None if it is neither.
    """
    try:
        return int(value)
    except ValueError:
        pass
    try:
        return calendar.timegm(time.strptime(value, _ISO8601))
    except ValueError:
        return None


def _signature(sig: str) -> Optional[tuple]:
    """Split a signature into ``(digest, raw bytes)``."""
    if ':' in sig:
        name, _, encoded = sig.partition(':')
        digest = {'sha1': hashlib.sha1, 'sha256': hashlib.sha256,
                  'sha512': hashlib.sha512}.get(name)
        try:
            raw = base64.urlsafe_b64decode(encoded + '=' * (-len(encoded)
                                                            % 4))
        except (binascii.Error, ValueError):
            return None
        return (digest, raw) if digest else None
    digest = _HEX_DIGESTS.get(len(sig))
    try:
        return (digest, bytes.fromhex(sig)) if digest else None
    except ValueError:
        return None


def is_valid(method: str, path: str, sig: str, expires: str,
             keys: Iterable[str], now: Optional[float] = None) -> bool:
    """Check a TempURL.

    :param method: the request method.
    :param path: the unquoted request path (``/v1/AUTH_x/c/o``).
    :param sig: ``temp_url_sig``.
    :param expires: ``temp_url_expires``.
    :param keys: the keys of the account and the container.
    :param now: the current Unix time (default: the clock).
    :returns: True if a key signs the path for the method and the URL has
        not expired.
    """
    when = parse_expires(expires)
    parsed = _signature(sig)
    if when is None or parsed is None:
        return False
    if when <= (time.time() if now is None else now):
        return False
    digest, raw = parsed
    methods = ('GET', 'HEAD', 'PUT') if method == 'HEAD' else (method,)
    for key in keys:
        for signed in methods:
            body = '%s\n%d\n%s' % (signed, when, path)
            mac = hmac.new(key.encode('utf-8'), body.encode('utf-8'),
                           digest).digest()
            if hmac.compare_digest(mac, raw):
                return True
    return False

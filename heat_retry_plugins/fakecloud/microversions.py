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

"""What Nova and Cinder share: microversions, fault bodies, links.

Both read the microversion from ``OpenStack-API-Version: <service> X.Y``
(Nova also from a legacy header of its own), answer a malformed one 400 and
one out of range 406, and echo it in every response. Both answer errors as
``{"<faultName>": {"code", "message"}}`` and link a resource with a
``self`` and a ``bookmark`` link. A :class:`VersionRange` says what one API
accepts; :class:`MicroversionService` is the common part of the services.
"""

import dataclasses
import re
from typing import Any
from typing import Iterable
from typing import Optional

from heat_retry_plugins.fakecloud import routing

HTTPError = routing.HTTPError
Request = routing.Request
Response = routing.Response

#: The standard microversion header.
HEADER = 'OpenStack-API-Version'

#: The fault name of each status; others are ``computeFault``.
FAULT_NAMES = {400: 'badRequest', 401: 'unauthorized', 403: 'forbidden',
               404: 'itemNotFound', 405: 'badMethod',
               409: 'conflictingRequest', 413: 'overLimit',
               415: 'badMediaType', 429: 'overLimit',
               501: 'notImplemented', 503: 'serviceUnavailable'}


def version_string(version: tuple) -> str:
    """Format a microversion.

    :param version: ``(major, minor)``.
    :returns: ``'major.minor'``.
    """
    return '%d.%d' % version


def since(version: tuple, table: Iterable[tuple]) -> dict:
    """Pick the attributes that a microversion shows.

    :param version: the request's microversion.
    :param table: ``(since, key, value)`` triples, in body order.
    :returns: key -> value of the attributes added at ``version`` or
        before.
    """
    return {key: value for added, key, value in table if version >= added}


@dataclasses.dataclass(frozen=True)
class VersionRange:
    """The microversions one API accepts, and where it reads them.

    :param service: the service name in the header (``'compute'``).
    :param minimum: the oldest version, also the default.
    :param maximum: the newest version, also ``latest``.
    :param malformed: the 400 message of a malformed version (``%s`` is
        the version).
    :param legacy_header: a header read when the standard one names no
        version of this service.
    """

    service: str
    minimum: tuple
    maximum: tuple
    malformed: str
    legacy_header: Optional[str] = None

    @property
    def headers(self) -> tuple:
        """The headers that name the version, the standard one first."""
        return (HEADER,) + ((self.legacy_header,) if self.legacy_header
                            else ())

    def _requested(self, headers: Any) -> Optional[str]:
        raw = None
        for item in (headers.get(HEADER) or '').split(','):
            service, _, value = item.strip().partition(' ')
            if service.lower() == self.service and value.strip():
                raw = value.strip()
        if raw is None and self.legacy_header:
            raw = (headers.get(self.legacy_header) or '').strip() or None
        return raw

    def parse(self, headers: Any) -> tuple:
        """Read the requested microversion from the request headers.

        :param headers: the request headers.
        :returns: ``(major, minor)``; the minimum when none is named.
        :raises HTTPError: 400 for a malformed version, 406 when out of
            range.
        """
        raw = self._requested(headers)
        if raw is None:
            return self.minimum
        if raw.lower() == 'latest':
            return self.maximum
        match = re.fullmatch(r'(\d+)\.(\d+)', raw)
        if not match:
            raise HTTPError(400, self.malformed % raw)
        version = (int(match.group(1)), int(match.group(2)))
        if not self.minimum <= version <= self.maximum:
            raise HTTPError(406, 'Version %s is not supported by the API. '
                                 'Minimum is %s and maximum is %s.' % (
                                     raw, version_string(self.minimum),
                                     version_string(self.maximum)))
        return version


class MicroversionService(routing.Service):
    """A service with microversions, fault bodies and bookmark links.

    Subclasses set :attr:`version_range`; the version documents (``/`` and
    the prefix) are served at any version.

    :param cloud: the owning FakeCloud.
    """

    #: The microversions the API accepts.
    version_range: VersionRange

    def before(self, request: Request) -> None:
        """Read the microversion (400/406 when it is not acceptable).

        :param request: the request.
        :raises HTTPError: 400 or 406.
        """
        if request.template not in ('/', self.prefix):
            request.context['version'] = self.version_range.parse(
                request.headers)

    def mv(self, request: Request) -> tuple:
        """Return the microversion of a request.

        :param request: the request.
        :returns: ``(major, minor)``.
        """
        return request.context.get('version', self.version_range.minimum)

    def _echoed(self, request: Request) -> tuple:
        version = request.context.get('version')
        if version is not None:
            return version
        try:
            return self.version_range.parse(request.headers)
        except HTTPError:
            return self.version_range.minimum

    def decorate(self, request: Request, response: Response) -> None:
        """Add the request id and the microversion headers.

        :param request: the request.
        :param response: the response, modified in place.
        """
        super().decorate(request, response)
        accepted = self.version_range
        version = version_string(self._echoed(request))
        response.headers.setdefault(HEADER, '%s %s' % (accepted.service,
                                                       version))
        if accepted.legacy_header:
            response.headers.setdefault(accepted.legacy_header, version)
        response.headers.setdefault('Vary', ', '.join(accepted.headers))

    def error(self, status: int, message: str) -> Response:
        """Build the ``{"<faultName>": {"code", "message"}}`` body.

        :param status: the HTTP status.
        :param message: the message.
        :returns: the response.
        """
        return Response(status, {FAULT_NAMES.get(status, 'computeFault'): {
            'code': status, 'message': message}})

    def bookmark(self, collection: str, obj_id: object) -> dict:
        """Build the bookmark link of a resource (no version in it).

        :param collection: e.g. ``'flavors'``.
        :param obj_id: the resource id.
        :returns: the link.
        """
        return {'rel': 'bookmark', 'href': '%s/%s/%s' % (
            self.cloud.base_url(self.name), collection, obj_id)}

    def links(self, collection: str, obj_id: object) -> list:
        """Build the self and bookmark links of a resource.

        :param collection: e.g. ``'servers'``.
        :param obj_id: the resource id.
        :returns: the links list.
        """
        href = '%s%s/%s/%s' % (self.cloud.base_url(self.name), self.prefix,
                               collection, obj_id)
        return [{'rel': 'self', 'href': href},
                self.bookmark(collection, obj_id)]

    def summary(self, collection: str, obj: dict) -> dict:
        """Render the short form of a resource: id, name and links.

        :param collection: e.g. ``'servers'``.
        :param obj: the stored resource.
        :returns: the API representation.
        """
        return {'id': obj['id'], 'name': obj['name'],
                'links': self.links(collection, obj['id'])}

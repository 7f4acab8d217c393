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

"""Glance v2 image data: upload, download and the ``web-download`` import.

A mixin of :class:`~heat_retry_plugins.fakecloud.glance.GlanceService`. A
``queued`` image becomes ``active`` when its data is uploaded (``PUT
.../file``), or when it is imported with ``web-download``: it is then
``importing`` for :attr:`ImageData.import_seconds` (set it on the service
of a cloud: ``cloud.services['image'].import_seconds = 2``). The URI is not
fetched; the data is made up from it.
"""

import hashlib
import re
import time

from heat_retry_plugins.fakecloud import routing

HTTPError = routing.HTTPError
Request = routing.Request
Response = routing.Response

IMPORT_METHODS = ('glance-direct', 'web-download', 'copy-image')


def data_fields(data: bytes) -> dict:
    """Compute the fields an image gets from its data.

    :param data: the image data.
    :returns: ``size``, ``checksum``, the hash fields, and the data itself
        under ``_data``.
    """
    return {'_data': data, 'size': len(data),
            'checksum': hashlib.md5(data, usedforsecurity=False).hexdigest(),
            'os_hash_algo': 'sha512',
            'os_hash_value': hashlib.sha512(data).hexdigest()}


class ImageData:
    """Route handlers of image data (a Service mixin)."""

    #: Seconds a ``web-download`` import stays ``importing``.
    import_seconds = 0.0

    def register_image_data(self) -> None:
        """Declare the routes."""
        self.route('PUT', '/images/{id}/file', self.upload)
        self.route('GET', '/images/{id}/file', self.download)
        self.route('POST', '/images/{id}/import', self.import_image)

    def settle(self, image: dict) -> dict:
        """Finish an import whose time has come.

        :param image: the stored image.
        :returns: the same image.
        """
        with self.state.lock:
            until = image.get('_import_until')
            if until is not None and time.monotonic() >= until:
                del image['_import_until']
                image.update(data_fields(image.pop('_import_data')))
                image.update(status='active', updated_at=self.now())
        return image

    def upload(self, request: Request) -> Response:
        """``PUT /v2/images/{id}/file``: ``queued`` -> ``active``.

        :param request: the request.
        :returns: the response (204).
        :raises HTTPError: 415 unless ``application/octet-stream``, 409
            unless the image is ``queued``.
        """
        content_type = request.headers.get('Content-Type') or ''
        if content_type.split(';')[0].strip() != 'application/octet-stream':
            raise HTTPError(415, 'Content-Type must be '
                                 'application/octet-stream.')
        with self.state.lock:
            image = self.owned_image(request)
            if image['status'] != 'queued':
                raise HTTPError(409, 'Image status transition from %s to '
                                     'saving is not allowed'
                                % image['status'])
            image.update(data_fields(request.body))
            image.update(status='active', updated_at=self.now())
        return Response(204)

    def download(self, request: Request) -> Response:
        """``GET /v2/images/{id}/file``.

        :param request: the request.
        :returns: the data (200), or 204 when there is none yet.
        :raises HTTPError: 403 when the image is deactivated.
        """
        image = self.find_image(request)
        if image['status'] == 'deactivated':
            raise HTTPError(403, 'The requested image has been deactivated. '
                                 'Image data download is forbidden.')
        if image.get('_data') is None:
            return Response(204)
        return Response(200, image['_data'],
                        headers={'Content-MD5': image['checksum']},
                        content_type='application/octet-stream')

    def import_image(self, request: Request) -> Response:
        """``POST /v2/images/{id}/import`` with ``web-download``.

        :param request: the request.
        :returns: the response (202).
        :raises HTTPError: 400 on a bad method or URI, 409 unless the image
            is ``queued``.
        """
        body = request.json()
        method = body.get('method') if isinstance(body, dict) else None
        name = method.get('name') if isinstance(method, dict) else None
        if name not in IMPORT_METHODS:
            raise HTTPError(400, 'Import method %s is not valid. Valid '
                                 'methods: %s' % (name,
                                                  ', '.join(IMPORT_METHODS)))
        if name != 'web-download':
            raise HTTPError(409, "Image needs to be staged before "
                                 "'%s' method can be used" % name)
        uri = method.get('uri')
        if not isinstance(uri, str) or not re.match(r'^https?://[^/]',
                                                    uri):
            raise HTTPError(400, 'URI for web-download does not pass '
                                 'filtering: %s' % (uri,))
        with self.state.lock:
            image = self.owned_image(request)
            if image['status'] != 'queued':
                raise HTTPError(409, "Image needs to be in 'queued' state to "
                                     "use 'web-download' method")
            image.update(status='importing', updated_at=self.now(),
                         _import_data=b'fakecloud web-download of '
                         + uri.encode('utf-8'),
                         _import_until=time.monotonic() + self.import_seconds)
            self.settle(image)
        return Response(202)

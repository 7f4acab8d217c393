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

"""Glance v2, read only: versions, images (list, show) and their schemas.

Errors are webob HTML pages, as Glance sends them (a missing token is
answered in keystonemiddleware's JSON).
"""

import hashlib

from heat_retry_plugins.fakecloud import routing

HTTPError = routing.HTTPError
Request = routing.Request
Response = routing.Response

#: The id of the seeded ``cirros`` image.
CIRROS_IMAGE_ID = '7c5c3e4a-1f0d-4b8e-9a55-2f0c9f6e1d01'

_VERSIONS = ('2.17', '2.16', '2.15', '2.9', '2.0')
_STRING = {'type': 'string'}
_NULLABLE_STRING = {'type': ['null', 'string']}
_NULLABLE_INT = {'type': ['null', 'integer']}
_IMAGE_SCHEMA = {
    'name': 'image',
    'additionalProperties': {'type': 'string'},
    'properties': {
        'id': {'type': 'string',
               'pattern': '^([0-9a-fA-F]){8}-([0-9a-fA-F]){4}-'
                          '([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-'
                          '([0-9a-fA-F]){12}$'},
        'name': {'type': ['null', 'string'], 'maxLength': 255},
        'status': {'type': 'string', 'readOnly': True,
                   'enum': ['queued', 'saving', 'active', 'killed',
                            'deleted', 'uploading', 'importing',
                            'pending_delete', 'deactivated']},
        'visibility': {'type': 'string',
                       'enum': ['community', 'public', 'private',
                                'shared']},
        'protected': {'type': 'boolean'},
        'os_hidden': {'type': 'boolean'},
        'checksum': _NULLABLE_STRING, 'os_hash_algo': _NULLABLE_STRING,
        'os_hash_value': _NULLABLE_STRING, 'owner': _NULLABLE_STRING,
        'size': _NULLABLE_INT, 'virtual_size': _NULLABLE_INT,
        'container_format': _NULLABLE_STRING,
        'disk_format': _NULLABLE_STRING,
        'created_at': _STRING, 'updated_at': _STRING,
        'tags': {'type': 'array', 'items': {'type': 'string'}},
        'min_ram': {'type': 'integer'}, 'min_disk': {'type': 'integer'},
        'self': _STRING, 'file': _STRING, 'schema': _STRING,
        'direct_url': _STRING,
        'locations': {'type': 'array', 'items': {'type': 'object'}},
    },
    'links': [{'rel': 'self', 'href': '{self}'},
              {'rel': 'enclosure', 'href': '{file}'},
              {'rel': 'describedby', 'href': '{schema}'}],
}


class GlanceService(routing.Service):
    """The image service (Glance v2).

    :param cloud: the owning FakeCloud.
    """

    name = 'image'
    prefix = '/v2'

    def register(self) -> None:
        """Declare the routes."""
        self.route('GET', '/', self.versions, auth=False)
        self.route('GET', '/versions', self.versions, auth=False)
        self.route('GET', '/images', self.list_images)
        self.route('GET', '/images/{id}', self.show_image)
        self.route('GET', '/schemas/image', self.image_schema)
        self.route('GET', '/schemas/images', self.images_schema)

    def seed(self) -> None:
        """Create the ``cirros`` image."""
        content = b'fakecloud cirros image'
        self.state.add('image', {
            'id': CIRROS_IMAGE_ID, 'name': 'cirros', 'status': 'active',
            'visibility': 'public', 'protected': False, 'os_hidden': False,
            'tags': [], 'container_format': 'bare', 'disk_format': 'qcow2',
            'min_disk': 0, 'min_ram': 0, 'size': 21430272,
            'virtual_size': 117440512,
            'checksum': hashlib.md5(content,
                                    usedforsecurity=False).hexdigest(),
            'os_hash_algo': 'sha512',
            'os_hash_value': hashlib.sha512(content).hexdigest(),
            'owner': self.cloud.project_id,
            'created_at': '2024-01-01T00:00:00Z',
            'updated_at': '2024-01-01T00:00:00Z'}, seeded=True)

    def error(self, status: int, message: str) -> Response:
        """Build Glance's (webob) HTML error page.

        :param status: the HTTP status.
        :param message: the message.
        :returns: the response.
        """
        return self.html_error(status, message)

    def render(self, image: dict) -> dict:
        """Render an image.

        :param image: the stored image.
        :returns: the API representation.
        """
        body = dict(image)
        body.update({'self': '/v2/images/%s' % image['id'],
                     'file': '/v2/images/%s/file' % image['id'],
                     'schema': '/v2/schemas/image'})
        return body

    def versions(self, request: Request) -> Response:
        """``GET /`` (300) and ``GET /versions`` (200).

        :param request: the request.
        :returns: the response.
        """
        href = self.cloud.base_url('image') + '/v2/'
        versions = [{'id': 'v%s' % v,
                     'status': 'CURRENT' if i == 0 else 'SUPPORTED',
                     'links': [{'rel': 'self', 'href': href}]}
                    for i, v in enumerate(_VERSIONS)]
        return Response(300 if request.path == '/' else 200,
                        {'versions': versions})

    def list_images(self, request: Request) -> Response:
        """``GET /v2/images``: filtered, paginated, newest first.

        Filters: ``name``, ``status``, ``visibility``, ``owner``; pagination
        with ``limit`` and ``marker``.

        :param request: the request.
        :returns: the response.
        """
        images = self.state.list('image', name=request.arg('name'),
                                 status=request.arg('status'),
                                 visibility=request.arg('visibility'),
                                 owner=request.arg('owner'))
        images.sort(key=lambda i: (i['created_at'], i['id']), reverse=True)
        marker = request.arg('marker')
        if marker is not None:
            ids = [i['id'] for i in images]
            if marker not in ids:
                raise HTTPError(400, 'Invalid marker. Image %s could not be '
                                     'found.' % marker)
            images = images[ids.index(marker) + 1:]
        try:
            limit = int(request.arg('limit') or 25)
        except ValueError:
            raise HTTPError(400, 'limit param must be an integer')
        if limit < 0:
            raise HTTPError(400, 'limit param must be positive')
        page = images[:limit]
        body = {'images': [self.render(i) for i in page],
                'first': '/v2/images', 'schema': '/v2/schemas/images'}
        if page and len(page) == limit:
            body['next'] = '/v2/images?' + routing.next_query(
                request, limit=limit, marker=page[-1]['id'])
        return Response(200, body)

    def show_image(self, request: Request) -> Response:
        """``GET /v2/images/{id}``.

        :param request: the request.
        :returns: the response.
        """
        image = self.state.get('image', request.params['id'])
        if image is None:
            raise HTTPError(404, 'No image found with ID %s'
                            % request.params['id'])
        return Response(200, self.render(image))

    def image_schema(self, request: Request) -> Response:
        """``GET /v2/schemas/image``.

        :param request: the request.
        :returns: the response.
        """
        return Response(200, _IMAGE_SCHEMA)

    def images_schema(self, request: Request) -> Response:
        """``GET /v2/schemas/images``.

        :param request: the request.
        :returns: the response.
        """
        return Response(200, {
            'name': 'images',
            'properties': {
                'images': {'type': 'array', 'items': _IMAGE_SCHEMA},
                'schema': _STRING, 'first': _STRING, 'next': _STRING},
            'links': [{'rel': 'first', 'href': '{first}'},
                      {'rel': 'next', 'href': '{next}'},
                      {'rel': 'describedby', 'href': '{schema}'}]})

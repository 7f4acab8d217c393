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

"""Glance v2: versions, schemas, discovery, and images listed and shown.

Images are written by mixins: created, patched, tagged and deleted in
:mod:`.glance_images`, given data in :mod:`.glance_data`, shared in
:mod:`.glance_members`. Stored
images are flat dicts in Glance's own field names, extra properties
included; keys that start with ``_`` are the fake's bookkeeping and never
rendered. A project sees public and community images, its own, and the
shared images it is a member of; a list leaves out community images of
other projects and hidden images unless asked, as Glance does.

Errors are webob HTML pages, as Glance sends them (a missing token is
answered in keystonemiddleware's JSON).
"""

import hashlib

from heat_retry_plugins.fakecloud import glance_data
from heat_retry_plugins.fakecloud import glance_images
from heat_retry_plugins.fakecloud import glance_members
from heat_retry_plugins.fakecloud import paging
from heat_retry_plugins.fakecloud import routing
from heat_retry_plugins.fakecloud import state as state_mod

HTTPError = routing.HTTPError
Request = routing.Request
Response = routing.Response

#: The id of the seeded ``cirros`` image.
CIRROS_IMAGE_ID = '7c5c3e4a-1f0d-4b8e-9a55-2f0c9f6e1d01'

#: Query parameters of a list that are not field filters.
_LIST_PARAMS = ('limit', 'marker', 'sort', 'sort_key', 'sort_dir', 'tag',
                'visibility', 'member_status', 'os_hidden')

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
                       'enum': list(glance_images.VISIBILITIES)},
        'protected': {'type': 'boolean'},
        'os_hidden': {'type': 'boolean'},
        'checksum': _NULLABLE_STRING, 'os_hash_algo': _NULLABLE_STRING,
        'os_hash_value': _NULLABLE_STRING, 'owner': _NULLABLE_STRING,
        'size': _NULLABLE_INT, 'virtual_size': _NULLABLE_INT,
        'container_format': {
            'type': ['null', 'string'],
            'enum': [None] + list(glance_images.CONTAINER_FORMATS)},
        'disk_format': {
            'type': ['null', 'string'],
            'enum': [None] + list(glance_images.DISK_FORMATS)},
        'created_at': _STRING, 'updated_at': _STRING,
        'tags': {'type': 'array', 'items': {'type': 'string',
                                            'maxLength': 255}},
        'min_ram': {'type': 'integer'}, 'min_disk': {'type': 'integer'},
        'self': _STRING, 'file': _STRING, 'schema': _STRING,
        'direct_url': _STRING,
        'locations': {'type': 'array', 'items': {'type': 'object'}},
        # NOTE: extra properties Glance describes (``is_base: false``), so
        # that glanceclient patches them as Glance expects.
        'architecture': dict(_STRING, is_base=False),
        'os_distro': dict(_STRING, is_base=False),
        'os_version': dict(_STRING, is_base=False),
        'kernel_id': dict(_NULLABLE_STRING, is_base=False),
        'ramdisk_id': dict(_NULLABLE_STRING, is_base=False),
        'instance_uuid': dict(_STRING, is_base=False),
    },
    'links': [{'rel': 'self', 'href': '{self}'},
              {'rel': 'enclosure', 'href': '{file}'},
              {'rel': 'describedby', 'href': '{schema}'}],
}
_MEMBER_SCHEMA = {
    'name': 'member',
    'properties': {
        'created_at': _STRING, 'updated_at': _STRING, 'image_id': _STRING,
        'member_id': _STRING, 'schema': _STRING,
        'status': {'type': 'string',
                   'enum': ['pending', 'accepted', 'rejected']},
    },
}


class GlanceService(glance_images.ImageWrites, glance_data.ImageData,
                    glance_members.ImageMembers, routing.Service):
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
        self.route('GET', '/schemas/image', self.schema(_IMAGE_SCHEMA))
        self.route('GET', '/schemas/images', self.schema(_list_schema(
            'images', _IMAGE_SCHEMA)))
        self.route('GET', '/schemas/member', self.schema(_MEMBER_SCHEMA))
        self.route('GET', '/schemas/members', self.schema(_list_schema(
            'members', _MEMBER_SCHEMA)))
        self.route('GET', '/info/import', self.import_info)
        self.register_image_writes()
        self.register_image_data()
        self.register_image_members()

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
        body = {k: v for k, v in image.items() if not k.startswith('_')}
        body['tags'] = list(image['tags'])
        body.update({'self': '/v2/images/%s' % image['id'],
                     'file': '/v2/images/%s/file' % image['id'],
                     'schema': '/v2/schemas/image'})
        return body

    def visible(self, request: Request, image: dict) -> bool:
        """Tell whether the request's project may see an image.

        :param request: the request.
        :param image: the stored image.
        :returns: True for public, community, own and shared-with images.
        """
        project = request.token.project_id
        return (image['visibility'] in ('public', 'community')
                or image.get('owner') == project
                or self.state.get('image_member', glance_members.member_key(
                    image['id'], project)) is not None)

    def find_image(self, request: Request) -> dict:
        """Look the image of ``{id}`` up, as the request's project sees it.

        :param request: the request.
        :returns: the stored image, its import settled.
        :raises HTTPError: 404.
        """
        image = self.state.get('image', request.params['id'])
        if image is None or not self.visible(request, image):
            raise HTTPError(404, 'No image found with ID %s'
                            % request.params['id'])
        return self.settle(image)

    def owned_image(self, request: Request) -> dict:
        """Look up the image of ``{id}`` that the request's project owns.

        :param request: the request.
        :returns: the stored image.
        :raises HTTPError: 404 if it cannot be seen, 403 if it can but is
            another project's.
        """
        image = self.find_image(request)
        if image.get('owner') != request.token.project_id:
            raise HTTPError(403, 'You are not permitted to modify image %s.'
                            % image['id'])
        return image

    def now(self) -> str:
        """Return the current time as Glance spells it.

        :returns: e.g. ``'2024-05-01T12:00:00Z'``.
        """
        return state_mod.isotime(self.state.clock(), subsecond=False)

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

    def _listed(self, request: Request, image: dict) -> bool:
        project = request.token.project_id
        visibility = request.arg('visibility')
        if visibility not in (None, 'all', image['visibility']):
            return False
        if image.get('owner') != project:
            if image['visibility'] == 'community' and visibility is None:
                return False
            if image['visibility'] in ('shared', 'private'):
                member = self.state.get('image_member',
                                        glance_members.member_key(
                                            image['id'], project))
                wanted = request.arg('member_status', 'accepted')
                if member is None or wanted not in ('all',
                                                    member['status']):
                    return False
        hidden = request.arg('os_hidden', 'false').lower() == 'true'
        if bool(image.get('os_hidden')) != hidden:
            return False
        tags = request.query.get('tag', [])
        return all(tag in image['tags'] for tag in tags)

    def list_images(self, request: Request) -> Response:
        """``GET /v2/images``: filtered, paginated, newest first.

        Filters: ``visibility``, ``member_status``, ``os_hidden``, ``tag``
        (repeated: every one), and any other field or extra property by
        equality (``name``, ``id``, ``status``, ``owner``, ``os_distro``...);
        pagination with ``limit`` and ``marker``.

        :param request: the request.
        :returns: the response.
        :raises HTTPError: 400 on a bad ``visibility``, ``limit`` or
            ``marker``.
        """
        visibility = request.arg('visibility')
        if visibility not in (None, 'all') + glance_images.VISIBILITIES:
            raise HTTPError(400, 'Invalid visibility value: %s' % visibility)
        fields = {key: values[0] for key, values in request.query.items()
                  if key not in _LIST_PARAMS}
        images = [self.settle(i) for i in self.state.list('image')
                  if self._listed(request, i)]
        images = [i for i in images
                  if all(_as_query(i.get(k)) == v for k, v in fields.items())]
        images.sort(key=lambda i: (i['created_at'], i.get('_seq', 0)),
                    reverse=True)
        images = paging.after_marker(images, request.arg('marker'))
        if images is None:
            raise HTTPError(400, 'Invalid marker. Image %s could not be '
                                 'found.' % request.arg('marker'))
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
        return Response(200, self.render(self.find_image(request)))

    @staticmethod
    def schema(document: dict):
        """Make the handler of a ``GET /v2/schemas/...`` route.

        :param document: the schema.
        :returns: the route function.
        """
        return lambda request: Response(200, document)

    def import_info(self, request: Request) -> Response:
        """``GET /v2/info/import``: the import methods.

        :param request: the request.
        :returns: the response.
        """
        return Response(200, {'import-methods': {
            'description': 'Import methods available.', 'type': 'array',
            'value': list(glance_data.IMPORT_METHODS)}})


def _list_schema(name: str, item: dict) -> dict:
    return {'name': name,
            'properties': {name: {'type': 'array', 'items': item},
                           'schema': _STRING, 'first': _STRING,
                           'next': _STRING},
            'links': [{'rel': 'first', 'href': '{first}'},
                      {'rel': 'next', 'href': '{next}'},
                      {'rel': 'describedby', 'href': '{schema}'}]}


def _as_query(value: object) -> str:
    """Spell a stored value as it would be in a query string."""
    if isinstance(value, bool):
        return 'true' if value else 'false'
    return '' if value is None else str(value)

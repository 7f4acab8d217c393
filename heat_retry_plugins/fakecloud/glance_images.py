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

"""Glance v2 image writes: create, patch, delete, tags, (de)activation.

A mixin of :class:`~heat_retry_plugins.fakecloud.glance.GlanceService`. A
new image is ``queued`` (see :mod:`.glance_data` for its data). The id may
be chosen by the client; a duplicate id is a 409, names are not unique. A
patch follows Glance's own flavour of JSON patch
(``application/openstack-images-v2.1-json-patch``), not RFC 6902: ``add``
sets, ``replace`` sets a core attribute or an existing extra property,
``remove`` removes an existing extra property.
"""

import itertools
import re
from typing import Any
import uuid

from heat_retry_plugins.fakecloud import routing

HTTPError = routing.HTTPError
Request = routing.Request
Response = routing.Response

VISIBILITIES = ('public', 'private', 'shared', 'community')
CONTAINER_FORMATS = ('ami', 'ari', 'aki', 'bare', 'ovf', 'ova', 'docker',
                     'compressed')
DISK_FORMATS = ('ami', 'ari', 'aki', 'vhd', 'vhdx', 'vmdk', 'raw', 'qcow2',
                'vdi', 'iso', 'ploop')
#: Attributes a client may not set.
READ_ONLY = frozenset(('status', 'created_at', 'updated_at', 'size',
                       'virtual_size', 'checksum', 'os_hash_algo',
                       'os_hash_value', 'self', 'file', 'schema',
                       'direct_url', 'locations'))
#: Attributes nobody may set or remove (and the ``os_glance`` prefix).
RESERVED = frozenset(('deleted', 'deleted_at', 'location'))
PATCH_TYPES = ('application/openstack-images-v2.1-json-patch',
               'application/openstack-images-v2.0-json-patch')

_UUID = re.compile(r'^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?'
                   r'[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$')
_SEQUENCE = itertools.count(1)
#: Core attributes a client may set, and their checks.
_SETTABLE = {
    'name': lambda v: v is None or (isinstance(v, str) and len(v) <= 255),
    'visibility': lambda v: v in VISIBILITIES,
    'protected': lambda v: isinstance(v, bool),
    'os_hidden': lambda v: isinstance(v, bool),
    'min_ram': lambda v: _natural(v),
    'min_disk': lambda v: _natural(v),
    'container_format': lambda v: v is None or v in CONTAINER_FORMATS,
    'disk_format': lambda v: v is None or v in DISK_FORMATS,
    'owner': lambda v: v is None or (isinstance(v, str) and len(v) <= 255),
    'tags': lambda v: isinstance(v, list) and all(
        isinstance(t, str) and 0 < len(t) <= 255 for t in v),
}


def _natural(value: Any) -> bool:
    return (isinstance(value, int) and not isinstance(value, bool)
            and value >= 0)


def check_attribute(key: str, value: Any) -> None:
    """Refuse an attribute a client may not set to that value.

    :param key: the attribute.
    :param value: its new value.
    :raises HTTPError: 403 for read-only and reserved attributes, 400 for a
        value of the wrong type.
    """
    if key in READ_ONLY:
        raise HTTPError(403, "Attribute '%s' is read-only." % key)
    if key in RESERVED or key.startswith('os_glance'):
        raise HTTPError(403, "Attribute '%s' is reserved." % key)
    check = _SETTABLE.get(key)
    valid = check(value) if check else (
        isinstance(value, str) and len(value) <= 65535 and 0 < len(key)
        <= 255)
    if not valid:
        raise HTTPError(400, "Provided object does not match schema "
                             "'image': %r is not valid for '%s'"
                        % (value, key))


class ImageWrites:
    """Route handlers that change Glance images (a Service mixin)."""

    def register_image_writes(self) -> None:
        """Declare the routes."""
        self.route('POST', '/images', self.create_image)
        self.route('PATCH', '/images/{id}', self.update_image)
        self.route('DELETE', '/images/{id}', self.delete_image)
        self.route('PUT', '/images/{id}/tags/{tag}', self.add_tag)
        self.route('DELETE', '/images/{id}/tags/{tag}', self.remove_tag)
        self.route('POST', '/images/{id}/actions/deactivate',
                   self.deactivate)
        self.route('POST', '/images/{id}/actions/reactivate',
                   self.reactivate)

    # -- create, patch, delete ---------------------------------------------

    def create_image(self, request: Request) -> Response:
        """``POST /v2/images``: a ``queued`` image.

        :param request: the request.
        :returns: the response (201).
        :raises HTTPError: 400 on a bad body, 403 on read-only attributes,
            409 on a duplicate id.
        """
        body = request.json()
        if not isinstance(body, dict):
            raise HTTPError(400, 'Request body must be a JSON object.')
        body = dict(body)
        image_id = body.pop('id', None) or str(uuid.uuid4())
        if not isinstance(image_id, str) or not _UUID.match(image_id):
            raise HTTPError(400, "Provided object does not match schema "
                                 "'image': %r is not a valid id" % image_id)
        for key, value in body.items():
            check_attribute(key, value)
        now = self.now()
        image = {'id': image_id, 'name': None, 'status': 'queued',
                 'visibility': 'shared', 'protected': False,
                 'os_hidden': False, 'container_format': None,
                 'disk_format': None, 'min_disk': 0, 'min_ram': 0,
                 'size': None, 'virtual_size': None, 'checksum': None,
                 'os_hash_algo': None, 'os_hash_value': None,
                 'owner': request.token.project_id, 'created_at': now,
                 'updated_at': now, '_seq': next(_SEQUENCE)}
        image.update(body)
        image['tags'] = list(dict.fromkeys(body.get('tags', [])))
        with self.state.lock:
            if self.state.get('image', image_id) is not None:
                raise HTTPError(409, 'Image with identifier %s already '
                                     'exists!' % image_id)
            self.state.add('image', image)
        return Response(201, self.render(image), headers={
            'Location': '%s/v2/images/%s' % (request.base_url, image_id)})

    def update_image(self, request: Request) -> Response:
        """``PATCH /v2/images/{id}``: apply Glance's JSON patch.

        :param request: the request.
        :returns: the response (200, the image).
        :raises HTTPError: 415 on another Content-Type, 400 on a bad patch,
            403 on read-only or base attributes, 409 when an extra property
            to replace or remove does not exist.
        """
        content_type = (request.headers.get('Content-Type') or '').split(
            ';')[0].strip()
        if content_type not in PATCH_TYPES:
            raise HTTPError(415, 'Unsupported Content-Type: %s. Use one of '
                                 '%s.' % (content_type,
                                          ', '.join(PATCH_TYPES)))
        operations = request.json()
        if not isinstance(operations, list):
            raise HTTPError(400, 'Request body must be a JSON array of '
                                 'operation objects.')
        with self.state.lock:
            image = self.owned_image(request)
            changed = {k: v for k, v in image.items()
                       if not k.startswith('_')}
            for operation in operations:
                self._apply(changed, operation)
            image.update(changed)
            for key in set(image) - set(changed):
                if not key.startswith('_'):
                    del image[key]
            image['tags'] = list(dict.fromkeys(image['tags']))
            image['updated_at'] = self.now()
            return Response(200, self.render(image))

    @staticmethod
    def _apply(image: dict, operation: Any) -> None:
        """Apply one patch operation to a copy of the image's fields."""
        if not isinstance(operation, dict) or operation.get('op') not in (
                'add', 'replace', 'remove'):
            raise HTTPError(400, 'Operation objects must contain exactly one'
                                 ' member named "add", "remove", or '
                                 '"replace".')
        path = operation.get('path')
        if not isinstance(path, str) or not re.match(r'^/[^/]+$', path):
            raise HTTPError(400, 'Invalid JSON pointer for this resource: '
                                 "'%s'" % (path,))
        key = path[1:].replace('~1', '/').replace('~0', '~')
        op = operation['op']
        core = key in _SETTABLE or key in READ_ONLY or key == 'id'
        if key == 'id':
            raise HTTPError(403, "Attribute 'id' is read-only.")
        if op == 'remove':
            if core:
                raise HTTPError(403, 'Properties %s must be present.' % key)
            check_attribute(key, '')
            if key not in image:
                raise HTTPError(409, 'Property %s does not exist.' % key)
            del image[key]
            return
        if 'value' not in operation:
            raise HTTPError(400, 'Operation "%s" requires a member named '
                                 '"value".' % op)
        check_attribute(key, operation['value'])
        if op == 'replace' and not core and key not in image:
            raise HTTPError(409, 'Property %s does not exist.' % key)
        image[key] = operation['value']

    def delete_image(self, request: Request) -> Response:
        """``DELETE /v2/images/{id}``.

        :param request: the request.
        :returns: the response (204).
        :raises HTTPError: 403 when the image is protected.
        """
        with self.state.lock:
            image = self.owned_image(request)
            if image['protected']:
                raise HTTPError(403, 'Image %s is protected and cannot be '
                                     'deleted.' % image['id'])
            for member in self.state.list('image_member',
                                          image_id=image['id']):
                self.state.remove('image_member', member['id'])
            self.state.remove('image', image['id'])
        return Response(204)

    # -- tags and actions --------------------------------------------------

    def add_tag(self, request: Request) -> Response:
        """``PUT /v2/images/{id}/tags/{tag}``.

        :param request: the request.
        :returns: the response (204).
        """
        tag = request.params['tag']
        check_attribute('tags', [tag])
        with self.state.lock:
            image = self.owned_image(request)
            if tag not in image['tags']:
                image['tags'].append(tag)
            image['updated_at'] = self.now()
        return Response(204)

    def remove_tag(self, request: Request) -> Response:
        """``DELETE /v2/images/{id}/tags/{tag}``.

        :param request: the request.
        :returns: the response (204).
        :raises HTTPError: 404 when the image has no such tag.
        """
        tag = request.params['tag']
        with self.state.lock:
            image = self.owned_image(request)
            if tag not in image['tags']:
                raise HTTPError(404, 'Tag %s not found.' % tag)
            image['tags'].remove(tag)
            image['updated_at'] = self.now()
        return Response(204)

    def _transition(self, request: Request, allowed: tuple,
                    status: str, action: str) -> Response:
        with self.state.lock:
            image = self.owned_image(request)
            if image['status'] not in allowed:
                raise HTTPError(400, "Not allowed to %s image in status "
                                     "'%s'" % (action, image['status']))
            image.update(status=status, updated_at=self.now())
        return Response(204)

    def deactivate(self, request: Request) -> Response:
        """``POST /v2/images/{id}/actions/deactivate``.

        :param request: the request.
        :returns: the response (204).
        """
        return self._transition(request, ('active', 'deactivated'),
                                'deactivated', 'deactivate')

    def reactivate(self, request: Request) -> Response:
        """``POST /v2/images/{id}/actions/reactivate``.

        :param request: the request.
        :returns: the response (204).
        """
        return self._transition(request, ('active', 'deactivated'),
                                'active', 'reactivate')

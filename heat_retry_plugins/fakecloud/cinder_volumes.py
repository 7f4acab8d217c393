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

"""Cinder volumes: the volume routes of Cinder v3.

Their statuses are in :mod:`heat_retry_plugins.fakecloud.cinder_lifecycle`.
Deleting a volume is immediate; an attached one cannot be deleted (400), as
in Cinder.
"""

import ast
import time
import uuid

from heat_retry_plugins.fakecloud import cinder_lifecycle as lifecycle
from heat_retry_plugins.fakecloud import metadata_routes
from heat_retry_plugins.fakecloud import microversions
from heat_retry_plugins.fakecloud import routing

HTTPError = routing.HTTPError
Request = routing.Request
Response = routing.Response

#: Statuses from which a volume may be deleted.
DELETABLE = ('available', 'error', 'error_restoring', 'error_extending',
             'error_managing')
#: List filters Cinder accepts on volumes (besides paging and sorting).
FILTERS = ('name', 'status', 'metadata', 'bootable', 'availability_zone',
           'all_tenants', 'project_id', 'name~', 'with_count')
_PAGING = ('limit', 'marker', 'offset', 'sort', 'sort_key', 'sort_dir')


def _volume_details(volume: dict, status: str) -> dict:
    """What a volume is: its status, size, type and metadata."""
    return {'status': status, 'size': volume['size'],
            'description': volume['description'],
            'availability_zone': volume['availability_zone'],
            'created_at': volume['created_at'],
            'updated_at': volume['updated_at'],
            'volume_type': volume['volume_type'],
            'metadata': dict(volume['metadata'])}


def _volume_attributes(volume: dict) -> dict:
    """Where a volume comes from, whose it is, and the extensions."""
    return {'bootable': 'true' if volume['bootable'] else 'false',
            'encrypted': False, 'multiattach': False,
            'replication_status': None, 'consistencygroup_id': None,
            'snapshot_id': volume['snapshot_id'],
            'source_volid': volume['source_volid'],
            'user_id': volume['user_id'],
            'os-vol-tenant-attr:tenant_id': volume['project_id'],
            'os-vol-host-attr:host': 'fakehost@lvm#lvm',
            'os-vol-mig-status-attr:migstat': None,
            'os-vol-mig-status-attr:name_id': None}


def _added_attributes(volume: dict) -> tuple:
    """The attributes later microversions add: ``(since, key, value)``."""
    return (((3, 13), 'group_id', None), ((3, 21), 'provider_id', None),
            ((3, 48), 'shared_targets', False),
            ((3, 48), 'service_uuid', volume['_service_uuid']),
            ((3, 61), 'cluster_name', None),
            ((3, 63), 'volume_type_id', volume['_volume_type_id']),
            ((3, 65), 'consumes_quota', True))


def _check_text(ref: dict) -> tuple:
    """Take a create's name and description (or their old names)."""
    name = ref.get('name', ref.get('display_name'))
    description = ref.get('description', ref.get('display_description'))
    for field, value in (('name', name), ('description', description)):
        if value is not None and (not isinstance(value, str)
                                  or len(value) > 255):
            raise HTTPError(400, 'Invalid input for field/attribute %s. '
                                 'Value: %s.' % (field, value))
    return name, description


def _check_size(size: object) -> int:
    """Refuse a size that is not a positive integer."""
    if not isinstance(size, int) or isinstance(size, bool) or size < 1:
        raise HTTPError(400, "Invalid input received: Volume size '%s' "
                             "must be an integer and greater than 0"
                        % (size,))
    return size


class VolumeResources:
    """Route handlers of Cinder volumes (a CinderService mixin)."""

    def register_volumes(self) -> None:
        """Declare the volume routes, with and without the project."""
        self.project_route('POST', '/volumes', self.create_volume)
        self.project_route('GET', '/volumes', self.list_volumes)
        self.project_route('GET', '/volumes/detail', self.list_volumes)
        self.project_route('GET', '/volumes/{id}', self.show_volume)
        self.project_route('PUT', '/volumes/{id}', self.update_volume)
        self.project_route('DELETE', '/volumes/{id}', self.delete_volume)
        self.project_route('POST', '/volumes/{id}/action', self.volume_action)
        for method in ('GET', 'POST', 'PUT'):
            self.project_route(method, '/volumes/{id}/metadata',
                               self.volume_metadata)
        for method in ('GET', 'PUT', 'DELETE'):
            self.project_route(method, '/volumes/{id}/metadata/{key}',
                               self.volume_metadata_item)

    # -- helpers ----------------------------------------------------------

    def find_volume(self, volume_id: str) -> dict:
        """Look a volume up.

        :param volume_id: the id.
        :returns: the stored volume.
        :raises HTTPError: 404.
        """
        volume = self.state.get('volume', volume_id)
        if volume is None:
            raise HTTPError(404, 'Volume %s could not be found.' % volume_id)
        return volume

    def render_volume(self, request: Request, volume: dict,
                      detail: bool = True) -> dict:
        """Render a volume for the request's microversion.

        :param request: the request.
        :param volume: the stored volume.
        :param detail: the detailed form (else id, name, links).
        :returns: the API representation.
        """
        body = self.summary('volumes', volume)
        if not detail:
            return body
        status = lifecycle.status_of(self.state, volume)
        body.update(_volume_details(volume, status))
        body['attachments'] = self._attachments_of(volume, status)
        body.update(_volume_attributes(volume))
        if volume['image_id']:
            body['volume_image_metadata'] = {'image_id': volume['image_id']}
        body.update(microversions.since(self.mv(request),
                                        _added_attributes(volume)))
        return body

    def _attachments_of(self, volume: dict, status: str) -> list:
        if status not in ('in-use', 'detaching'):
            return []
        attachment = lifecycle.attachment_of(self.state, volume['id'])
        return [{'id': volume['id'], 'attachment_id': attachment['id'],
                 'volume_id': volume['id'],
                 'server_id': attachment['server_id'], 'host_name': None,
                 'device': attachment['device'],
                 'attached_at': attachment['attached_at']}]

    def _metadata(self, value: object) -> dict:
        if not isinstance(value, dict) or not all(
                isinstance(k, str) and isinstance(v, str) and 0 < len(k)
                <= 255 and len(v) <= 255 for k, v in value.items()):
            raise HTTPError(400, 'Invalid input for field/attribute '
                                 'metadata. Value: %s.' % (value,))
        return dict(value)

    # -- create -----------------------------------------------------------

    def _check_origin(self, ref: dict) -> tuple:
        zone = ref.get('availability_zone') or 'nova'
        if zone != 'nova':
            raise HTTPError(400, "Invalid input received: Availability zone "
                                 "'%s' is invalid." % zone)
        image_id = ref.get('imageRef')
        if image_id and self.state.get('image', image_id) is None:
            raise HTTPError(400, 'Invalid input received: Invalid image '
                                 'identifier or unable to access requested '
                                 'image.')
        if ref.get('snapshot_id'):
            raise HTTPError(404, 'Snapshot %s could not be found.'
                            % ref['snapshot_id'])
        return zone, image_id

    def create_volume(self, request: Request) -> Response:
        """``POST /volumes``.

        :param request: the request.
        :returns: 202 with the volume, ``creating``.
        """
        ref = (request.json() or {}).get('volume')
        if not isinstance(ref, dict):
            raise HTTPError(400, "Invalid input for field/attribute volume. "
                                 "'volume' is a required property")
        name, description = _check_text(ref)
        zone, image_id = self._check_origin(ref)
        with self.state.lock:
            source = (self.find_volume(ref['source_volid'])
                      if ref.get('source_volid') else None)
            size = _check_size(ref.get('size', source['size'] if source
                                       else None))
            volume_type = self.find_volume_type(ref.get('volume_type'))
            self.check_quota(request.token.project_id, size)
            volume = self.state.add('volume', {
                'id': str(uuid.uuid4()), 'name': name,
                'description': description, 'size': size,
                'availability_zone': zone, 'volume_type': volume_type['name'],
                'metadata': self._metadata(ref.get('metadata') or {}),
                'bootable': bool(image_id), 'image_id': image_id,
                'snapshot_id': None,
                'source_volid': source['id'] if source else None,
                'project_id': request.token.project_id,
                'user_id': request.token.user_id,
                'created_at': lifecycle.cinder_time(), 'updated_at': None,
                '_status': 'available', '_volume_type_id': volume_type['id'],
                '_service_uuid': str(uuid.uuid4()),
                '_ready_at': time.monotonic() + self.build_seconds})
            body = self.render_volume(request, volume)
        return Response(202, {'volume': body})

    # -- show, list, update, delete ---------------------------------------

    def show_volume(self, request: Request) -> Response:
        """``GET /volumes/{id}``.

        :param request: the request.
        :returns: the response.
        """
        lifecycle.settle(self.state)
        with self.state.lock:
            volume = self.find_volume(request.params['id'])
            return Response(200, {'volume': self.render_volume(request,
                                                               volume)})

    def list_volumes(self, request: Request) -> Response:
        """``GET /volumes`` and ``/volumes/detail``.

        Filters: ``name`` (``name~`` for a substring from 3.34), ``status``,
        ``metadata`` (a dict literal, every item must match), ``bootable``,
        ``availability_zone``, ``all_tenants`` with ``project_id``; paging
        with ``limit``/``marker``/``offset``; newest first.

        :param request: the request.
        :returns: the response.
        """
        unknown = sorted(k for k in request.query
                         if k not in FILTERS + _PAGING)
        if unknown:
            raise HTTPError(400, 'Invalid filters %s are found in query '
                                 'options.' % ','.join(unknown))
        lifecycle.settle(self.state)
        with self.state.lock:
            volumes = self.state.list('volume')
            if request.arg('all_tenants') in (None, '0', 'false', 'False'):
                project = request.token.project_id
            else:
                project = request.arg('project_id')
            bodies = [self.render_volume(request, v) for v in volumes
                      if project in (None, v['project_id'])]
        bodies = [b for b in bodies if self._volume_matches(request, b)]
        bodies.reverse()
        page = self.paginate(request, bodies)
        detail = request.path.endswith('/detail')
        body = {'volumes': [b if detail else {k: b[k] for k in (
            'id', 'name', 'links')} for b in page]}
        if request.arg('with_count') and self.mv(request) >= (3, 45):
            body['count'] = len(bodies)
        return Response(200, body)

    def _volume_matches(self, request: Request, body: dict) -> bool:
        for key in ('name', 'status', 'availability_zone', 'bootable'):
            wanted = request.arg(key)
            if key == 'bootable' and wanted is not None:
                wanted = wanted.lower()
            if wanted is not None and body[key] != wanted:
                return False
        if request.arg('name~') is not None and (
                request.arg('name~') not in (body['name'] or '')):
            return False
        if request.arg('metadata') is not None:
            try:
                wanted = ast.literal_eval(request.arg('metadata'))
            except (ValueError, SyntaxError):
                raise HTTPError(400, 'Invalid input received: metadata '
                                     'filter %s is not a dict.'
                                % request.arg('metadata'))
            if not isinstance(wanted, dict) or any(
                    body['metadata'].get(k) != v for k, v in wanted.items()):
                return False
        return True

    def update_volume(self, request: Request) -> Response:
        """``PUT /volumes/{id}``: name, description, metadata.

        :param request: the request.
        :returns: the response.
        """
        ref = (request.json() or {}).get('volume')
        if not isinstance(ref, dict) or not ref:
            raise HTTPError(400, "Invalid input for field/attribute volume.")
        with self.state.lock:
            volume = self.find_volume(request.params['id'])
            for key, alias in (('name', 'display_name'),
                               ('description', 'display_description')):
                if key in ref or alias in ref:
                    volume[key] = ref.get(key, ref.get(alias))
            if 'metadata' in ref:
                volume['metadata'] = self._metadata(ref['metadata'])
            volume['updated_at'] = lifecycle.cinder_time()
            return Response(200, {'volume': self.render_volume(request,
                                                               volume)})

    def delete_volume(self, request: Request) -> Response:
        """``DELETE /volumes/{id}``: gone at once (400 when attached).

        :param request: the request.
        :returns: 202, or 400/404.
        """
        lifecycle.settle(self.state)
        with self.state.lock:
            volume = self.find_volume(request.params['id'])
            if lifecycle.status_of(self.state, volume) not in DELETABLE:
                raise HTTPError(400, 'Invalid volume: Volume status must be '
                                     'available or error or error_restoring '
                                     'or error_extending or error_managing '
                                     'and must not be migrating, attached, '
                                     'belong to a group, have snapshots, '
                                     'awaiting a transfer, or be '
                                     'disassociated from snapshots after '
                                     'volume transfer.')
            self.state.remove('volume', volume['id'])
        return Response(202)

    # -- actions and metadata ---------------------------------------------

    def volume_action(self, request: Request) -> Response:
        """``POST /volumes/{id}/action``: extend, readonly flag, bootable.

        The actions are ``os-extend``, ``os-update_readonly_flag`` and
        ``os-set_bootable``.

        :param request: the request.
        :returns: 202 (200 for ``os-set_bootable``).
        """
        body = request.json()
        if not isinstance(body, dict) or len(body) != 1:
            raise HTTPError(400, 'Malformed request body')
        (action, args), = body.items()
        args = args if isinstance(args, dict) else {}
        with self.state.lock:
            volume = self.find_volume(request.params['id'])
            if action == 'os-extend':
                self._extend(request, volume, args.get('new_size'))
            elif action == 'os-update_readonly_flag':
                volume['metadata']['readonly'] = str(bool(
                    args.get('readonly'))).lower()
            elif action == 'os-set_bootable':
                volume['bootable'] = bool(args.get('bootable'))
                volume['updated_at'] = lifecycle.cinder_time()
                return Response(200)
            else:
                raise HTTPError(400, 'There is no such action: %s' % action)
            volume['updated_at'] = lifecycle.cinder_time()
        return Response(202)

    def _extend(self, request: Request, volume: dict,
                new_size: object) -> None:
        if not isinstance(new_size, int) or new_size <= volume['size']:
            raise HTTPError(400, 'Invalid input received: New size for '
                                 'extend must be greater than current size.'
                                 ' (current: %s, extended: %s).'
                            % (volume['size'], new_size))
        # NOTE: extending an attached volume is allowed from 3.42.
        allowed = ('available', 'in-use') if self.mv(request) >= (
            3, 42) else ('available',)
        status = lifecycle.status_of(self.state, volume)
        if status not in allowed:
            raise HTTPError(400, 'Invalid volume: Volume %s status must be '
                                 'available, but current status is: %s.'
                            % (volume['id'], status))
        self.check_quota(volume['project_id'], new_size - volume['size'],
                         volumes=0)
        volume['size'] = new_size

    def volume_metadata(self, request: Request) -> Response:
        """``GET``, ``POST`` (merge) and ``PUT`` (replace) the metadata.

        :param request: the request.
        :returns: the response.
        """
        with self.state.lock:
            volume = self.find_volume(request.params['id'])
            if metadata_routes.change_all(request, volume, self._metadata):
                volume['updated_at'] = lifecycle.cinder_time()
            return Response(200, {'metadata': dict(volume['metadata'])})

    def volume_metadata_item(self, request: Request) -> Response:
        """``GET``, ``PUT`` and ``DELETE /volumes/{id}/metadata/{key}``.

        :param request: the request.
        :returns: the response (200 without a body after a delete).
        """
        with self.state.lock:
            volume = self.find_volume(request.params['id'])
            return Response(200, metadata_routes.change_item(
                request, volume, self._metadata))

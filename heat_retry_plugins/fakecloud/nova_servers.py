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

"""Nova servers: create, show, list, delete, metadata, tags.

A mixin of :class:`~heat_retry_plugins.fakecloud.nova.NovaService`. A new
server is ``BUILD`` until ``server_build_seconds`` have passed, then
``ACTIVE``; a deleted server is gone at once. The ``name`` filter of a list
is a regular expression applied with ``re.search``, as in Nova.
"""

import base64
import binascii
import hashlib
import itertools
import re
import secrets
import time
import uuid

from heat_retry_plugins.fakecloud import metadata_routes
from heat_retry_plugins.fakecloud import microversions
from heat_retry_plugins.fakecloud import routing
from heat_retry_plugins.fakecloud import state as state_mod

HTTPError = routing.HTTPError
Request = routing.Request
Response = routing.Response

_SEQUENCE = itertools.count(1)
_MAX_USER_DATA = 65535


def _ref_id(ref: object) -> str:
    """Take the id out of an id or a URL reference."""
    return str(ref).rstrip('/').rsplit('/', 1)[-1] if ref else ''


def _count(ref: dict) -> int:
    """How many servers a create asks for."""
    return max(int(ref.get('max_count') or 1),
               int(ref.get('min_count') or 1))


def _status_attributes(server: dict, active: bool) -> dict:
    """The attributes of a server that tell how far its build is."""
    launched = server['created'].replace('Z', '.000000') if active else None
    return {'OS-SRV-USG:launched_at': launched,
            'OS-SRV-USG:terminated_at': None,
            'OS-EXT-STS:task_state': None if active else 'spawning',
            'OS-EXT-STS:vm_state': 'active' if active else 'building',
            'OS-EXT-STS:power_state': 1 if active else 0}


def _host_attributes(server: dict) -> dict:
    """The attributes of a server's (fake) host and instance."""
    return {'OS-EXT-SRV-ATTR:host': 'fakehost',
            'OS-EXT-SRV-ATTR:hypervisor_hostname': 'fakehost',
            'OS-EXT-SRV-ATTR:instance_name': 'instance-%08x' % server['seq'],
            'os-extended-volumes:volumes_attached': []}


def _extended_attributes(server: dict) -> dict:
    """The ``OS-EXT-SRV-ATTR`` attributes shown from 2.3."""
    return {'OS-EXT-SRV-ATTR:hostname': server['hostname'],
            'OS-EXT-SRV-ATTR:user_data': server['user_data'],
            'OS-EXT-SRV-ATTR:reservation_id': server['reservation_id'],
            'OS-EXT-SRV-ATTR:launch_index': 0,
            'OS-EXT-SRV-ATTR:kernel_id': '',
            'OS-EXT-SRV-ATTR:ramdisk_id': '',
            'OS-EXT-SRV-ATTR:root_device_name': '/dev/vda'}


def _added_attributes(server: dict) -> tuple:
    """The attributes later microversions add: ``(since, key, value)``."""
    return (((2, 9), 'locked', False), ((2, 16), 'host_status', 'UP'),
            ((2, 19), 'description', server['description']),
            ((2, 26), 'tags', list(server['tags'])),
            ((2, 63), 'trusted_image_certificates', None),
            ((2, 71), 'server_groups', []),
            ((2, 73), 'locked_reason', None),
            ((2, 96), 'pinned_availability_zone', None))


def _check_user_data(user_data: object) -> object:
    """Refuse user data that is not base64 or is too large."""
    if user_data is None:
        return None
    try:
        base64.b64decode(''.join(user_data.split()), validate=True)
    except (binascii.Error, AttributeError, ValueError):
        raise HTTPError(400, 'User data needs to be valid base 64.')
    if len(user_data) > _MAX_USER_DATA:
        raise HTTPError(400, 'User data too large. User data must be no '
                             'larger than %d bytes once base64 encoded.'
                        % _MAX_USER_DATA)
    return user_data


def _check_metadata(metadata: object) -> dict:
    """Refuse server metadata that is not short strings, or too much."""
    if not isinstance(metadata, dict) or not all(
            isinstance(v, str) and len(k) <= 255 and len(v) <= 255
            for k, v in metadata.items()):
        raise HTTPError(400, 'Invalid input for field/attribute metadata.')
    if len(metadata) > 128:
        raise HTTPError(403, 'Quota exceeded for metadata_items: Requested '
                             '%d, but already used 0 of 128 metadata_items'
                        % len(metadata))
    return metadata


def _metadata_body(metadata: object) -> dict:
    """Take the metadata of a ``/metadata`` body (a 400 if it is none)."""
    if not isinstance(metadata, dict):
        raise HTTPError(400, 'Malformed request body')
    return metadata


class ComputeServers:
    """Route handlers of Nova servers (a Service mixin)."""

    def register_servers(self) -> None:
        """Declare the server routes."""
        self.route('POST', '/servers', self.create_server)
        self.route('GET', '/servers', self.list_servers)
        self.route('GET', '/servers/detail', self.list_servers)
        self.route('GET', '/servers/{id}', self.show_server)
        self.route('PUT', '/servers/{id}', self.update_server)
        self.route('DELETE', '/servers/{id}', self.delete_server)
        self.route('GET', '/servers/{id}/metadata', self.metadata)
        self.route('POST', '/servers/{id}/metadata', self.metadata)
        self.route('PUT', '/servers/{id}/metadata', self.metadata)
        self.route('GET', '/servers/{id}/metadata/{key}', self.metadata_item)
        self.route('PUT', '/servers/{id}/metadata/{key}', self.metadata_item)
        self.route('DELETE', '/servers/{id}/metadata/{key}',
                   self.metadata_item)
        self.route('GET', '/servers/{id}/tags', self.tags)
        self.route('PUT', '/servers/{id}/tags', self.tags)
        self.route('DELETE', '/servers/{id}/tags', self.tags)

    # -- helpers ----------------------------------------------------------

    def find_server(self, request: Request) -> dict:
        """Look the server of ``{id}`` up.

        :param request: the request.
        :returns: the stored server.
        :raises HTTPError: 404.
        """
        server = self.state.get('server', request.params['id'])
        if server is None:
            raise HTTPError(404, 'Instance %s could not be found.'
                            % request.params['id'])
        return server

    def server_status(self, server: dict) -> str:
        """Compute the status of a server from its age.

        :param server: the stored server.
        :returns: ``'BUILD'`` or ``'ACTIVE'``.
        """
        age = time.monotonic() - server['created_monotonic']
        return 'BUILD' if age < self.cloud.server_build_seconds else 'ACTIVE'

    def render_server(self, request: Request, server: dict,
                      detail: bool = True) -> dict:
        """Render a server for the request's microversion.

        :param request: the request.
        :param server: the stored server.
        :param detail: the detailed form (else id, name, links).
        :returns: the API representation.
        """
        body = self.summary('servers', server)
        if not detail:
            return body
        version = self.mv(request)
        status = self.server_status(server)
        body.update(self._server_details(server, status, version))
        body.update(_status_attributes(server, status == 'ACTIVE'))
        body.update(_host_attributes(server))
        if server['networks'] != 'none':
            body['security_groups'] = [{'name': 'default'}]
        if version >= (2, 3):
            body.update(_extended_attributes(server))
        body.update(microversions.since(version, _added_attributes(server)))
        return body

    def _server_details(self, server: dict, status: str,
                        version: tuple) -> dict:
        return {
            'status': status, 'tenant_id': server['project_id'],
            'user_id': server['user_id'],
            'metadata': dict(server['metadata']),
            'hostId': hashlib.sha224(
                (server['project_id'] + 'fakehost').encode()).hexdigest(),
            'image': self._image_ref(server),
            'flavor': self._flavor_body(server, version),
            'created': server['created'], 'updated': server['updated'],
            'addresses': server['addresses'],
            'accessIPv4': '', 'accessIPv6': '',
            'OS-DCF:diskConfig': server['disk_config'],
            'progress': 0,
            'OS-EXT-AZ:availability_zone': server['availability_zone'],
            'config_drive': 'True' if server['config_drive'] else '',
            'key_name': server['key_name']}

    def _image_ref(self, server: dict) -> object:
        if not server['image_id']:
            return ''
        return {'id': server['image_id'],
                'links': [self.bookmark('images', server['image_id'])]}

    def _flavor_body(self, server: dict, version: tuple) -> dict:
        flavor = self.state.get('flavor', server['flavor_id']) or {
            'id': server['flavor_id'], 'name': '', 'ram': 0, 'disk': 0,
            'vcpus': 0}
        if version < (2, 47):
            return {'id': flavor['id'],
                    'links': [self.bookmark('flavors', flavor['id'])]}
        return {'vcpus': flavor['vcpus'], 'ram': flavor['ram'],
                'disk': flavor['disk'], 'ephemeral': 0, 'swap': 0,
                'original_name': flavor['name'], 'extra_specs': {}}

    # -- create -----------------------------------------------------------

    def _validate_networks(self, request: Request, ref: dict) -> object:
        networks = ref.get('networks')
        if networks is None:
            if self.mv(request) >= (2, 37):
                raise HTTPError(400, "Invalid input for field/attribute "
                                     "server. Value: %s. 'networks' is a "
                                     "required property" % ref.get('name'))
            return 'auto'
        if isinstance(networks, str):
            if self.mv(request) < (2, 37) or networks not in ('auto',
                                                              'none'):
                raise HTTPError(400, "Invalid input for field/attribute "
                                     "networks. Value: %s." % networks)
            return networks
        if not isinstance(networks, list):
            raise HTTPError(400, 'Invalid input for field/attribute '
                                 'networks.')
        with self.state.lock:
            return [self.validate_network(item, _count(ref))
                    for item in networks]

    def _addresses(self, networks: object, seq: int) -> dict:
        if networks != 'auto':
            # NOTE: the ports of a list are plugged, and the addresses set,
            # once the server has its id (plug_networks).
            return {}
        mac = 'fa:16:3e:%02x:%02x:%02x' % (
            (seq >> 16) & 255, (seq >> 8) & 255, seq & 255)
        return {'private': [{'version': 4, 'OS-EXT-IPS:type': 'fixed',
                             'OS-EXT-IPS-MAC:mac_addr': mac,
                             'addr': '10.0.%d.%d' % ((seq >> 8) % 256,
                                                     seq % 254 + 1)}]}

    def _validate_create(self, request: Request, ref: dict) -> dict:
        name = ref.get('name')
        if (not isinstance(name, str) or not 1 <= len(name) <= 255
                or name != name.strip()):
            raise HTTPError(400, "Invalid input for field/attribute name. "
                                 "Value: %r." % (name,))
        flavor_id = _ref_id(ref.get('flavorRef'))
        if self.state.get('flavor', flavor_id) is None:
            raise HTTPError(400, 'Flavor %s could not be found.' % flavor_id)
        image_id = _ref_id(ref.get('imageRef'))
        if image_id and self.state.get('image', image_id) is None:
            raise HTTPError(400, 'Image %s could not be found.' % image_id)
        if not image_id and not ref.get('block_device_mapping_v2'):
            raise HTTPError(400, 'Missing imageRef attribute')
        key_name = ref.get('key_name')
        if key_name and not self.state.find(
                'keypair', name=key_name, user_id=request.token.user_id):
            raise HTTPError(400, 'Invalid key_name provided.')
        user_data = _check_user_data(ref.get('user_data'))
        metadata = _check_metadata(ref.get('metadata') or {})
        return {'name': name, 'flavor_id': flavor_id, 'image_id': image_id,
                'key_name': key_name or None, 'user_data': user_data,
                'metadata': dict(metadata),
                'networks': self._validate_networks(request, ref)}

    def _new_server(self, request: Request, ref: dict, fields: dict,
                    reservation_id: str) -> dict:
        seq = next(_SEQUENCE)
        now = state_mod.isotime(state_mod.utcnow(), subsecond=False)
        return dict(fields, **{
            'id': str(uuid.uuid4()), 'seq': seq,
            'project_id': request.token.project_id,
            'user_id': request.token.user_id,
            'created': now, 'updated': now,
            'created_monotonic': time.monotonic(),
            'addresses': self._addresses(fields['networks'], seq),
            'disk_config': ref.get('OS-DCF:diskConfig', 'MANUAL'),
            'availability_zone': ref.get('availability_zone') or 'nova',
            'config_drive': bool(ref.get('config_drive')),
            'description': ref.get('description'),
            'tags': list(ref.get('tags') or []),
            'hostname': re.sub(r'[^\w-]+', '-', ref.get('hostname') or
                               fields['name']).lower()[:63],
            'reservation_id': reservation_id})

    def create_server(self, request: Request) -> Response:
        """``POST /servers``.

        :param request: the request.
        :returns: 202 with id, links and (if given) adminPass.
        """
        ref = (request.json() or {}).get('server')
        if not isinstance(ref, dict):
            raise HTTPError(400, "Invalid input for field/attribute server. "
                                 "'server' is a required property")
        fields = self._validate_create(request, ref)
        count = _count(ref)
        reservation_id = 'r-%s' % secrets.token_hex(4)
        created = []
        with self.state.lock:
            for index in range(1, count + 1):
                server = self._new_server(request, ref, fields,
                                          reservation_id)
                if count > 1:
                    server['name'] = '%s-%d' % (fields['name'], index)
                self.plug_networks(request, server)
                created.append(self.state.add('server', server))
        if ref.get('return_reservation_id'):
            return Response(202, {'reservation_id': reservation_id})
        return self._created(ref, created[0])

    def _created(self, ref: dict, server: dict) -> Response:
        result = {'id': server['id'],
                  'links': self.links('servers', server['id']),
                  'OS-DCF:diskConfig': server['disk_config']}
        if server['networks'] != 'none':
            result['security_groups'] = [{'name': 'default'}]
        if ref.get('adminPass'):
            result['adminPass'] = ref['adminPass']
        response = Response(202, {'server': result})
        response.headers['Location'] = result['links'][0]['href']
        return response

    # -- show, list, update, delete ---------------------------------------

    def show_server(self, request: Request) -> Response:
        """``GET /servers/{id}``.

        :param request: the request.
        :returns: the response.
        """
        server = self.find_server(request)
        return Response(200, {'server': self.render_server(request, server)})

    def list_servers(self, request: Request) -> Response:
        """``GET /servers`` and ``/servers/detail``.

        Filters: ``name`` (a regex, ``re.search``), ``status``, ``image``,
        ``flavor``, ``all_tenants`` with ``project_id``/``tenant_id``, and
        ``limit``/``marker`` pagination, newest first.

        :param request: the request.
        :returns: the response.
        """
        servers = self.state.list('server')
        if request.arg('all_tenants') in (None, '0', 'false', 'False'):
            servers = [s for s in servers
                       if s['project_id'] == request.token.project_id]
        else:
            project = request.arg('project_id') or request.arg('tenant_id')
            servers = [s for s in servers
                       if project in (None, s['project_id'])]
        name = request.arg('name')
        if name is not None:
            try:
                pattern = re.compile(name)
            except re.error as exc:
                raise HTTPError(500, 'Unexpected API Error. Please report '
                                     'this at http://bugs.launchpad.net/nova/'
                                     ' and attach the Nova API log if '
                                     'possible.\n<class \'re.error\'> %s'
                                % exc)
            servers = [s for s in servers if pattern.search(s['name'])]
        status = request.arg('status')
        if status is not None:
            servers = [s for s in servers
                       if self.server_status(s) == status.upper()]
        for arg, field in (('image', 'image_id'), ('flavor', 'flavor_id')):
            if request.arg(arg) is not None:
                servers = [s for s in servers
                           if s[field] == _ref_id(request.arg(arg))]
        servers.sort(key=lambda s: s['seq'], reverse=True)
        page, next_link = self.paginate(request, servers, 'servers')
        detail = request.path.endswith('/detail')
        body = {'servers': [self.render_server(request, s, detail)
                            for s in page]}
        if next_link:
            body['servers_links'] = next_link
        return Response(200, body)

    def update_server(self, request: Request) -> Response:
        """``PUT /servers/{id}``: rename, or change the description.

        :param request: the request.
        :returns: the response.
        """
        ref = (request.json() or {}).get('server')
        if not isinstance(ref, dict):
            raise HTTPError(400, "Invalid input for field/attribute server.")
        with self.state.lock:
            server = self.find_server(request)
            for key in ('name', 'description'):
                if key in ref:
                    server[key] = ref[key]
            server['updated'] = state_mod.isotime(state_mod.utcnow(),
                                                  subsecond=False)
        return Response(200, {'server': self.render_server(request, server)})

    def delete_server(self, request: Request) -> Response:
        """``DELETE /servers/{id}``: the server is gone at once.

        Its volumes are detached; the ports Nova made for it are deleted,
        the ports it was given are unbound and kept.

        :param request: the request.
        :returns: 204, or 404.
        """
        with self.state.lock:
            server = self.find_server(request)
            self.detach_server_volumes(server)
            self.unplug_networks(server)
            self.state.remove('server', server['id'])
        return Response(204)

    # -- metadata and tags ------------------------------------------------

    def metadata(self, request: Request) -> Response:
        """``GET/POST/PUT /servers/{id}/metadata`` (POST merges).

        :param request: the request.
        :returns: the response.
        """
        with self.state.lock:
            server = self.find_server(request)
            metadata_routes.change_all(request, server, _metadata_body)
            return Response(200, {'metadata': dict(server['metadata'])})

    def metadata_item(self, request: Request) -> Response:
        """``GET/PUT/DELETE /servers/{id}/metadata/{key}``.

        :param request: the request.
        :returns: the response (204 after a delete).
        """
        with self.state.lock:
            server = self.find_server(request)
            body = metadata_routes.change_item(request, server, dict)
            return Response(204) if body is None else Response(200, body)

    def tags(self, request: Request) -> Response:
        """``GET/PUT/DELETE /servers/{id}/tags`` (microversion 2.26+).

        :param request: the request.
        :returns: the response.
        """
        if self.mv(request) < (2, 26):
            raise HTTPError(404, 'The resource could not be found.')
        with self.state.lock:
            server = self.find_server(request)
            if request.method == 'PUT':
                tags = (request.json() or {}).get('tags')
                if not isinstance(tags, list):
                    raise HTTPError(400, 'Invalid input for field/attribute '
                                         'tags.')
                server['tags'] = list(tags)
            elif request.method == 'DELETE':
                server['tags'] = []
                return Response(204)
            return Response(200, {'tags': list(server['tags'])})

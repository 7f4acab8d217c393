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

"""Nova v2.1: microversions, versions, flavors, keypairs, limits, zones.

Servers are served by :mod:`heat_retry_plugins.fakecloud.nova_servers`.
Microversions 2.1 to 2.96 are accepted from ``OpenStack-API-Version:
compute 2.N`` or ``X-OpenStack-Nova-API-Version: 2.N`` (default 2.1) and
echoed in both headers of every response.
"""

import re
import uuid

from heat_retry_plugins.fakecloud import keys
from heat_retry_plugins.fakecloud import microversions
from heat_retry_plugins.fakecloud import nova_ports
from heat_retry_plugins.fakecloud import nova_servers
from heat_retry_plugins.fakecloud import nova_volumes
from heat_retry_plugins.fakecloud import paging
from heat_retry_plugins.fakecloud import routing
from heat_retry_plugins.fakecloud import state as state_mod

HTTPError = routing.HTTPError
Request = routing.Request
Response = routing.Response

MAX_LIMIT = 1000
MIN_VERSION = (2, 1)
MAX_VERSION = (2, 96)
LEGACY_HEADER = 'X-OpenStack-Nova-API-Version'
#: The microversions of Nova: from either header, 2.1 by default.
VERSIONS = microversions.VersionRange(
    'compute', MIN_VERSION, MAX_VERSION,
    'API Version String %s is of invalid format. Must be of format '
    'MajorNum.MinorNum.', LEGACY_HEADER)

#: The flavors of a new cloud: (id, name, ram MB, disk GB, vcpus).
FLAVORS = (('1', 'm1.tiny', 512, 1, 1), ('2', 'm1.small', 2048, 20, 1),
           ('3', 'm1.medium', 4096, 40, 2), ('4', 'm1.large', 8192, 80, 4),
           ('42', 'm1.nano', 128, 1, 1))

_KEYPAIR_NAME = re.compile(r'^[\w\- ]+$')
_KEYPAIR_NAME_292 = re.compile(r'^[\w\-@. ]+$')


def _check_keypair(ref: object, version: tuple) -> tuple:
    """Check a keypair create body.

    :param ref: the ``keypair`` of the body.
    :param version: the request's microversion.
    :returns: ``(name, type)``.
    :raises HTTPError: 400.
    """
    if not isinstance(ref, dict) or not isinstance(ref.get('name'), str):
        raise HTTPError(400, "Invalid input for field/attribute keypair. "
                             "'name' is a required property")
    if version >= (2, 92) and not ref.get('public_key'):
        raise HTTPError(400, "Invalid input for field/attribute keypair. "
                             "'public_key' is a required property")
    name = ref['name']
    pattern = _KEYPAIR_NAME_292 if version >= (2, 92) else _KEYPAIR_NAME
    if not 1 <= len(name) <= 255 or not pattern.match(name):
        raise HTTPError(400, 'Keypair data is invalid: Keypair name '
                             'contains unsafe characters')
    key_type = ref.get('type', 'ssh') if version >= (2, 2) else 'ssh'
    if key_type not in ('ssh', 'x509'):
        raise HTTPError(400, "Invalid input for field/attribute type.")
    return name, key_type


def _key_material(ref: dict, key_type: str) -> tuple:
    """Take the imported public key, or generate a pair.

    :param ref: the ``keypair`` of the body.
    :param key_type: ``'ssh'`` or ``'x509'``.
    :returns: ``(private key or None, public key, fingerprint)``.
    :raises HTTPError: 400 for a bad public key, or an x509 to generate.
    """
    if ref.get('public_key'):
        try:
            fingerprint = keys.fingerprint(ref['public_key'])
        except ValueError as exc:
            raise HTTPError(400, 'Keypair data is invalid: %s' % exc)
        return None, ref['public_key'], fingerprint
    if key_type == 'x509':
        raise HTTPError(400, 'Keypair data is invalid: generating x509 '
                             'keypairs is not supported by fakecloud')
    return keys.generate()


class NovaService(nova_servers.ComputeServers, nova_ports.ComputePorts,
                  nova_volumes.ComputeVolumes,
                  microversions.MicroversionService):
    """The compute service (Nova v2.1).

    :param cloud: the owning FakeCloud.
    """

    name = 'compute'
    prefix = '/v2.1'
    version_range = VERSIONS

    def register(self) -> None:
        """Declare the routes."""
        self.route('GET', '/', self.versions, auth=False)
        self.route('GET', '/v2.1', self.version, auth=False)
        self.route('GET', '/flavors', self.list_flavors)
        self.route('GET', '/flavors/detail', self.list_flavors)
        self.route('GET', '/flavors/{id}', self.get_flavor)
        self.route('GET', '/flavors/{id}/os-extra_specs', self.extra_specs)
        self.route('POST', '/os-keypairs', self.create_keypair)
        self.route('GET', '/os-keypairs', self.list_keypairs)
        self.route('GET', '/os-keypairs/{name}', self.get_keypair)
        self.route('DELETE', '/os-keypairs/{name}', self.delete_keypair)
        self.route('GET', '/limits', self.limits)
        self.route('GET', '/os-availability-zone', self.zones)
        self.route('GET', '/os-availability-zone/detail', self.zones)
        self.register_ports()
        self.register_volumes()
        self.register_servers()

    def seed(self) -> None:
        """Create the flavors."""
        for flavor_id, name, ram, disk, vcpus in FLAVORS:
            self.state.add('flavor', {'id': flavor_id, 'name': name,
                                      'ram': ram, 'disk': disk,
                                      'vcpus': vcpus}, seeded=True)

    # -- headers and pages ------------------------------------------------

    def decorate(self, request: Request, response: Response) -> None:
        """Add the request ids (both names) and the microversion headers.

        :param request: the request.
        :param response: the response, modified in place.
        """
        req_id = routing.request_id()
        response.headers.setdefault('x-openstack-request-id', req_id)
        response.headers.setdefault('x-compute-request-id', req_id)
        super().decorate(request, response)

    def paginate(self, request: Request, items: list, collection: str,
                 key: str = 'id') -> tuple:
        """Apply ``marker`` and ``limit`` as Nova does.

        :param request: the request.
        :param items: the full, sorted list.
        :param collection: the URL collection for the next link.
        :param key: the field the marker refers to.
        :returns: ``(page, next_links or None)``.
        :raises HTTPError: 400 for a bad limit or an unknown marker.
        """
        items = paging.after_marker(items, request.arg('marker'), key)
        if items is None:
            raise HTTPError(400, 'marker [%s] not found'
                            % request.arg('marker'))
        limit = MAX_LIMIT
        if request.arg('limit') is not None:
            try:
                limit = min(int(request.arg('limit')), MAX_LIMIT)
            except ValueError:
                limit = -1
            if limit < 0:
                raise HTTPError(400, 'Invalid input for query parameters '
                                     'limit. Value: %s.' % request.arg(
                                         'limit'))
        page = items[:limit]
        if not page or len(page) < limit:
            return page, None
        href = '%s/v2.1/%s?%s' % (
            self.cloud.base_url('compute'), collection,
            routing.next_query(request, limit=limit, marker=page[-1][key]))
        return page, [{'rel': 'next', 'href': href}]

    # -- versions ---------------------------------------------------------

    def _version_body(self) -> dict:
        return {'id': 'v2.1', 'status': 'CURRENT',
                'version': microversions.version_string(MAX_VERSION),
                'min_version': microversions.version_string(MIN_VERSION),
                'updated': '2013-07-23T11:33:21Z',
                'links': [{'rel': 'self', 'href': self.cloud.base_url(
                    'compute') + '/v2.1/'}]}

    def versions(self, request: Request) -> Response:
        """``GET /``: the list of major versions.

        :param request: the request.
        :returns: the response.
        """
        v20 = {'id': 'v2.0', 'status': 'DEPRECATED', 'version': '',
               'min_version': '', 'updated': '2025-07-04T12:00:00Z',
               'links': [{'rel': 'self', 'href': self.cloud.base_url(
                   'compute') + '/v2/'}]}
        return Response(200, {'versions': [v20, self._version_body()]})

    def version(self, request: Request) -> Response:
        """``GET /v2.1``: the version document.

        :param request: the request.
        :returns: the response.
        """
        body = self._version_body()
        body['links'].append({'rel': 'describedby', 'type': 'text/html',
                              'href': 'http://docs.openstack.org/'})
        body['media-types'] = [{
            'base': 'application/json',
            'type': 'application/vnd.openstack.compute+json;version=2.1'}]
        return Response(200, {'version': body})

    # -- flavors ----------------------------------------------------------

    def render_flavor(self, request: Request, flavor: dict,
                      detail: bool = True) -> dict:
        """Render a flavor for the request's microversion.

        :param request: the request.
        :param flavor: the stored flavor.
        :param detail: the detailed form.
        :returns: the API representation.
        """
        body = {'id': flavor['id'], 'name': flavor['name'],
                'links': self.links('flavors', flavor['id'])}
        if self.mv(request) >= (2, 55):
            body['description'] = None
        if not detail:
            return body
        body.update({'ram': flavor['ram'], 'disk': flavor['disk'],
                     'vcpus': flavor['vcpus'],
                     'OS-FLV-EXT-DATA:ephemeral': 0,
                     'OS-FLV-DISABLED:disabled': False,
                     'swap': 0 if self.mv(request) >= (2, 75) else '',
                     'rxtx_factor': 1.0,
                     'os-flavor-access:is_public': True})
        if self.mv(request) >= (2, 61):
            body['extra_specs'] = {}
        return body

    def list_flavors(self, request: Request) -> Response:
        """``GET /flavors`` and ``/flavors/detail``.

        :param request: the request.
        :returns: the response.
        """
        detail = request.path.endswith('/detail')
        flavors = [f for f in self.state.list('flavor')
                   if f['ram'] >= int(request.arg('minRam') or 0)
                   and f['disk'] >= int(request.arg('minDisk') or 0)]
        return Response(200, {'flavors': [
            self.render_flavor(request, f, detail) for f in flavors]})

    def find_flavor(self, flavor_id: str) -> dict:
        """Look a flavor up by id.

        :param flavor_id: the flavor id.
        :returns: the flavor.
        :raises HTTPError: 404.
        """
        flavor = self.state.get('flavor', flavor_id)
        if flavor is None:
            raise HTTPError(404, 'Flavor %s could not be found.' % flavor_id)
        return flavor

    def get_flavor(self, request: Request) -> Response:
        """``GET /flavors/{id}``.

        :param request: the request.
        :returns: the response.
        """
        flavor = self.find_flavor(request.params['id'])
        return Response(200, {'flavor': self.render_flavor(request, flavor)})

    def extra_specs(self, request: Request) -> Response:
        """``GET /flavors/{id}/os-extra_specs``.

        :param request: the request.
        :returns: the response.
        """
        self.find_flavor(request.params['id'])
        return Response(200, {'extra_specs': {}})

    # -- keypairs ---------------------------------------------------------

    def _keypair_user(self, request: Request) -> str:
        if self.mv(request) >= (2, 10) and request.arg('user_id'):
            return request.arg('user_id')
        return request.token.user_id

    def _render_keypair(self, request: Request, keypair: dict,
                        full: bool = False) -> dict:
        body = {'name': keypair['name'], 'public_key': keypair['public_key'],
                'fingerprint': keypair['fingerprint']}
        if self.mv(request) >= (2, 2):
            body['type'] = keypair['type']
        if full:
            body.update({'user_id': keypair['user_id'], 'id': keypair['id'],
                         'created_at': keypair['created_at'],
                         'updated_at': None, 'deleted_at': None,
                         'deleted': False})
        return body

    def _find_keypair(self, request: Request) -> dict:
        user_id = self._keypair_user(request)
        keypair = self.state.find('keypair', name=request.params['name'],
                                  user_id=user_id)
        if keypair is None:
            raise HTTPError(404, 'Keypair %s not found for user %s'
                            % (request.params['name'], user_id))
        return keypair

    def create_keypair(self, request: Request) -> Response:
        """``POST /os-keypairs``: import a public key or generate a pair.

        :param request: the request.
        :returns: 200 (201 from 2.2) with the keypair; the private key
            only when it was generated.
        """
        ref = (request.json() or {}).get('keypair')
        version = self.mv(request)
        name, key_type = _check_keypair(ref, version)
        private_key, public_key, fingerprint = _key_material(ref, key_type)
        user_id = (ref.get('user_id') if version >= (2, 10)
                   and ref.get('user_id') else request.token.user_id)
        with self.state.lock:
            if self.state.find('keypair', name=name, user_id=user_id):
                raise HTTPError(409, "Key pair '%s' already exists." % name)
            keypair = self.state.add('keypair', {
                'id': uuid.uuid4().int % 100000000, 'name': name,
                'user_id': user_id, 'public_key': public_key,
                'fingerprint': fingerprint, 'type': key_type,
                'created_at': state_mod.isotime(state_mod.utcnow())})
        body = self._render_keypair(request, keypair)
        body['user_id'] = user_id
        if private_key is not None:
            body['private_key'] = private_key
        return Response(201 if version >= (2, 2) else 200,
                        {'keypair': body})

    def list_keypairs(self, request: Request) -> Response:
        """``GET /os-keypairs`` (``limit``/``marker`` from 2.35).

        :param request: the request.
        :returns: the response.
        """
        keypairs = sorted(self.state.list(
            'keypair', user_id=self._keypair_user(request)),
            key=lambda k: k['name'])
        body = {}
        if self.mv(request) >= (2, 35):
            keypairs, next_link = self.paginate(
                request, keypairs, 'os-keypairs', key='name')
            if next_link:
                body['keypairs_links'] = next_link
        body['keypairs'] = [{'keypair': self._render_keypair(request, k)}
                            for k in keypairs]
        return Response(200, body)

    def get_keypair(self, request: Request) -> Response:
        """``GET /os-keypairs/{name}``.

        :param request: the request.
        :returns: the response.
        """
        keypair = self._find_keypair(request)
        return Response(200, {'keypair': self._render_keypair(
            request, keypair, full=True)})

    def delete_keypair(self, request: Request) -> Response:
        """``DELETE /os-keypairs/{name}``.

        :param request: the request.
        :returns: 202 (204 from 2.2), or 404.
        """
        with self.state.lock:
            keypair = self._find_keypair(request)
            self.state.remove('keypair', keypair['id'])
        return Response(204 if self.mv(request) >= (2, 2) else 202)

    # -- limits and zones -------------------------------------------------

    def limits(self, request: Request) -> Response:
        """``GET /limits``: the absolute limits and current usage.

        :param request: the request.
        :returns: the response.
        """
        servers = self.state.list('server',
                                  project_id=request.token.project_id)
        flavors = [self.state.get('flavor', s['flavor_id']) or {}
                   for s in servers]
        absolute = {
            'maxImageMeta': 128, 'maxServerMeta': 128,
            'maxTotalCores': 20, 'maxTotalInstances': 10,
            'maxTotalKeypairs': 100, 'maxTotalRAMSize': 51200,
            'maxServerGroups': 10, 'maxServerGroupMembers': 10,
            'totalCoresUsed': sum(f.get('vcpus', 0) for f in flavors),
            'totalInstancesUsed': len(servers),
            'totalRAMUsed': sum(f.get('ram', 0) for f in flavors),
            'totalServerGroupsUsed': 0}
        if self.mv(request) < (2, 36):
            absolute.update({'maxSecurityGroups': 10,
                             'maxSecurityGroupRules': 20,
                             'maxTotalFloatingIps': 10,
                             'totalFloatingIpsUsed': 0,
                             'totalSecurityGroupsUsed': 0})
        if self.mv(request) < (2, 57):
            absolute.update({'maxPersonality': 5,
                             'maxPersonalitySize': 10240})
        return Response(200, {'limits': {'rate': [], 'absolute': absolute}})

    def zones(self, request: Request) -> Response:
        """``GET /os-availability-zone`` (and ``/detail``).

        :param request: the request.
        :returns: the response.
        """
        return Response(200, {'availabilityZoneInfo': [{
            'zoneName': 'nova', 'zoneState': {'available': True},
            'hosts': None}]})

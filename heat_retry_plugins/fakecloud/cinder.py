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

"""Cinder v3: versions, microversions, types, limits, quotas, zones.

Volumes are served by :mod:`heat_retry_plugins.fakecloud.cinder_volumes`.
Every route is served both as ``/v3/{project_id}/...`` (the legacy form;
the project must be the token's, else 400 as Cinder answers) and as
``/v3/...`` (Cinder's form since microversion 3.67). Microversions 3.0 to
3.70 are accepted from ``OpenStack-API-Version: volume 3.N`` (default 3.0)
and echoed in every response. Quotas are unlimited (-1) until set with
``PUT /os-quota-sets/{project_id}``; a create over a set limit is a 413.
"""

import re
from typing import Any
from typing import Callable
from typing import Optional

from heat_retry_plugins.fakecloud import cinder_volumes
from heat_retry_plugins.fakecloud import routing

HTTPError = routing.HTTPError
Request = routing.Request
Response = routing.Response

MIN_VERSION = (3, 0)
MAX_VERSION = (3, 70)
HEADER = 'OpenStack-API-Version'
MAX_LIMIT = 1000

#: The id of the seeded ``__DEFAULT__`` volume type.
DEFAULT_TYPE_ID = 'b0a8e0f4-6a3c-4c1e-9f52-4f3f5d0c7e01'

FAULT_NAMES = {400: 'badRequest', 401: 'unauthorized', 403: 'forbidden',
               404: 'itemNotFound', 405: 'badMethod',
               409: 'conflictingRequest', 413: 'overLimit',
               415: 'badMediaType', 429: 'overLimit',
               501: 'notImplemented', 503: 'serviceUnavailable'}

#: Quota resources of a project; -1 is unlimited.
QUOTA_RESOURCES = ('volumes', 'gigabytes', 'snapshots', 'backups',
                   'backup_gigabytes', 'per_volume_gigabytes', 'groups')

#: Extension aliases listed: what this fake implements.
EXTENSIONS = (('os-availability-zone', 'AvailabilityZones'),
              ('os-volume-actions', 'VolumeActions'),
              ('os-quota-sets', 'Quotas'),
              ('os-vol-tenant-attr', 'VolumeTenantAttribute'),
              ('os-vol-host-attr', 'VolumeHostAttribute'),
              ('os-vol-mig-status-attr', 'VolumeMigStatusAttribute'),
              ('os-vol-image-meta', 'VolumeImageMetadata'))

_VERSION_ROUTES = ('/', '/v3')


def version_string(version: tuple) -> str:
    """Format a microversion.

    :param version: ``(3, N)``.
    :returns: ``'3.N'``.
    """
    return '%d.%d' % version


def parse_version(headers: Any) -> tuple:
    """Read the requested microversion from the request headers.

    :param headers: the request headers.
    :returns: ``(3, N)``.
    :raises HTTPError: 400 for a malformed version, 406 out of range.
    """
    raw = None
    for item in (headers.get(HEADER) or '').split(','):
        service, _, value = item.strip().partition(' ')
        if service.lower() == 'volume' and value.strip():
            raw = value.strip()
    if raw is None:
        return MIN_VERSION
    if raw.lower() == 'latest':
        return MAX_VERSION
    match = re.fullmatch(r'(\d+)\.(\d+)', raw)
    if not match:
        raise HTTPError(400, 'Invalid API version string %s.' % raw)
    version = (int(match.group(1)), int(match.group(2)))
    if not MIN_VERSION <= version <= MAX_VERSION:
        raise HTTPError(406, 'Version %s is not supported by the API. '
                             'Minimum is %s and maximum is %s.' % (
                                 raw, version_string(MIN_VERSION),
                                 version_string(MAX_VERSION)))
    return version


class CinderService(cinder_volumes.VolumeResources, routing.Service):
    """The block storage service (Cinder v3).

    :param cloud: the owning FakeCloud.
    """

    name = 'volumev3'
    prefix = '/v3'

    def __init__(self, cloud: Any) -> None:
        #: Seconds a new volume stays ``creating``.
        self.build_seconds = 0.0
        #: Seconds an attach stays ``attaching`` and a detach ``detaching``.
        self.attach_seconds = 0.0
        #: Project id -> the limits set with ``PUT /os-quota-sets``.
        self.quotas = {}
        super().__init__(cloud)

    def register(self) -> None:
        """Declare the routes."""
        self.route('GET', '/', self.versions, auth=False)
        self.route('GET', '/v3', self.version, auth=False)
        self.project_route('GET', '/types', self.list_types)
        self.project_route('GET', '/types/default', self.default_type)
        self.project_route('GET', '/types/{id}', self.show_type)
        self.project_route('GET', '/types/{id}/extra_specs',
                           self.extra_specs)
        self.project_route('GET', '/limits', self.limits)
        self.project_route('GET', '/os-availability-zone', self.zones)
        self.project_route('GET', '/extensions', self.extensions)
        self.project_route('GET', '/os-quota-sets/{target}/defaults',
                           self.quota_defaults)
        for method in ('GET', 'PUT', 'DELETE'):
            self.project_route(method, '/os-quota-sets/{target}', self.quota)
        self.register_volumes()

    def project_route(self, method: str, template: str,
                      func: Callable) -> None:
        """Add a route both with and without the project in the path.

        :param method: the HTTP method.
        :param template: the template without the project,
            e.g. ``'/volumes/{id}'``.
        :param func: the handler.
        """
        self.route(method, template, func)
        self.route(method, '/{project_id}' + template, func)

    def seed(self) -> None:
        """Create the ``__DEFAULT__`` volume type."""
        self.state.add('volume_type', {
            'id': DEFAULT_TYPE_ID, 'name': '__DEFAULT__',
            'description': 'Default Volume Type'}, seeded=True)

    # -- microversions, headers, errors -----------------------------------

    def before(self, request: Request) -> None:
        """Read the microversion; refuse another project's URL.

        :param request: the request.
        :raises HTTPError: 400/406.
        """
        if request.template in _VERSION_ROUTES:
            return
        request.context['version'] = parse_version(request.headers)
        project_id = request.params.get('project_id')
        if project_id is not None and project_id != (
                request.token.project_id):
            raise HTTPError(400, 'Malformed request url')

    def mv(self, request: Request) -> tuple:
        """Return the microversion of a request.

        :param request: the request.
        :returns: ``(3, N)``.
        """
        return request.context.get('version', MIN_VERSION)

    def decorate(self, request: Request, response: Response) -> None:
        """Add the request id and the microversion headers.

        :param request: the request.
        :param response: the response, modified in place.
        """
        super().decorate(request, response)
        version = request.context.get('version')
        if version is None:
            try:
                version = parse_version(request.headers)
            except HTTPError:
                version = MIN_VERSION
        response.headers.setdefault(HEADER, 'volume %s'
                                    % version_string(version))
        response.headers.setdefault('Vary', HEADER)

    def error(self, status: int, message: str) -> Response:
        """Build Cinder's ``{"<faultName>": {"code", "message"}}`` body.

        :param status: the HTTP status.
        :param message: the message.
        :returns: the response.
        """
        return Response(status, {FAULT_NAMES.get(status, 'computeFault'): {
            'code': status, 'message': message}})

    def links(self, collection: str, obj_id: str) -> list:
        """Build the self and bookmark links of a resource.

        :param collection: e.g. ``'volumes'``.
        :param obj_id: the resource id.
        :returns: the links list.
        """
        base = self.cloud.base_url(self.name)
        return [{'rel': 'self', 'href': '%s/v3/%s/%s' % (base, collection,
                                                         obj_id)},
                {'rel': 'bookmark', 'href': '%s/%s/%s' % (base, collection,
                                                          obj_id)}]

    def paginate(self, request: Request, items: list) -> list:
        """Apply ``marker``, ``offset`` and ``limit`` as Cinder does.

        :param request: the request.
        :param items: the full, sorted list of rendered items.
        :returns: the page.
        :raises HTTPError: 400 for a bad limit or offset, 404 for an
            unknown marker.
        """
        marker = request.arg('marker')
        if marker is not None:
            ids = [item['id'] for item in items]
            if marker not in ids:
                raise HTTPError(404, 'Marker %s could not be found.'
                                % marker)
            items = items[ids.index(marker) + 1:]
        bounds = []
        for arg, default in (('offset', 0), ('limit', MAX_LIMIT)):
            try:
                value = int(request.arg(arg, default))
            except ValueError:
                value = -1
            if value < 0:
                raise HTTPError(400, 'Invalid input received: %s param must'
                                     ' be positive' % arg)
            bounds.append(value)
        offset, limit = bounds
        return items[offset:offset + min(limit, MAX_LIMIT)]

    # -- versions ---------------------------------------------------------

    def _version_body(self) -> dict:
        base = self.cloud.base_url(self.name)
        return {'id': 'v3.0', 'status': 'CURRENT',
                'version': version_string(MAX_VERSION),
                'min_version': version_string(MIN_VERSION),
                'updated': '2023-08-31T00:00:00Z',
                'links': [{'rel': 'describedby', 'type': 'text/html',
                           'href': 'https://docs.openstack.org/'},
                          {'rel': 'self', 'href': base + '/v3/'}],
                'media-types': [{
                    'base': 'application/json',
                    'type': 'application/vnd.openstack.volume+json;'
                            'version=3'}]}

    def versions(self, request: Request) -> Response:
        """``GET /``: the versions, as a 300 like Cinder.

        :param request: the request.
        :returns: the response.
        """
        return Response(300, {'versions': [self._version_body()]})

    def version(self, request: Request) -> Response:
        """``GET /v3``: the v3 version document.

        :param request: the request.
        :returns: the response.
        """
        return Response(200, {'versions': [self._version_body()]})

    # -- volume types -----------------------------------------------------

    @staticmethod
    def render_type(volume_type: dict) -> dict:
        """Render a volume type.

        :param volume_type: the stored type.
        :returns: the API representation.
        """
        return {'id': volume_type['id'], 'name': volume_type['name'],
                'description': volume_type['description'],
                'is_public': True, 'extra_specs': {},
                'os-volume-type-access:is_public': True,
                'qos_specs_id': None}

    def find_volume_type(self, name_or_id: Optional[str]) -> dict:
        """Resolve a volume type as a create names it.

        :param name_or_id: a type id or name, or None for the default.
        :returns: the stored type.
        :raises HTTPError: 404.
        """
        if name_or_id is None:
            name_or_id = DEFAULT_TYPE_ID
        found = (self.state.get('volume_type', name_or_id) or
                 self.state.find('volume_type', name=name_or_id))
        if found is None:
            raise HTTPError(404, 'Volume type with name %s could not be '
                                 'found.' % name_or_id)
        return found

    def list_types(self, request: Request) -> Response:
        """``GET /types``.

        :param request: the request.
        :returns: the response.
        """
        return Response(200, {'volume_types': [
            self.render_type(t) for t in self.state.list('volume_type')]})

    def default_type(self, request: Request) -> Response:
        """``GET /types/default`` (3.62+).

        :param request: the request.
        :returns: the response.
        """
        if self.mv(request) < (3, 62):
            raise HTTPError(404, 'Volume type default could not be found.')
        return Response(200, {'volume_type': self.render_type(
            self.find_volume_type(None))})

    def _type(self, request: Request) -> dict:
        volume_type = self.state.get('volume_type', request.params['id'])
        if volume_type is None:
            raise HTTPError(404, 'Volume type %s could not be found.'
                            % request.params['id'])
        return volume_type

    def show_type(self, request: Request) -> Response:
        """``GET /types/{id}``.

        :param request: the request.
        :returns: the response.
        """
        return Response(200, {'volume_type': self.render_type(
            self._type(request))})

    def extra_specs(self, request: Request) -> Response:
        """``GET /types/{id}/extra_specs``: none.

        :param request: the request.
        :returns: the response.
        """
        self._type(request)
        return Response(200, {'extra_specs': {}})

    # -- quotas and limits ------------------------------------------------

    def limits_of(self, project_id: str) -> dict:
        """Return a project's quota limits.

        :param project_id: the project.
        :returns: resource -> limit (-1: unlimited).
        """
        limits = dict.fromkeys(QUOTA_RESOURCES, -1)
        limits.update(self.quotas.get(project_id, {}))
        return limits

    def usage_of(self, project_id: str) -> dict:
        """Count what a project uses.

        :param project_id: the project.
        :returns: resource -> amount in use.
        """
        volumes = self.state.list('volume', project_id=project_id)
        usage = dict.fromkeys(QUOTA_RESOURCES, 0)
        usage.update(volumes=len(volumes),
                     gigabytes=sum(v['size'] for v in volumes))
        return usage

    def check_quota(self, project_id: str, gigabytes: int,
                    volumes: int = 1) -> None:
        """Refuse a create or extend over a project's quota.

        :param project_id: the project.
        :param gigabytes: the gigabytes asked for.
        :param volumes: the volumes asked for.
        :raises HTTPError: 413.
        """
        limits, usage = self.limits_of(project_id), self.usage_of(project_id)
        per_volume = limits['per_volume_gigabytes']
        if 0 <= per_volume < gigabytes:
            raise HTTPError(413, 'VolumeSizeExceedsLimit: Requested volume '
                                 'size %dG is larger than maximum allowed '
                                 'limit %dG.' % (gigabytes, per_volume))
        for resource, asked in (('volumes', volumes),
                                ('gigabytes', gigabytes)):
            limit = limits[resource]
            if asked and 0 <= limit < usage[resource] + asked:
                raise HTTPError(413, "VolumeLimitExceeded: Maximum number of"
                                     " %s allowed (%d) exceeded for quota "
                                     "'%s'." % (resource, limit, resource))

    def quota(self, request: Request) -> Response:
        """``GET`` (``?usage=True``), ``PUT``, ``DELETE /os-quota-sets/...``.

        :param request: the request.
        :returns: the response.
        """
        target = request.params['target']
        with self.state.lock:
            if request.method == 'DELETE':
                self.quotas.pop(target, None)
                return Response(200)
            if request.method == 'PUT':
                ref = (request.json() or {}).get('quota_set')
                if not isinstance(ref, dict):
                    raise HTTPError(400, 'Missing required element '
                                         "'quota_set' in request body.")
                # NOTE: cinderclient sends the project as tenant_id too.
                ref = {k: v for k, v in ref.items()
                       if k not in ('tenant_id', 'id')}
                for key, value in ref.items():
                    if key not in QUOTA_RESOURCES:
                        raise HTTPError(400, 'Bad key(s) in quota set: %s'
                                        % key)
                    if (not isinstance(value, int) or isinstance(value, bool)
                            or value < -1):
                        raise HTTPError(400, 'Invalid input received: '
                                             'Quota %s value must be an '
                                             'integer >= -1.' % key)
                self.quotas.setdefault(target, {}).update(ref)
            body = dict(self.limits_of(target), id=target)
            if request.arg('usage') in ('True', 'true', '1'):
                usage = self.usage_of(target)
                body = {key: {'limit': limit, 'in_use': usage[key],
                              'reserved': 0, 'allocated': 0}
                        for key, limit in self.limits_of(target).items()}
                body['id'] = target
        return Response(200, {'quota_set': body})

    def quota_defaults(self, request: Request) -> Response:
        """``GET /os-quota-sets/{target}/defaults``.

        :param request: the request.
        :returns: the response.
        """
        return Response(200, {'quota_set': dict(
            dict.fromkeys(QUOTA_RESOURCES, -1), id=request.params['target'])})

    def limits(self, request: Request) -> Response:
        """``GET /limits``: the absolute limits and current usage.

        :param request: the request.
        :returns: the response.
        """
        with self.state.lock:
            project_id = request.token.project_id
            limits, usage = self.limits_of(project_id), self.usage_of(
                project_id)
        return Response(200, {'limits': {'rate': [], 'absolute': {
            'maxTotalVolumes': limits['volumes'],
            'maxTotalVolumeGigabytes': limits['gigabytes'],
            'maxTotalSnapshots': limits['snapshots'],
            'maxTotalBackups': limits['backups'],
            'maxTotalBackupGigabytes': limits['backup_gigabytes'],
            'totalVolumesUsed': usage['volumes'],
            'totalGigabytesUsed': usage['gigabytes'],
            'totalSnapshotsUsed': 0, 'totalBackupsUsed': 0,
            'totalBackupGigabytesUsed': 0}}})

    # -- zones and extensions ---------------------------------------------

    def zones(self, request: Request) -> Response:
        """``GET /os-availability-zone``.

        :param request: the request.
        :returns: the response.
        """
        return Response(200, {'availabilityZoneInfo': [{
            'zoneName': 'nova', 'zoneState': {'available': True}}]})

    def extensions(self, request: Request) -> Response:
        """``GET /extensions``.

        :param request: the request.
        :returns: the response.
        """
        return Response(200, {'extensions': [{
            'alias': alias, 'name': name, 'description': name,
            'updated': '2013-01-20T00:00:00+00:00', 'links': []}
            for alias, name in EXTENSIONS]})

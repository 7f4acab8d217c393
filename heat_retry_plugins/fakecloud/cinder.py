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
and echoed in every response. Quotas and limits are in
:mod:`heat_retry_plugins.fakecloud.cinder_quotas`.
"""

from typing import Any
from typing import Callable
from typing import Optional

from heat_retry_plugins.fakecloud import cinder_quotas
from heat_retry_plugins.fakecloud import cinder_volumes
from heat_retry_plugins.fakecloud import microversions
from heat_retry_plugins.fakecloud import paging
from heat_retry_plugins.fakecloud import routing

HTTPError = routing.HTTPError
Request = routing.Request
Response = routing.Response

MIN_VERSION = (3, 0)
MAX_VERSION = (3, 70)
MAX_LIMIT = 1000
#: The microversions of Cinder: 3.0 by default.
VERSIONS = microversions.VersionRange(
    'volume', MIN_VERSION, MAX_VERSION, 'Invalid API version string %s.')

#: The id of the seeded ``__DEFAULT__`` volume type.
DEFAULT_TYPE_ID = 'b0a8e0f4-6a3c-4c1e-9f52-4f3f5d0c7e01'

#: Extension aliases listed: what this fake implements.
EXTENSIONS = (('os-availability-zone', 'AvailabilityZones'),
              ('os-volume-actions', 'VolumeActions'),
              ('os-quota-sets', 'Quotas'),
              ('os-vol-tenant-attr', 'VolumeTenantAttribute'),
              ('os-vol-host-attr', 'VolumeHostAttribute'),
              ('os-vol-mig-status-attr', 'VolumeMigStatusAttribute'),
              ('os-vol-image-meta', 'VolumeImageMetadata'))


class CinderService(cinder_volumes.VolumeResources,
                    cinder_quotas.QuotaResources,
                    microversions.MicroversionService):
    """The block storage service (Cinder v3).

    :param cloud: the owning FakeCloud.
    """

    name = 'volumev3'
    prefix = '/v3'
    version_range = VERSIONS

    def __init__(self, cloud: Any) -> None:
        #: Seconds a new volume stays ``creating``.
        self.build_seconds = 0.0
        #: Seconds an attach stays ``attaching`` and a detach ``detaching``.
        self.attach_seconds = 0.0
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
        self.project_route('GET', '/os-availability-zone', self.zones)
        self.project_route('GET', '/extensions', self.extensions)
        self.register_quotas()
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

    # -- the project of the path, pages -----------------------------------

    def before(self, request: Request) -> None:
        """Read the microversion; refuse another project's URL.

        :param request: the request.
        :raises HTTPError: 400/406.
        """
        super().before(request)
        project_id = request.params.get('project_id')
        if project_id is not None and project_id != (
                request.token.project_id):
            raise HTTPError(400, 'Malformed request url')

    def paginate(self, request: Request, items: list) -> list:
        """Apply ``marker``, ``offset`` and ``limit`` as Cinder does.

        :param request: the request.
        :param items: the full, sorted list of rendered items.
        :returns: the page.
        :raises HTTPError: 400 for a bad limit or offset, 404 for an
            unknown marker.
        """
        items = paging.after_marker(items, request.arg('marker'))
        if items is None:
            raise HTTPError(404, 'Marker %s could not be found.'
                            % request.arg('marker'))
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
                'version': microversions.version_string(MAX_VERSION),
                'min_version': microversions.version_string(MIN_VERSION),
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

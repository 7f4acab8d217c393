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

"""Designate v2: zones and their recordsets.

The catalog URL has no version; keystoneauth discovers ``/v2`` from
``GET /``. A create, update or delete answers 202 with the object
``PENDING`` (``action`` CREATE, UPDATE or DELETE) for
:attr:`DesignateService.pending_seconds` (0 by default: at once ``ACTIVE``,
or gone; set it on the service of a cloud). Zone names are unique across
all projects (409 ``duplicate_zone``), a recordset's name and type within
its zone (409 ``duplicate_recordset``). Zones are per project, and no
SOA or NS recordsets are made. Bodies are checked by
:mod:`.designate_schema`. Errors are Designate's JSON: ``{"code",
"type", "message", "request_id"}``.
"""

import re
import time
from typing import Callable
import uuid

from heat_retry_plugins.fakecloud import designate_schema as schema
from heat_retry_plugins.fakecloud import paging
from heat_retry_plugins.fakecloud import pending
from heat_retry_plugins.fakecloud import routing
from heat_retry_plugins.fakecloud import state as state_mod
from heat_retry_plugins.fakecloud import typed_errors

DesignateError = schema.DesignateError
Request = routing.Request
Response = routing.Response

#: The id of Designate's default pool.
POOL_ID = '794ccc2c-d751-44fe-b57f-8894c9f5c842'
_TYPES = {400: 'bad_request', 401: 'unauthorized', 403: 'forbidden',
          404: 'not_found', 405: 'method_not_allowed', 409: 'conflict',
          413: 'over_quota', 429: 'over_quota', 503: 'service_unavailable'}


class DesignateService(typed_errors.TypedErrorService):
    """The DNS service (Designate v2).

    :param cloud: the owning FakeCloud.
    """

    name = 'dns'
    prefix = '/v2'
    error_types = _TYPES
    default_error_type = 'unknown'

    #: Seconds an object stays ``PENDING`` after a change.
    pending_seconds = 0.0

    def register(self) -> None:
        """Declare the routes."""
        self.route('GET', '/', self.versions, auth=False)
        for method, template, func in (
                ('POST', '/zones', self.create_zone),
                ('GET', '/zones', self.list_zones),
                ('GET', '/zones/{zone}', self.show_zone),
                ('PATCH', '/zones/{zone}', self.update_zone),
                ('DELETE', '/zones/{zone}', self.delete_zone),
                ('POST', '/zones/{zone}/recordsets', self.create_recordset),
                ('GET', '/zones/{zone}/recordsets', self.list_recordsets),
                ('GET', '/recordsets', self.list_recordsets),
                ('GET', '/zones/{zone}/recordsets/{id}',
                 self.show_recordset),
                ('PUT', '/zones/{zone}/recordsets/{id}',
                 self.update_recordset),
                ('DELETE', '/zones/{zone}/recordsets/{id}',
                 self.delete_recordset)):
            self.route(method, template, self.typed(func))

    def typed_error(self, status: int, error_type: str,
                    message: str) -> Response:
        """Build Designate's error body.

        :param status: the HTTP status.
        :param error_type: the ``type``.
        :param message: the message.
        :returns: the response.
        """
        return Response(status, {'code': status, 'type': error_type,
                                 'message': message,
                                 'request_id': routing.request_id()})

    def before(self, request: Request) -> None:
        """Finish the changes whose time has come, then serve.

        :param request: the request.
        """
        with self.state.lock:
            for kind in ('zone', 'recordset'):
                for obj in pending.due(self.state, kind):
                    self._finish(kind, obj)

    def versions(self, request: Request) -> Response:
        """``GET /``: the versions, for keystoneauth's discovery.

        :param request: the request.
        :returns: the response.
        """
        links = [{'href': self.cloud.base_url(self.name) + '/v2',
                  'rel': 'self'}]
        return Response(200, {'versions': [
            {'id': 'v2.1', 'status': 'CURRENT',
             'updated': '2023-01-01T00:00:00Z', 'links': links},
            {'id': 'v2.0', 'status': 'SUPPORTED',
             'updated': '2022-06-29T00:00:00Z', 'links': links}]})

    # -- changes ----------------------------------------------------------

    def _now(self) -> str:
        return state_mod.isotime(self.state.clock())[:-1]

    def _change(self, request: Request, kind: str, obj: dict,
                action: str) -> Response:
        """Start a change; answer 202 with the object ``PENDING``."""
        obj.update(status='PENDING', action=action)
        if action != 'CREATE':
            obj['version'] += 1
            obj['updated_at'] = self._now()
        render = self._zone_body if kind == 'zone' else self._recordset_body
        body = render(request, obj)
        if not pending.postpone(obj, self.pending_seconds):
            self._finish(kind, obj)
        return Response(202, body)

    def _finish(self, kind: str, obj: dict) -> None:
        if obj['action'] == 'DELETE':
            self.state.remove(kind, obj['id'])
            if kind == 'zone':
                for recordset in self.state.list('recordset',
                                                 zone_id=obj['id']):
                    self.state.remove('recordset', recordset['id'])
        else:
            obj.update(status='ACTIVE', action='NONE')

    def _render(self, request: Request, obj: dict, path: str) -> dict:
        body = {k: v for k, v in obj.items() if not k.startswith('_')}
        body['links'] = {'self': '%s/v2/%s' % (request.base_url, path)}
        return body

    def _zone_body(self, request: Request, zone: dict) -> dict:
        return self._render(request, zone, 'zones/%s' % zone['id'])

    def _recordset_body(self, request: Request, recordset: dict) -> dict:
        return self._render(request, recordset, 'zones/%s/recordsets/%s' % (
            recordset['zone_id'], recordset['id']))

    def _listing(self, request: Request, key: str, objs: list,
                 render: Callable) -> Response:
        for field, values in request.query.items():
            if field in ('limit', 'marker', 'sort_key', 'sort_dir'):
                continue
            pattern = re.compile('.*'.join(
                re.escape(part) for part in values[0].split('*')))
            objs = [o for o in objs if pattern.fullmatch(str(o.get(field)))]
        objs = paging.after_marker(objs, request.arg('marker'))
        if objs is None:
            raise DesignateError(400, 'invalid_marker', 'Invalid marker: %s'
                                 % request.arg('marker'))
        try:
            limit = int(request.arg('limit') or 1000)
        except ValueError:
            raise DesignateError(400, 'invalid_limit',
                                 'limit must be an integer')
        page, marker = paging.first_page(objs, limit)
        url = '%s/v2%s' % (request.base_url, request.path)
        links = {'self': url}
        if marker is not None:
            links['next'] = '%s?%s' % (url, routing.next_query(
                request, limit=limit, marker=marker))
        return Response(200, {key: [render(request, o) for o in page],
                              'links': links,
                              'metadata': {'total_count': len(objs)}})

    # -- zones ------------------------------------------------------------

    def find_zone(self, request: Request) -> dict:
        """Look the zone of ``{zone}`` up in the request's project.

        :param request: the request.
        :returns: the stored zone.
        :raises DesignateError: 404 ``zone_not_found``.
        """
        zone = self.state.get('zone', request.params['zone'])
        if zone is None or zone['project_id'] != request.token.project_id:
            raise DesignateError(404, 'zone_not_found', 'Could not find Zone')
        return zone

    def create_zone(self, request: Request) -> Response:
        """``POST /v2/zones``.

        :param request: the request.
        :returns: the response (202, the zone ``PENDING``).
        :raises DesignateError: 400 ``invalid_object``, 409
            ``duplicate_zone``.
        """
        values = schema.zone_create(request.json())
        name = values['name']
        with self.state.lock:
            if self.state.find('zone', name=name):
                raise DesignateError(409, 'duplicate_zone', 'Duplicate Zone')
            zone = self.state.add('zone', {
                'id': str(uuid.uuid4()), 'pool_id': POOL_ID,
                'project_id': request.token.project_id, 'name': name,
                'email': values.get('email'), 'ttl': values.get('ttl', 3600),
                'serial': int(time.time()), 'version': 1,
                'description': values.get('description'),
                'masters': list(values.get('masters') or []),
                'type': values['type'], 'transferred_at': None,
                'attributes': dict(values.get('attributes') or {}),
                'shared': False, 'created_at': self._now(),
                'updated_at': None})
            return self._change(request, 'zone', zone, 'CREATE')

    def list_zones(self, request: Request) -> Response:
        """``GET /v2/zones``: the project's, filtered (``*`` wildcards).

        :param request: the request.
        :returns: the response.
        """
        zones = self.state.list('zone', project_id=request.token.project_id)
        return self._listing(request, 'zones', zones, self._zone_body)

    def show_zone(self, request: Request) -> Response:
        """``GET /v2/zones/{zone}``.

        :param request: the request.
        :returns: the response.
        """
        zone = self.find_zone(request)
        return Response(200, self._zone_body(request, zone))

    def update_zone(self, request: Request) -> Response:
        """``PATCH /v2/zones/{zone}``: email, TTL, description, masters.

        :param request: the request.
        :returns: the response (202).
        """
        values = schema.check_update('zone', request.json())
        with self.state.lock:
            zone = self.find_zone(request)
            zone.update(values, serial=zone['serial'] + 1)
            return self._change(request, 'zone', zone, 'UPDATE')

    def delete_zone(self, request: Request) -> Response:
        """``DELETE /v2/zones/{zone}``: its recordsets go with it.

        :param request: the request.
        :returns: the response (202, the zone ``PENDING`` DELETE).
        """
        with self.state.lock:
            return self._change(request, 'zone', self.find_zone(request),
                                'DELETE')

    # -- recordsets -------------------------------------------------------

    def _find_recordset(self, request: Request) -> dict:
        zone = self.find_zone(request)
        recordset = self.state.get('recordset', request.params['id'])
        if recordset is None or recordset['zone_id'] != zone['id']:
            raise DesignateError(404, 'recordset_not_found',
                                 'Could not find RecordSet')
        return recordset

    def create_recordset(self, request: Request) -> Response:
        """``POST /v2/zones/{zone}/recordsets``.

        :param request: the request.
        :returns: the response (202, the recordset ``PENDING``).
        :raises DesignateError: 400 on a bad body or a name outside the
            zone, 409 ``duplicate_recordset``.
        """
        values = schema.recordset_create(request.json())
        name, rtype = values['name'], values['type']
        with self.state.lock:
            zone = self.find_zone(request)
            if name != zone['name'] and not name.endswith('.' + zone['name']):
                raise DesignateError(400, 'invalid_recordset_location',
                                     "RecordSet is not contained within "
                                     "it's parent zone")
            if self.state.find('recordset', zone_id=zone['id'], name=name,
                               type=rtype):
                raise DesignateError(409, 'duplicate_recordset',
                                     'Duplicate RecordSet')
            recordset = self.state.add('recordset', {
                'id': str(uuid.uuid4()), 'project_id': zone['project_id'],
                'zone_id': zone['id'], 'zone_name': zone['name'],
                'name': name, 'type': rtype,
                'records': list(values['records']),
                'ttl': values.get('ttl'),
                'description': values.get('description'), 'version': 1,
                'created_at': self._now(), 'updated_at': None})
            zone['serial'] += 1
            return self._change(request, 'recordset', recordset, 'CREATE')

    def list_recordsets(self, request: Request) -> Response:
        """``GET /v2/zones/{zone}/recordsets`` and ``GET /v2/recordsets``.

        :param request: the request.
        :returns: the response.
        """
        fields = {'project_id': request.token.project_id}
        if 'zone' in request.params:
            fields['zone_id'] = self.find_zone(request)['id']
        return self._listing(request, 'recordsets',
                             self.state.list('recordset', **fields),
                             self._recordset_body)

    def show_recordset(self, request: Request) -> Response:
        """``GET /v2/zones/{zone}/recordsets/{id}``.

        :param request: the request.
        :returns: the response.
        """
        return Response(200, self._recordset_body(
            request, self._find_recordset(request)))

    def update_recordset(self, request: Request) -> Response:
        """``PUT /v2/zones/{zone}/recordsets/{id}``: records, TTL, text.

        :param request: the request.
        :returns: the response (202).
        """
        values = schema.check_update('recordset', request.json())
        with self.state.lock:
            recordset = self._find_recordset(request)
            recordset.update(values)
            self.find_zone(request)['serial'] += 1
            return self._change(request, 'recordset', recordset, 'UPDATE')

    def delete_recordset(self, request: Request) -> Response:
        """``DELETE /v2/zones/{zone}/recordsets/{id}``.

        :param request: the request.
        :returns: the response (202, the recordset ``PENDING`` DELETE).
        """
        with self.state.lock:
            return self._change(request, 'recordset',
                                self._find_recordset(request), 'DELETE')

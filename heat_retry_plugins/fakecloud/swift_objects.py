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

"""Swift objects: PUT, GET/HEAD, POST, DELETE, and versioned writes.

A mixin of :class:`~heat_retry_plugins.fakecloud.swift.SwiftService`.
Object names may hold ``/``. A container with ``X-Versions-Location``
keeps the object a PUT replaces in that container as
``<3 hex digits of len(name)><name>/<timestamp>``, and a DELETE brings the
newest kept version back (Swift's legacy "stack" mode, what Heat's signal
URLs use: ``X-Versions-Location`` is the signal container itself); with
``X-History-Location`` a DELETE keeps the deleted object there instead.
"""

import hashlib
import mimetypes
import re
import time

from heat_retry_plugins.fakecloud import routing
from heat_retry_plugins.fakecloud import swift_headers

HTTPError = routing.HTTPError
Request = routing.Request
Response = routing.Response

_OBJECT_PATH = re.compile(
    r'^/(?P<account>[^/]+)/(?P<container>[^/]+)/(?P<object>.+)$')


def version_prefix(name: str) -> str:
    """Name the prefix of an object's kept versions.

    :param name: the object name.
    :returns: e.g. ``'003abc/'`` for ``abc``.
    """
    return '%03x%s/' % (len(name), name)


class ObjectRoutes:
    """Route handlers of Swift objects (a Service mixin)."""

    def register_objects(self, template: str) -> None:
        """Declare the object routes (HEAD is served by GET).

        :param template: the template the counters name them by.
        """
        for method, func in (('GET', self.get_object),
                             ('PUT', self.put_object),
                             ('POST', self.post_object),
                             ('DELETE', self.delete_object)):
            self.routes.append(routing.Route(method, template, func, False,
                                             _OBJECT_PATH))

    def object_id(self, request: Request) -> str:
        """Name the stored object of a request.

        :param request: an object request.
        :returns: ``'<account>/<container>/<object>'``.
        """
        return '%s/%s' % (self.container_id(request),
                          request.params['object'])

    def _find_object(self, request: Request) -> dict:
        self.find_container(request)
        obj = self.state.get('object', self.object_id(request))
        if obj is None:
            raise HTTPError(404, 'The resource could not be found.')
        return obj

    def _store(self, container: dict, name: str, data: bytes,
               content_type: str, metadata: dict) -> dict:
        """Write an object; one of that name is overwritten in place."""
        now = time.time()
        obj = {'id': '%s/%s' % (container['id'], name), 'name': name,
               'account': container['account'],
               'container': container['name'],
               'project_id': container['project_id'], '_data': data,
               'bytes': len(data),
               'etag': hashlib.md5(data, usedforsecurity=False).hexdigest(),
               'content_type': content_type, 'meta': metadata,
               'timestamp': swift_headers.timestamp(now),
               'last_modified': swift_headers.listing_time(now)}
        existing = self.state.get('object', obj['id'])
        if existing is None:
            return self.state.add('object', obj)
        existing.clear()
        existing.update(obj)
        return existing

    def _archive(self, container: dict, obj: dict, location: str) -> None:
        """Keep a copy of an object in a versions container (412 if none)."""
        archive = self.state.get('container', '%s/%s' % (
            container['account'], location))
        if archive is None:
            raise HTTPError(412, 'The versions container %s does not '
                                 'exist.' % location)
        self._store(archive, version_prefix(obj['name']) + obj['timestamp'],
                    obj['_data'], obj['content_type'], dict(obj['meta']))

    def _headers(self, obj: dict) -> dict:
        headers = {swift_headers.header_name(k): v
                   for k, v in obj['meta'].items()}
        headers.update({'ETag': obj['etag'], 'X-Timestamp': obj['timestamp'],
                        'Last-Modified': swift_headers.http_date(
                            float(obj['timestamp'])),
                        'Accept-Ranges': 'bytes'})
        return headers

    def get_object(self, request: Request) -> Response:
        """``GET`` (and ``HEAD``) ``/v1/{account}/{container}/{object}``.

        :param request: the request.
        :returns: the data and the object's headers.
        """
        with self.state.lock:
            obj = self._find_object(request)
            headers = self._headers(obj)
            if not obj['_data']:
                headers['Content-Type'] = obj['content_type']
            return Response(200, obj['_data'], headers=headers,
                            content_type=obj['content_type'])

    def put_object(self, request: Request) -> Response:
        """``PUT /v1/{account}/{container}/{object}``.

        :param request: the request.
        :returns: the response (201, with the ETag).
        :raises HTTPError: 404 without the container, 422 when the body
            does not match the ``ETag`` sent.
        """
        data = request.body
        sent = (request.headers.get('ETag') or '').strip('"').lower()
        if sent and sent != hashlib.md5(data,
                                        usedforsecurity=False).hexdigest():
            raise HTTPError(422, 'The request was well-formed but was '
                                 'unable to be followed due to semantic '
                                 'errors.')
        name = request.params['object']
        content_type = (request.headers.get('Content-Type')
                        or mimetypes.guess_type(name)[0]
                        or 'application/octet-stream')
        updates = swift_headers.metadata_updates(request.headers, 'object')
        with self.state.lock:
            container = self.find_container(request)
            old = self.state.get('object', self.object_id(request))
            location = container['meta'].get('x-versions-location')
            if old is not None and location:
                self._archive(container, old, location)
            obj = self._store(container, name, data, content_type,
                              {k: v for k, v in updates.items() if v})
        return Response(201, headers={
            'ETag': obj['etag'], 'Last-Modified': swift_headers.http_date(
                float(obj['timestamp']))})

    def post_object(self, request: Request) -> Response:
        """``POST /v1/{account}/{container}/{object}``: new metadata.

        The object's ``X-Object-Meta-*`` are replaced by those sent.

        :param request: the request.
        :returns: the response (202).
        """
        updates = swift_headers.metadata_updates(request.headers, 'object')
        with self.state.lock:
            obj = self._find_object(request)
            obj['meta'] = {k: v for k, v in updates.items() if v}
            if request.headers.get('Content-Type'):
                obj['content_type'] = request.headers['Content-Type']
        return Response(202)

    def delete_object(self, request: Request) -> Response:
        """``DELETE /v1/{account}/{container}/{object}``.

        :param request: the request.
        :returns: the response (204).
        """
        with self.state.lock:
            obj = self._find_object(request)
            container = self.find_container(request)
            history = container['meta'].get('x-history-location')
            if history:
                self._archive(container, obj, history)
            self.state.remove('object', obj['id'])
            location = container['meta'].get('x-versions-location')
            if location and not history:
                self._restore(container, obj['name'], location)
        return Response(204)

    def _restore(self, container: dict, name: str, location: str) -> None:
        """Bring the newest kept version of an object back, if any."""
        archive = self.state.get('container', '%s/%s' % (
            container['account'], location))
        if archive is None:
            return
        prefix = version_prefix(name)
        kept = [o for o in self.objects_of(archive)
                if o['name'].startswith(prefix)]
        if kept:
            newest = kept[-1]
            self.state.remove('object', newest['id'])
            self._store(container, name, newest['_data'],
                        newest['content_type'], newest['meta'])

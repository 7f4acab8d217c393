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

"""Swift v1: accounts, containers and their listings, ``/info``.

Objects (with versioning and TempURLs) are served by
:mod:`heat_retry_plugins.fakecloud.swift_objects`. The catalog URL is the
account's, ``http://127.0.0.1:PORT/v1/AUTH_<project_id>``. A request needs
an ``X-Auth-Token`` scoped to the account's project (401 without one, 403
for another account), or, for an object, a valid TempURL. Accounts exist
as soon as they are used; their metadata lives with the service, not in
the counted objects. Containers are ``container`` objects and objects
``object`` objects of the cloud state (names within a project, the
container's name in ``container``). Errors are Swift's small HTML pages.
"""

import time

from heat_retry_plugins.fakecloud import routing
from heat_retry_plugins.fakecloud import swift_headers
from heat_retry_plugins.fakecloud import swift_objects
from heat_retry_plugins.fakecloud import swift_tempurl

HTTPError = routing.HTTPError
Request = routing.Request
Response = routing.Response

#: The most entries a listing returns.
LISTING_LIMIT = 10000
MAX_CONTAINER_NAME = 256

_OBJECT_TEMPLATE = '/{account}/{container}/{object}'


class SwiftService(swift_objects.ObjectRoutes, routing.Service):
    """The object-store service (Swift v1).

    :param cloud: the owning FakeCloud.
    """

    name = 'object-store'
    prefix = '/v1'

    def __init__(self, cloud: object) -> None:
        #: Account -> ``{'meta': {...}, 'timestamp': str}``.
        self.accounts = {}
        super().__init__(cloud)

    def register(self) -> None:
        """Declare the routes (HEAD before GET: they differ here)."""
        self.route('GET', '/info', self.info, auth=False)
        for method, func in (('HEAD', self.head_account),
                             ('GET', self.get_account),
                             ('POST', self.post_account)):
            self.route(method, '/{account}', func, auth=False)
        for method, func in (('HEAD', self.head_container),
                             ('GET', self.get_container),
                             ('PUT', self.put_container),
                             ('POST', self.post_container),
                             ('DELETE', self.delete_container)):
            self.route(method, '/{account}/{container}', func, auth=False)
        self.register_objects(_OBJECT_TEMPLATE)

    def error(self, status: int, message: str) -> Response:
        """Build Swift's HTML error page (401s say where to authenticate).

        :param status: the HTTP status.
        :param message: the message.
        :returns: the response.
        """
        response = Response(status, '<html><h1>%s</h1><p>%s</p></html>' % (
            routing.status_title(status), message),
            content_type='text/html; charset=UTF-8')
        if status == 401:
            response.headers['Www-Authenticate'] = 'Keystone uri="%s"' % (
                self.cloud.endpoint('identity'))
        return response

    def decorate(self, request: Request, response: Response) -> None:
        """Add Swift's transaction id.

        :param request: the request.
        :param response: the response, modified in place.
        """
        super().decorate(request, response)
        response.headers.setdefault(
            'X-Trans-Id', response.headers['x-openstack-request-id'])

    def before(self, request: Request) -> None:
        """Authorise by token (own account only) or by TempURL.

        :param request: the request.
        :raises HTTPError: 401 without a valid token or TempURL, 403 for
            another project's account.
        """
        if request.template == '/info':
            return
        account = request.params['account']
        if (request.template == _OBJECT_TEMPLATE
                and swift_tempurl.SIG in request.query):
            if not swift_tempurl.is_valid(
                    request.method, self.prefix + request.path,
                    request.arg(swift_tempurl.SIG),
                    request.arg(swift_tempurl.EXPIRES, ''),
                    self.temp_url_keys(request)):
                raise HTTPError(401, 'Temp URL invalid')
            return
        request.token = self.state.validate_token(
            request.headers.get('X-Auth-Token'))
        if request.token is None:
            raise HTTPError(401, 'This server could not verify that you are '
                                 'authorized to access the document you '
                                 'requested.')
        if account != 'AUTH_%s' % request.token.project_id:
            raise HTTPError(403, 'Access was denied to this resource.')

    def temp_url_keys(self, request: Request) -> list:
        """List the TempURL keys of the account and the container.

        :param request: an object request.
        :returns: the keys set.
        """
        account = self.account(request.params['account'])['meta']
        container = self.state.get('container', self.container_id(request))
        stored = container['meta'] if container else {}
        return [value for value in (
            account.get('x-account-meta-temp-url-key'),
            account.get('x-account-meta-temp-url-key-2'),
            stored.get('x-container-meta-temp-url-key'),
            stored.get('x-container-meta-temp-url-key-2')) if value]

    # -- helpers ----------------------------------------------------------

    def account(self, name: str) -> dict:
        """Return an account's record, creating it on first use.

        :param name: ``AUTH_<project_id>``.
        :returns: ``{'meta': {...}, 'timestamp': ...}``.
        """
        with self.state.lock:
            return self.accounts.setdefault(name, {
                'meta': {}, 'timestamp': swift_headers.timestamp()})

    @staticmethod
    def container_id(request: Request) -> str:
        """Name the stored container of a request.

        :param request: the request.
        :returns: ``'<account>/<container>'``.
        """
        return '%s/%s' % (request.params['account'],
                          request.params['container'])

    def find_container(self, request: Request) -> dict:
        """Look the container of the path up.

        :param request: the request.
        :returns: the stored container.
        :raises HTTPError: 404.
        """
        container = self.state.get('container', self.container_id(request))
        if container is None:
            raise HTTPError(404, 'The resource could not be found.')
        return container

    def objects_of(self, container: dict) -> list:
        """List a container's objects, by name.

        :param container: the stored container.
        :returns: the stored objects.
        """
        return sorted(self.state.list('object', account=container['account'],
                                      container=container['name']),
                      key=lambda o: o['name'])

    def _listing(self, request: Request, entries: list,
                 headers: dict) -> Response:
        """Answer a listing: prefix, delimiter, markers, limit, format."""
        prefix = request.arg('prefix', '')
        delimiter = request.arg('delimiter')
        marker, end = request.arg('marker'), request.arg('end_marker')
        try:
            limit = int(request.arg('limit') or LISTING_LIMIT)
        except ValueError:
            raise HTTPError(412, 'Value of limit must be an integer')
        if not 0 <= limit <= LISTING_LIMIT:
            raise HTTPError(412, 'Maximum limit is %d' % LISTING_LIMIT)
        if request.arg('reverse', '').lower() in ('true', '1', 'yes', 'on'):
            entries = entries[::-1]
        listed, subdirs = [], set()
        for entry in entries:
            name = entry['name']
            if not name.startswith(prefix) or (
                    marker and name <= marker) or (end and name >= end):
                continue
            rest = name[len(prefix):]
            if delimiter and delimiter in rest:
                subdir = prefix + rest.split(delimiter)[0] + delimiter
                if subdir not in subdirs:
                    subdirs.add(subdir)
                    listed.append({'subdir': subdir})
            else:
                listed.append(entry)
        listed = listed[:limit]
        wants_json = (request.arg('format') == 'json' or 'application/json'
                      in (request.headers.get('Accept') or ''))
        if wants_json:
            return Response(200, listed, headers=headers,
                            content_type='application/json; charset=utf-8')
        if not listed:
            return Response(204, headers=headers)
        text = ''.join('%s\n' % e.get('name', e.get('subdir'))
                       for e in listed)
        return Response(200, text, headers=headers,
                        content_type='text/plain; charset=utf-8')

    # -- /info ------------------------------------------------------------

    def info(self, request: Request) -> Response:
        """``GET /info``: the cluster's capabilities.

        :param request: the request.
        :returns: the response.
        """
        return Response(200, {
            'swift': {'version': '2.34.0', 'max_file_size': 5368709122,
                      'container_listing_limit': LISTING_LIMIT,
                      'max_container_name_length': MAX_CONTAINER_NAME,
                      'policies': [{'name': 'Policy-0', 'default': True}]},
            'tempurl': {'methods': ['GET', 'HEAD', 'PUT', 'POST', 'DELETE'],
                        'allowed_digests': ['sha1', 'sha256', 'sha512']},
            'versioned_writes': {'allowed_flags': ['x-versions-location',
                                                   'x-history-location']}})

    # -- accounts ---------------------------------------------------------

    def _account_headers(self, name: str) -> dict:
        record = self.account(name)
        containers = self.state.list('container', account=name)
        objects = self.state.list('object', account=name)
        headers = {swift_headers.header_name(k): v
                   for k, v in record['meta'].items()}
        headers.update({
            'X-Account-Container-Count': str(len(containers)),
            'X-Account-Object-Count': str(len(objects)),
            'X-Account-Bytes-Used': str(sum(o['bytes'] for o in objects)),
            'X-Timestamp': record['timestamp'],
            'X-Account-Storage-Policy-Policy-0-Container-Count':
                str(len(containers)),
            'Accept-Ranges': 'bytes'})
        return headers

    def head_account(self, request: Request) -> Response:
        """``HEAD /v1/{account}``.

        :param request: the request.
        :returns: the response (204).
        """
        return Response(204, headers=self._account_headers(
            request.params['account']))

    def get_account(self, request: Request) -> Response:
        """``GET /v1/{account}``: the container listing.

        :param request: the request.
        :returns: the response.
        """
        name = request.params['account']
        with self.state.lock:
            entries = []
            for container in sorted(self.state.list('container',
                                                    account=name),
                                    key=lambda c: c['name']):
                objects = self.objects_of(container)
                entries.append({
                    'name': container['name'], 'count': len(objects),
                    'bytes': sum(o['bytes'] for o in objects),
                    'last_modified': container['last_modified']})
            return self._listing(request, entries,
                                 self._account_headers(name))

    def post_account(self, request: Request) -> Response:
        """``POST /v1/{account}``: set or remove account metadata.

        :param request: the request.
        :returns: the response (204).
        """
        with self.state.lock:
            swift_headers.apply_metadata(
                self.account(request.params['account'])['meta'],
                swift_headers.metadata_updates(request.headers, 'account'))
        return Response(204)

    # -- containers -------------------------------------------------------

    def _container_headers(self, container: dict) -> dict:
        objects = self.objects_of(container)
        headers = {swift_headers.header_name(k): v
                   for k, v in container['meta'].items()}
        headers.update({
            'X-Container-Object-Count': str(len(objects)),
            'X-Container-Bytes-Used': str(sum(o['bytes'] for o in objects)),
            'X-Timestamp': container['timestamp'],
            'X-Storage-Policy': 'Policy-0', 'Accept-Ranges': 'bytes',
            'Last-Modified': swift_headers.http_date(
                float(container['timestamp']))})
        return headers

    def head_container(self, request: Request) -> Response:
        """``HEAD /v1/{account}/{container}``.

        :param request: the request.
        :returns: the response (204).
        """
        with self.state.lock:
            return Response(204, headers=self._container_headers(
                self.find_container(request)))

    def get_container(self, request: Request) -> Response:
        """``GET /v1/{account}/{container}``: the object listing.

        :param request: the request.
        :returns: the response.
        """
        with self.state.lock:
            container = self.find_container(request)
            entries = [{'name': o['name'], 'hash': o['etag'],
                        'bytes': o['bytes'],
                        'content_type': o['content_type'],
                        'last_modified': o['last_modified']}
                       for o in self.objects_of(container)]
            return self._listing(request, entries,
                                 self._container_headers(container))

    def put_container(self, request: Request) -> Response:
        """``PUT /v1/{account}/{container}``: 201 when new, else 202.

        :param request: the request.
        :returns: the response.
        :raises HTTPError: 400 on a name that is too long.
        """
        name = request.params['container']
        if len(name) > MAX_CONTAINER_NAME:
            raise HTTPError(400, 'Container name length of %d longer than '
                                 '%d' % (len(name), MAX_CONTAINER_NAME))
        updates = swift_headers.metadata_updates(request.headers, 'container')
        account = request.params['account']
        self.account(account)
        with self.state.lock:
            container = self.state.get('container',
                                       self.container_id(request))
            if container is not None:
                swift_headers.apply_metadata(container['meta'], updates)
                return Response(202)
            now = time.time()
            container = {'id': self.container_id(request), 'name': name,
                         'account': account,
                         'project_id': request.token.project_id,
                         'meta': {}, 'timestamp': swift_headers.timestamp(now),
                         'last_modified': swift_headers.listing_time(now)}
            swift_headers.apply_metadata(container['meta'], updates)
            self.state.add('container', container)
        return Response(201)

    def post_container(self, request: Request) -> Response:
        """``POST /v1/{account}/{container}``: set or remove metadata.

        :param request: the request.
        :returns: the response (204).
        """
        with self.state.lock:
            swift_headers.apply_metadata(
                self.find_container(request)['meta'],
                swift_headers.metadata_updates(request.headers, 'container'))
        return Response(204)

    def delete_container(self, request: Request) -> Response:
        """``DELETE /v1/{account}/{container}``.

        :param request: the request.
        :returns: the response (204).
        :raises HTTPError: 409 when the container is not empty.
        """
        with self.state.lock:
            container = self.find_container(request)
            if self.objects_of(container):
                raise HTTPError(409, 'There was a conflict when trying to '
                                     'complete your request.')
            self.state.remove('container', container['id'])
        return Response(204)

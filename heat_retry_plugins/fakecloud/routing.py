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

"""Requests, responses, routes and the base class of the fake services.

A service sees a request's *service path*: the URL path with the service's
version prefix removed when the path is below it (``/v2.1/servers/x`` is
``/servers/x`` for compute, ``/v3/auth/tokens`` is ``/auth/tokens`` for
identity). The prefix itself (``/v2.1``) and paths outside it (``/``) are
left as they are. Trailing slashes are dropped. Route templates use the
same form (``/servers/{id}``) and name the routes in the counters.
"""

import dataclasses
import json
import re
from typing import Any
from typing import Callable
from typing import Optional
from urllib import parse
import uuid

#: The route template of requests that match no route.
UNKNOWN_ROUTE = '<unknown>'

_STATUS_TITLES = {
    200: 'OK', 201: 'Created', 202: 'Accepted', 204: 'No Content',
    300: 'Multiple Choices', 400: 'Bad Request', 401: 'Unauthorized',
    403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed',
    406: 'Not Acceptable', 409: 'Conflict', 413: 'Request Entity Too Large',
    415: 'Unsupported Media Type', 429: 'Too Many Requests',
    500: 'Internal Server Error', 501: 'Not Implemented',
    502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout',
}


def status_title(status: int) -> str:
    """Return the reason phrase of an HTTP status.

    :param status: the status code.
    :returns: e.g. ``'Not Found'``.
    """
    return _STATUS_TITLES.get(status, 'Error')


def request_id() -> str:
    """Make an OpenStack request id.

    :returns: ``'req-<uuid4>'``.
    """
    return 'req-%s' % uuid.uuid4()


class HTTPError(Exception):
    """Raised by route handlers to answer with the service's error body.

    :param status: the HTTP status.
    :param message: the human readable message.
    """

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclasses.dataclass
class Response:
    """An HTTP response before it is written.

    :param status: the HTTP status.
    :param body: a JSON-serialisable object, bytes, text or None.
    :param headers: extra headers.
    :param content_type: the Content-Type of a non-empty body.
    """

    status: int = 200
    body: Any = None
    headers: dict = dataclasses.field(default_factory=dict)
    content_type: str = 'application/json'

    def payload(self) -> bytes:
        """Serialise the body.

        :returns: the bytes to send.
        """
        if self.body is None:
            return b''
        if isinstance(self.body, bytes):
            return self.body
        if isinstance(self.body, str):
            return self.body.encode('utf-8')
        return json.dumps(self.body).encode('utf-8')


@dataclasses.dataclass
class Request:
    """An HTTP request as the route handlers see it.

    :param service: the catalog type of the service.
    :param method: the HTTP method.
    :param path: the service path (see the module docstring).
    :param query: the parsed query string (lists of values).
    :param headers: the request headers (case-insensitive mapping).
    :param body: the raw body.
    :param base_url: ``http://127.0.0.1:PORT`` of the service.
    """

    service: str
    method: str
    path: str
    query: dict
    headers: Any
    body: bytes = b''
    base_url: str = ''
    params: dict = dataclasses.field(default_factory=dict)
    template: str = UNKNOWN_ROUTE
    token: Any = None
    context: dict = dataclasses.field(default_factory=dict)

    def arg(self, name: str, default: Optional[str] = None) -> Optional[str]:
        """Return the first value of a query parameter.

        :param name: the parameter.
        :param default: the value when it is absent.
        :returns: the value.
        """
        values = self.query.get(name)
        return values[0] if values else default

    def json(self) -> Any:
        """Parse the body as JSON.

        :returns: the parsed body.
        :raises HTTPError: 400 if the body is not JSON.
        """
        try:
            return json.loads(self.body.decode('utf-8') or 'null')
        except (ValueError, UnicodeDecodeError):
            raise HTTPError(400, 'Malformed request body')


@dataclasses.dataclass
class Route:
    """One route: a method, a template and the function that serves it."""

    method: str
    template: str
    func: Callable
    auth: bool
    regex: re.Pattern


def next_query(request: 'Request', **replace: Any) -> str:
    """Build the query string of a request's next page.

    :param request: the request.
    :param replace: parameters to set (``limit``, ``marker``).
    :returns: the urlencoded query, other parameters kept.
    """
    params = [(key, value) for key, values in request.query.items()
              if key not in replace for value in values]
    params.extend((key, str(value)) for key, value in replace.items())
    return parse.urlencode(params)


def compile_template(template: str) -> re.Pattern:
    """Turn ``/servers/{id}`` into a regex with named groups.

    :param template: the route template.
    :returns: the compiled pattern.
    """
    parts = re.split(r'(\{\w+\})', template)
    pattern = ''.join('(?P<%s>[^/]+)' % p[1:-1] if p.startswith('{')
                      else re.escape(p) for p in parts)
    return re.compile('^%s$' % pattern)


def split_path(path: str, prefix: str) -> str:
    """Compute the service path of a URL path.

    :param path: the URL path (no query string).
    :param prefix: the service's version prefix, e.g. ``/v2.1``.
    :returns: the service path.
    """
    path = parse.unquote(path)
    if len(path) > 1:
        path = path.rstrip('/') or '/'
    if prefix and path.startswith(prefix + '/'):
        return path[len(prefix):]
    return path


class Service:
    """Base class of a fake service: routes, auth and error bodies.

    :param cloud: the :class:`~heat_retry_plugins.fakecloud.server.FakeCloud`
        that owns the state and knows the endpoints.
    """

    #: The catalog type, e.g. ``'compute'``.
    name = ''
    #: The version prefix of the paths, e.g. ``'/v2.1'``.
    prefix = ''

    def __init__(self, cloud: Any) -> None:
        self.cloud = cloud
        self.state = cloud.state
        self.routes = []
        self.register()

    def register(self) -> None:
        """Declare the routes (subclasses call :meth:`route`)."""

    def seed(self) -> None:
        """Create the objects of a new cloud (flavors, images...)."""

    def route(self, method: str, template: str, func: Callable,
              auth: bool = True) -> None:
        """Add a route.

        :param method: the HTTP method.
        :param template: the route template on the service path.
        :param func: called with the :class:`Request`, returns a
            :class:`Response`.
        :param auth: require a valid ``X-Auth-Token``.
        """
        self.routes.append(Route(method, template, func, auth,
                                 compile_template(template)))

    def service_path(self, path: str) -> str:
        """Compute the service path of a URL path.

        :param path: the URL path.
        :returns: the service path.
        """
        return split_path(path, self.prefix)

    def match(self, method: str, path: str) -> tuple:
        """Find the route of a request.

        :param method: the HTTP method.
        :param path: the service path.
        :returns: ``(route or None, params, template)``; the route is None
            when nothing matches (the template is then the one of another
            method, for a 405, or :data:`UNKNOWN_ROUTE`).
        """
        template = UNKNOWN_ROUTE
        for route in self.routes:
            found = route.regex.match(path)
            if not found:
                continue
            if route.method == method or (
                    method == 'HEAD' and route.method == 'GET'):
                return route, found.groupdict(), route.template
            template = route.template
        return None, {}, template

    def handle(self, request: Request) -> Response:
        """Authenticate, dispatch and turn errors into error bodies.

        :param request: the request, with ``params`` and ``template`` set.
        :returns: the response.
        """
        route, params, template = self.match(request.method, request.path)
        request.params, request.template = params, template
        if route is None:
            if template != UNKNOWN_ROUTE:
                return self.error(405, 'The method is not allowed for the '
                                       'requested URL.')
            return self.error(404, 'The resource could not be found.')
        if route.auth:
            request.token = self.state.validate_token(
                request.headers.get('X-Auth-Token'))
            if request.token is None:
                return self.unauthorized()
        try:
            self.before(request)
            return route.func(request)
        except HTTPError as exc:
            return self.error(exc.status, exc.message)

    def before(self, request: Request) -> None:
        """Check request-wide headers before the route runs.

        :param request: the request.
        :raises HTTPError: to refuse the request.
        """

    def decorate(self, request: Request, response: Response) -> None:
        """Add the headers every response of this service carries.

        :param request: the request.
        :param response: the response, modified in place.
        """
        response.headers.setdefault('x-openstack-request-id', request_id())

    def error(self, status: int, message: str) -> Response:
        """Build this service's error response.

        :param status: the HTTP status.
        :param message: the message.
        :returns: the response.
        """
        return Response(status, {'error': {'code': status,
                                           'title': status_title(status),
                                           'message': message}})

    def unauthorized(self) -> Response:
        """Answer a missing or invalid token as keystonemiddleware does.

        :returns: a 401 response with ``WWW-Authenticate``.
        """
        response = Response(401, {'error': {
            'code': 401, 'title': 'Unauthorized',
            'message': 'The request you have made requires authentication.'}})
        response.headers['WWW-Authenticate'] = 'Keystone uri="%s"' % (
            self.cloud.endpoint('identity'))
        return response

    def html_error(self, status: int, message: str) -> Response:
        """Build a plain HTML error page (load balancers, webob, Glance).

        :param status: the HTTP status.
        :param message: the message.
        :returns: the response.
        """
        title = '%d %s' % (status, status_title(status))
        page = ('<html>\n <head>\n  <title>%s</title>\n </head>\n <body>\n'
                '  <h1>%s</h1>\n  %s<br /><br />\n\n\n\n </body>\n</html>'
                % (title, title, message))
        return Response(status, page, content_type='text/html; '
                                                   'charset=UTF-8')

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

"""The life of one request: control route, fault, service, counters.

Faults apply to every request of a service (version documents and Keystone
``POST /v3/auth/tokens`` included: they are real traffic) except the
``/_fake/`` control routes, which are neither faulted nor counted. A request
is counted (and its fault too) before the response is written, so a client
that has its answer can read counters that include it.

A ``slow_create`` request is answered (and counted) with its error status at
once and served again, without a client, on one of the cloud's timers.
"""

import logging
from typing import Any
from typing import Optional
from urllib import parse

from heat_retry_plugins.fakecloud import counters
from heat_retry_plugins.fakecloud import faults
from heat_retry_plugins.fakecloud import routing

LOG = logging.getLogger(__name__)

CONTROL_PREFIX = '/_fake'

#: The faults whose connection is closed before the request is read.
UNREAD_FAULTS = (faults.DROP_BEFORE, faults.REFUSE)


def is_control(path: str) -> bool:
    """Tell whether a path is one of the ``/_fake/`` control routes.

    :param path: the request path.
    :returns: True for ``/_fake`` and what is below it.
    """
    return path == CONTROL_PREFIX or path.startswith(CONTROL_PREFIX + '/')


class Pipeline:
    """Serve the requests of one service.

    :param cloud: the owning FakeCloud.
    :param service: the :class:`~heat_retry_plugins.fakecloud.routing.
        Service`.
    """

    def __init__(self, cloud: Any, service: routing.Service) -> None:
        self.cloud = cloud
        self.service = service

    def serve(self, handler: Any) -> None:
        """Answer one request read by a listener's handler.

        :param handler: the
            :class:`~heat_retry_plugins.fakecloud.listener.RequestHandler`.
        """
        url = parse.urlsplit(handler.path)
        if is_control(url.path):
            self.serve_control(handler, url)
            return
        method = handler.command.upper()
        path = self.service.service_path(url.path)
        route_key = self.route_key(method, path)
        fault = self.choose_fault(method, path, handler.headers)
        if fault is not None and fault.kind in UNREAD_FAULTS:
            self.drop(handler, route_key, fault)
            return
        request = self.read_request(handler, self.service.name, path, url)
        if fault is not None and fault.kind == faults.DROP_AFTER:
            self.dispatch(self.service, request)
            self.drop(handler, route_key, fault)
            return
        response = self.answer(request, fault, handler.server.listener)
        self.service.decorate(request, response)
        self.cloud.request_counters.record_request(route_key,
                                                   str(response.status))
        handler.send(response, head_only=method == 'HEAD')

    def serve_control(self, handler: Any, url: parse.SplitResult) -> None:
        """Answer a ``/_fake/`` request: never faulted, never counted.

        :param handler: the listener's handler.
        :param url: the split request URL.
        """
        control = self.cloud.control
        request = self.read_request(handler, 'control',
                                    control.service_path(url.path), url)
        handler.send(self.dispatch(control, request),
                     head_only=request.method == 'HEAD')

    def route_key(self, method: str, path: str) -> str:
        """Name the route a request is counted under.

        :param method: the HTTP method.
        :param path: the path without the service's version prefix.
        :returns: ``"<service> <METHOD> <route template>"``.
        """
        template = self.service.match(method, path)[2]
        return '%s %s %s' % (self.service.name, method, template)

    def choose_fault(self, method: str, path: str,
                     headers: Any) -> Optional[faults.Fault]:
        """Let the injector decide the request's fault, and count it.

        :param method: the HTTP method.
        :param path: the path without the service's version prefix.
        :param headers: the request headers (for the token's project).
        :returns: the fault, or None to serve the request normally.
        """
        name = self.service.name
        fault = self.cloud.faults.decide(name, method, path,
                                         self.project_of(headers))
        if fault is not None:
            self.cloud.request_counters.record_fault(fault.label)
            LOG.info('fault %s on %s %s %s', fault.label, name, method, path)
        return fault

    def read_request(self, handler: Any, service_name: str, path: str,
                     url: parse.SplitResult) -> routing.Request:
        """Read the body and build the request a service handles.

        :param handler: the listener's handler.
        :param service_name: the service that handles it.
        :param path: the path without the service's prefix.
        :param url: the split request URL (for the query).
        :returns: the request.
        """
        return routing.Request(
            service_name, handler.command.upper(), path,
            parse.parse_qs(url.query, keep_blank_values=True),
            handler.headers, handler.read_body(),
            self.cloud.base_url(self.service.name))

    def answer(self, request: routing.Request, fault: Optional[faults.Fault],
               listener: Any) -> routing.Response:
        """Build the response of a request that gets one, as its fault says.

        :param request: the request.
        :param fault: its fault, or None.
        :param listener: the service's listener (a ``slow`` fault waits on
            it, so that a stop interrupts the wait).
        :returns: the response.
        """
        kind = None if fault is None else fault.kind
        if kind == faults.SLOW:
            listener.wait_interruptible(fault.seconds)
        if kind == faults.STATUS:
            return self.fault_response(fault, request)
        if kind == faults.SLOW_CREATE:
            # NOTE: a cloud timer, so that FakeCloud.stop() and set_faults()
            # cancel the pending ones and join the running one.
            self.cloud.start_timer(fault.seconds, self.serve_late, [request])
            return self.fault_response(fault, request)
        response = self.dispatch(self.service, request)
        if kind == faults.AMBIGUOUS:
            return self.fault_response(fault, request)
        return response

    def drop(self, handler: Any, route_key: str, fault: faults.Fault) -> None:
        """Close the connection without an answer, counted as dropped.

        A ``refuse`` fault also takes the service down for its seconds.

        :param handler: the listener's handler.
        :param route_key: the route the request is counted under.
        :param fault: the fault that drops it.
        """
        self.cloud.request_counters.record_request(route_key,
                                                   counters.DROPPED)
        if fault.kind == faults.REFUSE:
            self.cloud.refuse_for(self.service.name, fault.seconds)
        handler.drop()

    def project_of(self, headers: Any) -> frozenset:
        """Name the project a request's token is scoped to.

        :param headers: the request headers.
        :returns: the project's id and name, or an empty set when the
            request has no valid project-scoped token.
        """
        state = self.cloud.state
        token = state.validate_token(headers.get('X-Auth-Token'))
        if token is None or token.project_id is None:
            return frozenset()
        project = state.get('project', token.project_id) or {}
        return frozenset(filter(None, (token.project_id,
                                       project.get('name'))))

    def serve_late(self, request: routing.Request) -> None:
        """Serve a ``slow_create`` request whose client has had its error.

        :param request: the request, as read when it arrived.
        """
        response = self.dispatch(self.service, request)
        LOG.info('late %s %s %s answered %d, to no client', request.service,
                 request.method, request.path, response.status)

    @staticmethod
    def dispatch(service: routing.Service,
                 request: routing.Request) -> routing.Response:
        """Let a service answer, turning a crash into a 500.

        :param service: the service.
        :param request: the request.
        :returns: the response.
        """
        try:
            return service.handle(request)
        except Exception:
            LOG.exception('%s: unexpected error on %s %s', service.name,
                          request.method, request.path)
            return service.error(500, 'Unexpected error in fakecloud.')

    def fault_response(self, fault: faults.Fault,
                       request: routing.Request) -> routing.Response:
        """Build the error response of a status or ambiguous fault.

        A 401 also revokes the token the request carried.

        :param fault: the fault.
        :param request: the request.
        :returns: the response.
        """
        service = self.service
        status = fault.status
        message = '%s (injected by fakecloud)' % routing.status_title(status)
        if fault.body == 'html':
            response = service.html_error(status, message)
        elif fault.body == 'empty':
            response = routing.Response(status, None)
        elif status == 401:
            response = service.unauthorized()
        else:
            response = service.error(status, message)
        if status == 401:
            self.cloud.state.revoke_token(request.headers.get('X-Auth-Token'))
        retry_after = fault.retry_after_header()
        if retry_after is not None:
            response.headers['Retry-After'] = retry_after
        return response

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
from urllib import parse

from heat_retry_plugins.fakecloud import counters as counters_mod
from heat_retry_plugins.fakecloud import faults as faults_mod
from heat_retry_plugins.fakecloud import routing

LOG = logging.getLogger(__name__)

CONTROL_PREFIX = '/_fake'


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
        service = self.service
        method = handler.command.upper()
        url = parse.urlsplit(handler.path)
        query = parse.parse_qs(url.query, keep_blank_values=True)
        base_url = self.cloud.base_url(service.name)
        if url.path == CONTROL_PREFIX or url.path.startswith(
                CONTROL_PREFIX + '/'):
            control = self.cloud.control
            request = routing.Request('control', method,
                                      control.service_path(url.path), query,
                                      handler.headers, handler.read_body(),
                                      base_url)
            handler.send(self.dispatch(control, request),
                         head_only=method == 'HEAD')
            return
        path = service.service_path(url.path)
        template = service.match(method, path)[2]
        route_key = '%s %s %s' % (service.name, method, template)
        fault = self.cloud.faults.decide(service.name, method, path,
                                         self.project_of(handler.headers))
        counters = self.cloud.request_counters
        if fault is not None:
            counters.record_fault(fault.label)
            LOG.info('fault %s on %s %s %s', fault.label, service.name,
                     method, path)
        if fault is not None and fault.kind in (faults_mod.DROP_BEFORE,
                                                faults_mod.REFUSE):
            counters.record_request(route_key, counters_mod.DROPPED)
            if fault.kind == faults_mod.REFUSE:
                self.cloud.refuse_for(service.name, fault.seconds)
            handler.drop()
            return
        request = routing.Request(service.name, method, path, query,
                                  handler.headers, handler.read_body(),
                                  base_url)
        kind = fault.kind if fault is not None else None
        if kind == faults_mod.SLOW:
            handler.server.listener.wait_interruptible(fault.seconds)
        if kind == faults_mod.STATUS:
            response = self.fault_response(fault, request)
        elif kind == faults_mod.SLOW_CREATE:
            # NOTE: a cloud timer, so that FakeCloud.stop() and set_faults()
            # cancel the pending ones and join the running one.
            self.cloud._start_timer(fault.seconds, self.serve_late,
                                    [request])
            response = self.fault_response(fault, request)
        else:
            response = self.dispatch(service, request)
            if kind == faults_mod.DROP_AFTER:
                counters.record_request(route_key, counters_mod.DROPPED)
                handler.drop()
                return
            if kind == faults_mod.AMBIGUOUS:
                response = self.fault_response(fault, request)
        service.decorate(request, response)
        counters.record_request(route_key, str(response.status))
        handler.send(response, head_only=method == 'HEAD')

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

    def fault_response(self, fault: faults_mod.Fault,
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

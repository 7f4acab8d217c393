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

"""The ``/_fake/`` control routes, served on every port without a token.

===================================  =======================================
``GET /_fake/counters``              :meth:`FakeCloud.counters` as JSON
``POST /_fake/counters/reset``       :meth:`FakeCloud.reset_counters`
``POST /_fake/faults``               :meth:`FakeCloud.set_faults`; the body
                                     is a rule list or ``{"faults": [...],
                                     "seed": N}``
``POST /_fake/tokens/expire``        :meth:`FakeCloud.expire_tokens`
``POST /_fake/services/{name}/down`` :meth:`FakeCloud.set_down`
``POST /_fake/services/{name}/up``   :meth:`FakeCloud.set_up`
``GET /_fake/objects/{kind}``        :meth:`FakeCloud.objects`
===================================  =======================================

The input is never trusted: a body that is not a rule list or such a
mapping (a JSON string is not a file path here), an invalid rule or seed
answer 400, an unknown route, service or object kind 404 (a known route
with another method 405), each with a JSON ``{"error": {"code", "title",
"message"}}`` body and without a traceback in the log; a rejected spec
leaves the current spec and seed as they were.
"""

from heat_retry_plugins.fakecloud import routing

HTTPError = routing.HTTPError
Request = routing.Request
Response = routing.Response


class ControlService(routing.Service):
    """Drive the fake cloud over HTTP (tests, the demo, other processes).

    :param cloud: the owning FakeCloud.
    """

    name = 'control'
    prefix = '/_fake'

    def register(self) -> None:
        """Declare the routes."""
        self.route('GET', '/counters', self.counters, auth=False)
        self.route('POST', '/counters/reset', self.reset, auth=False)
        self.route('POST', '/faults', self.faults, auth=False)
        self.route('POST', '/tokens/expire', self.expire, auth=False)
        self.route('POST', '/services/{name}/{action}', self.switch,
                   auth=False)
        self.route('GET', '/objects/{kind}', self.objects, auth=False)

    def counters(self, request: Request) -> Response:
        """Return the counters.

        :param request: the request.
        :returns: the response.
        """
        return Response(200, self.cloud.counters())

    def reset(self, request: Request) -> Response:
        """Reset the counters.

        :param request: the request.
        :returns: 204.
        """
        self.cloud.reset_counters()
        return Response(204)

    def faults(self, request: Request) -> Response:
        """Replace the fault spec.

        :param request: the request.
        :returns: 200 with the rule count.
        :raises HTTPError: 400 for a bad spec or seed.
        """
        try:
            body = request.json()
        except RecursionError:
            raise HTTPError(400, 'Invalid fault spec: nested too deeply.')
        if not isinstance(body, (list, dict)):
            raise HTTPError(400, 'Invalid fault spec: the body must be a '
                                 'list of rules or {"faults": [...], '
                                 '"seed": N}.')
        try:
            self.cloud.set_faults(body)
        except ValueError as exc:
            raise HTTPError(400, 'Invalid fault spec: %s' % exc)
        return Response(200, {'rules': len(self.cloud.faults.rules)})

    def expire(self, request: Request) -> Response:
        """Expire every token.

        :param request: the request.
        :returns: 200 with how many were valid.
        """
        return Response(200, {'expired': self.cloud.expire_tokens()})

    def switch(self, request: Request) -> Response:
        """Take a service down or bring it up.

        :param request: the request.
        :returns: 204, or 404 for an unknown service or action.
        """
        name, action = request.params['name'], request.params['action']
        if name not in self.cloud.service_types or action not in ('up',
                                                                  'down'):
            raise HTTPError(404, 'Unknown service or action.')
        if action == 'down':
            self.cloud.set_down(name)
        else:
            self.cloud.set_up(name)
        return Response(204)

    def objects(self, request: Request) -> Response:
        """List the live objects of a kind.

        :param request: the request.
        :returns: the response.
        :raises HTTPError: 404 for a kind the cloud does not know.
        """
        kind = request.params['kind']
        if kind not in self.cloud.state.kinds():
            raise HTTPError(404, 'Unknown object kind %r.' % kind)
        return Response(200, {'objects': self.cloud.objects(kind)})

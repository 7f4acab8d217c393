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

"""A minimal, empty Neutron v2.0: every collection lists as empty.

Heat's OS::Keystone::Project looks for the project's ``default`` security
group when it deletes a project, and servers without networks ask nothing
else; this is enough for those calls to succeed.
"""

import functools

from heat_retry_plugins.fakecloud import routing

Request = routing.Request
Response = routing.Response

#: Collection path -> (body key, resource name of its 404 errors).
COLLECTIONS = {'networks': ('networks', 'Network'),
               'subnets': ('subnets', 'Subnet'),
               'ports': ('ports', 'Port'),
               'security-groups': ('security_groups', 'SecurityGroup'),
               'floatingips': ('floatingips', 'FloatingIP')}


class NeutronService(routing.Service):
    """The network service (Neutron v2.0), with no resources at all.

    :param cloud: the owning FakeCloud.
    """

    name = 'network'
    prefix = '/v2.0'

    def register(self) -> None:
        """Declare the routes."""
        self.route('GET', '/', self.versions, auth=False)
        for path, (key, resource) in COLLECTIONS.items():
            self.route('GET', '/' + path,
                       functools.partial(self.empty_list, key))
            for method in ('GET', 'PUT', 'DELETE'):
                self.route(method, '/%s/{id}' % path,
                           functools.partial(self.not_found, resource))

    def error(self, status: int, message: str) -> Response:
        """Build Neutron's ``NeutronError`` body.

        :param status: the HTTP status.
        :param message: the message.
        :returns: the response.
        """
        kind = routing.status_title(status).replace(' ', '')
        return Response(status, {'NeutronError': {
            'type': kind, 'message': message, 'detail': ''}})

    def versions(self, request: Request) -> Response:
        """``GET /``: the version list.

        :param request: the request.
        :returns: the response.
        """
        return Response(200, {'versions': [{
            'id': 'v2.0', 'status': 'CURRENT',
            'links': [{'rel': 'self', 'href': self.cloud.base_url(
                'network') + '/v2.0/'}]}]})

    def empty_list(self, key: str, request: Request) -> Response:
        """``GET /v2.0/<collection>``: always empty.

        :param key: the body key.
        :param request: the request.
        :returns: the response.
        """
        return Response(200, {key: []})

    def not_found(self, resource: str, request: Request) -> Response:
        """``GET/PUT/DELETE /v2.0/<collection>/{id}``: always 404.

        :param resource: the resource name for the error.
        :param request: the request.
        :returns: the response.
        """
        return Response(404, {'NeutronError': {
            'type': '%sNotFound' % resource,
            'message': '%s %s could not be found.' % (
                resource, request.params['id']),
            'detail': ''}})

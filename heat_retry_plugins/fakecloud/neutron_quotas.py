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

"""Neutron quotas: ``/v2.0/quotas`` (a NeutronService mixin).

Every limit is -1 (unlimited) until ``PUT /quotas/{project_id}`` sets it; a
create over a set limit answers 409 ``OverQuota``, as Neutron does.
"""

from heat_retry_plugins.fakecloud import neutron_common as common
from heat_retry_plugins.fakecloud import quota_limits
from heat_retry_plugins.fakecloud import routing

Request = routing.Request
Response = routing.Response

#: Quota resources; every limit is -1 (unlimited) until set.
QUOTA_RESOURCES = ('network', 'subnet', 'port', 'router', 'floatingip',
                   'security_group', 'security_group_rule', 'subnetpool',
                   'rbac_policy')


def _unrecognized(key: str) -> common.NeutronError:
    return common.bad_request("Unrecognized attribute(s) '%s'" % key)


def _not_a_limit(key: str, value: object) -> common.NeutronError:
    return common.invalid(key, "'%s' should be an integer >= -1" % (value,))


class QuotaResources(quota_limits.QuotaLimits):
    """Quota routes and the check every create makes."""

    quota_resources = QUOTA_RESOURCES

    def register_quotas(self) -> None:
        """Declare the quota routes."""
        self.route('GET', '/quotas', self.list_quotas)
        self.route('GET', '/quotas/{project_id}', self.quota)
        self.route('GET', '/quotas/{project_id}/default', self.quota)
        self.route('PUT', '/quotas/{project_id}', self.quota)
        self.route('DELETE', '/quotas/{project_id}', self.quota)

    def list_quotas(self, request: Request) -> Response:
        """``GET /quotas``: the projects whose quotas were set.

        :param request: the request.
        :returns: the response.
        """
        with self.state.lock:
            return Response(200, {'quotas': [
                dict(self.limits_of(p), project_id=p, tenant_id=p)
                for p in sorted(self.quotas)]})

    def quota(self, request: Request) -> Response:
        """``GET/PUT/DELETE /quotas/{project_id}`` and ``.../default``.

        :param request: the request.
        :returns: the response.
        """
        project_id = request.params['project_id']
        if request.path.endswith('/default'):
            return Response(200, {'quota': self.default_limits()})
        with self.state.lock:
            if request.method == 'DELETE':
                self.quotas.pop(project_id, None)
                return Response(204)
            if request.method == 'PUT':
                self.set_limits(project_id, self.body_dict(request, 'quota'),
                                _unrecognized, _not_a_limit)
            return Response(200, {'quota': self.limits_of(project_id)})

    def check_quota(self, kind: str, project_id: str) -> None:
        """Refuse one more object of a kind over the project's limit.

        :param kind: the state kind (``'network'``...).
        :param project_id: the project.
        :raises NeutronError: 409 ``OverQuota``.
        """
        limit = self.limits_of(project_id).get(kind, -1)
        if limit >= 0 and len(self.state.list(
                kind, project_id=project_id)) >= limit:
            raise common.conflict('OverQuota', "Quota exceeded for "
                                  "resources: ['%s']." % kind)

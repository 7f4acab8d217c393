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

"""Cinder quotas and limits (a CinderService mixin).

Quotas are unlimited (-1) until set with ``PUT /os-quota-sets/{project_id}``;
a create or extend over a set limit is a 413, as Cinder answers.
"""

from heat_retry_plugins.fakecloud import quota_limits
from heat_retry_plugins.fakecloud import routing

HTTPError = routing.HTTPError
Request = routing.Request
Response = routing.Response

#: Quota resources of a project; -1 is unlimited.
QUOTA_RESOURCES = ('volumes', 'gigabytes', 'snapshots', 'backups',
                   'backup_gigabytes', 'per_volume_gigabytes', 'groups')


def _bad_key(key: str) -> HTTPError:
    return HTTPError(400, 'Bad key(s) in quota set: %s' % key)


def _bad_limit(key: str, value: object) -> HTTPError:
    return HTTPError(400, 'Invalid input received: Quota %s value must be '
                          'an integer >= -1.' % key)


class QuotaResources(quota_limits.QuotaLimits):
    """Quota sets, the limits document and the check of every create."""

    quota_resources = QUOTA_RESOURCES

    def register_quotas(self) -> None:
        """Declare the quota and limits routes."""
        self.project_route('GET', '/limits', self.limits)
        self.project_route('GET', '/os-quota-sets/{target}/defaults',
                           self.quota_defaults)
        for method in ('GET', 'PUT', 'DELETE'):
            self.project_route(method, '/os-quota-sets/{target}', self.quota)

    def usage_of(self, project_id: str) -> dict:
        """Count what a project uses.

        :param project_id: the project.
        :returns: resource -> amount in use.
        """
        volumes = self.state.list('volume', project_id=project_id)
        usage = dict.fromkeys(QUOTA_RESOURCES, 0)
        usage.update(volumes=len(volumes),
                     gigabytes=sum(v['size'] for v in volumes))
        return usage

    def check_quota(self, project_id: str, gigabytes: int,
                    volumes: int = 1) -> None:
        """Refuse a create or extend over a project's quota.

        :param project_id: the project.
        :param gigabytes: the gigabytes asked for.
        :param volumes: the volumes asked for.
        :raises HTTPError: 413.
        """
        limits, usage = self.limits_of(project_id), self.usage_of(project_id)
        per_volume = limits['per_volume_gigabytes']
        if 0 <= per_volume < gigabytes:
            raise HTTPError(413, 'VolumeSizeExceedsLimit: Requested volume '
                                 'size %dG is larger than maximum allowed '
                                 'limit %dG.' % (gigabytes, per_volume))
        for resource, asked in (('volumes', volumes),
                                ('gigabytes', gigabytes)):
            limit = limits[resource]
            if asked and 0 <= limit < usage[resource] + asked:
                raise HTTPError(413, "VolumeLimitExceeded: Maximum number of"
                                     " %s allowed (%d) exceeded for quota "
                                     "'%s'." % (resource, limit, resource))

    def quota(self, request: Request) -> Response:
        """``GET`` (``?usage=True``), ``PUT``, ``DELETE /os-quota-sets/...``.

        :param request: the request.
        :returns: the response.
        """
        target = request.params['target']
        with self.state.lock:
            if request.method == 'DELETE':
                self.quotas.pop(target, None)
                return Response(200)
            if request.method == 'PUT':
                ref = (request.json() or {}).get('quota_set')
                if not isinstance(ref, dict):
                    raise HTTPError(400, 'Missing required element '
                                         "'quota_set' in request body.")
                # NOTE: cinderclient sends the project as tenant_id too.
                self.set_limits(target, {k: v for k, v in ref.items()
                                         if k not in ('tenant_id', 'id')},
                                _bad_key, _bad_limit)
            body = dict(self.limits_of(target), id=target)
            if request.arg('usage') in ('True', 'true', '1'):
                usage = self.usage_of(target)
                body = {key: {'limit': limit, 'in_use': usage[key],
                              'reserved': 0, 'allocated': 0}
                        for key, limit in self.limits_of(target).items()}
                body['id'] = target
        return Response(200, {'quota_set': body})

    def quota_defaults(self, request: Request) -> Response:
        """``GET /os-quota-sets/{target}/defaults``.

        :param request: the request.
        :returns: the response.
        """
        return Response(200, {'quota_set': dict(
            self.default_limits(), id=request.params['target'])})

    def limits(self, request: Request) -> Response:
        """``GET /limits``: the absolute limits and current usage.

        :param request: the request.
        :returns: the response.
        """
        with self.state.lock:
            project_id = request.token.project_id
            limits, usage = self.limits_of(project_id), self.usage_of(
                project_id)
        return Response(200, {'limits': {'rate': [], 'absolute': {
            'maxTotalVolumes': limits['volumes'],
            'maxTotalVolumeGigabytes': limits['gigabytes'],
            'maxTotalSnapshots': limits['snapshots'],
            'maxTotalBackups': limits['backups'],
            'maxTotalBackupGigabytes': limits['backup_gigabytes'],
            'totalVolumesUsed': usage['volumes'],
            'totalGigabytesUsed': usage['gigabytes'],
            'totalSnapshotsUsed': 0, 'totalBackupsUsed': 0,
            'totalBackupGigabytesUsed': 0}}})

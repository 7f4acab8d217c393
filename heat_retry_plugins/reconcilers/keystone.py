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

"""Keystone's creates: projects and users.

Both carry the token as the extra attribute ``heat_retry_token``, which
Keystone stores with any attribute it does not know and returns with the
entity. Names are unique per domain: a same-named project or user without
the token (another team's ``finance``) makes the call fail with
Keystone's 409, and is never adopted nor deleted. The lookup lists every
domain's entities of the name when the create named no domain, so a user
of the same name in another domain is seen, and is not ours either. What
a create that gave up made is deleted (by id) as an orphan: it would make
Heat's next create of the name fail with a 409.
"""

from heat_retry_plugins.reconcilers import base


class _DomainScopedReconciler(base.JsonReconciler):
    """A Keystone entity whose name is unique in its domain."""

    service = 'keystone'
    orphans = True

    def list_url(self):
        query = {'name': self.name}
        domain_id = self.create.member(self.member).get('domain_id')
        if domain_id:
            query['domain_id'] = domain_id
        return base.with_query(self.collection_url, **query)


class ProjectReconciler(_DomainScopedReconciler):
    """Keystone ``POST /v3/projects``."""

    kind = 'project'
    route = r'/projects$'
    member, collection = 'project', 'projects'


class UserReconciler(_DomainScopedReconciler):
    """Keystone ``POST /v3/users``."""

    kind = 'user'
    route = r'/users$'
    member, collection = 'user', 'users'

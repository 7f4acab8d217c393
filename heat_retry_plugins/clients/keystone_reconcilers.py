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

"""Reconcilers of Keystone creates: projects and users.

Keystone reports no creation time: a project or user is adopted when it is
the only one with the name in its domain (and Keystone itself refuses a
second one with 409).
"""

from heat_retry_plugins.engine import reconcile


def _id(value):
    return getattr(value, 'id', value)


class _ByNameInDomain(reconcile.Reconciler):
    """A keystoneclient v3 manager's ``create(name, domain, ...)``."""

    #: The manager's attribute on keystoneclient's v3 client.
    manager = None

    def __init__(self, plugin):
        self._plugin = plugin
        self._domain = None

    def name(self, args, kwargs):
        self._domain = _id(reconcile.call_argument(args, kwargs, 1, 'domain'))
        return reconcile.call_argument(args, kwargs, 0, 'name')

    def _manager(self):
        return getattr(self._plugin.client().client, self.manager)

    def find(self, name):
        found = self._manager().list(name=name, domain=self._domain)
        return [r for r in found if r.name == name]

    def delete(self, resource):
        self._manager().delete(resource.id)


class ProjectReconciler(_ByNameInDomain):
    """``projects.create(name, domain, ...)``.

    :param plugin: the Keystone client plugin whose client does lookups.
    """

    kind = 'project'
    manager = 'projects'


class UserReconciler(_ByNameInDomain):
    """``users.create(name, domain=None, ...)``.

    :param plugin: the Keystone client plugin whose client does lookups.
    """

    kind = 'user'
    manager = 'users'

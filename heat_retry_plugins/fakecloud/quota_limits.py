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

"""Quota limits set per project, as Cinder and Neutron keep them.

Every limit is -1 (unlimited) until a ``PUT`` of the project's quotas sets
it to an integer of -1 or more. The routes, the errors and what a limit
refuses are each service's own.
"""

from typing import Any
from typing import Callable


def is_limit(value: Any) -> bool:
    """Tell whether a value may be a quota limit.

    :param value: the value of a ``PUT``.
    :returns: True for an integer (not a bool) of -1 or more.
    """
    return (isinstance(value, int) and not isinstance(value, bool)
            and value >= -1)


class QuotaLimits:
    """The quota limits of each project (a Service mixin).

    Subclasses name their resources in :attr:`quota_resources`.

    :param cloud: the owning FakeCloud.
    """

    #: The resources a quota limits.
    quota_resources = ()

    def __init__(self, cloud: Any) -> None:
        #: Project id -> the limits set with a ``PUT``.
        self.quotas = {}
        super().__init__(cloud)

    def default_limits(self) -> dict:
        """Return the limits of a project whose quotas were never set.

        :returns: resource -> -1.
        """
        return dict.fromkeys(self.quota_resources, -1)

    def limits_of(self, project_id: str) -> dict:
        """Return a project's quota limits.

        :param project_id: the project.
        :returns: resource -> limit (-1: unlimited).
        """
        limits = self.default_limits()
        limits.update(self.quotas.get(project_id, {}))
        return limits

    def set_limits(self, project_id: str, ref: dict,
                   unknown: Callable[[str], Exception],
                   invalid: Callable[[str, Any], Exception]) -> None:
        """Check new limits of a project and keep them.

        :param project_id: the project.
        :param ref: resource -> limit, from the request body.
        :param unknown: makes the error of a resource that is not in
            :attr:`quota_resources`.
        :param invalid: makes the error of a value that is not a limit
            (given the resource and the value).
        :raises Exception: what ``unknown`` or ``invalid`` makes; nothing
            is kept then.
        """
        for key, value in ref.items():
            if key not in self.quota_resources:
                raise unknown(key)
            if not is_limit(value):
                raise invalid(key, value)
        self.quotas.setdefault(project_id, {}).update(ref)

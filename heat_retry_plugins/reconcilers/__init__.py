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

"""The reconcilers of every create route the request layer knows.

:func:`reconciler_for` finds the one of a request. A create with none is
retried only when it was certainly not processed; see the policy guide for
the table of routes and what marks each.
"""

import re

from heat_retry_plugins.reconcilers import cinder
from heat_retry_plugins.reconcilers import glance
from heat_retry_plugins.reconcilers import keystone
from heat_retry_plugins.reconcilers import keystone_credentials
from heat_retry_plugins.reconcilers import neutron
from heat_retry_plugins.reconcilers import nova
from heat_retry_plugins.reconcilers import octavia

#: Every reconciler class, each naming its service, method and route.
RECONCILERS = (
    nova.ServerReconciler,
    nova.KeypairReconciler,
    keystone.ProjectReconciler,
    keystone.UserReconciler,
    keystone_credentials.CredentialReconciler,
    neutron.NetworkReconciler,
    neutron.SubnetReconciler,
    neutron.RouterReconciler,
    neutron.PortReconciler,
    neutron.SecurityGroupReconciler,
    neutron.SecurityGroupRuleReconciler,
    neutron.SecurityGroupRulesReconciler,
    cinder.VolumeReconciler,
    cinder.VolumeAttachmentReconciler,
    glance.ImageReconciler,
    octavia.LoadBalancerReconciler,
    octavia.ListenerReconciler,
    octavia.PoolReconciler,
    octavia.MemberReconciler,
    octavia.HealthMonitorReconciler,
    octavia.L7PolicyReconciler,
    octavia.L7RuleReconciler,
)

_ROUTES = {}
for _cls in RECONCILERS:
    _ROUTES.setdefault((_cls.service, _cls.method), []).append(
        (re.compile(_cls.route), _cls))
del _cls


def reconcilers_for(service: str, method: str, path: str) -> list:
    """Return the reconciler classes of a create request's route.

    The request layer takes the first whose ``mark()`` accepts the body
    (one route may take a single resource or several: Neutron's bulk
    creates).

    :param service: the request's service (``nova``).
    :param method: its HTTP method.
    :param path: its URL path, without the query.
    """
    return [cls for pattern, cls in _ROUTES.get((service, method), ())
            if pattern.search(path)]


def reconciler_for(service: str, method: str, path: str):
    """Return the first reconciler class of a create's route, or None."""
    found = reconcilers_for(service, method, path)
    return found[0] if found else None

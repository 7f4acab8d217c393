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

"""Octavia's creates: load balancers and everything under them.

Every Octavia object carries the token in its ``tags``
(``heat_retry_token=<token>``, shown by ``openstack loadbalancer show``),
which Octavia accepts on create and returns from API version 2.5 (Stein)
on; the user's own tags are kept. python-octaviaclient sends full URLs,
which the request layer finds in the catalog; the reconcilers look up at
the same URL the create went to.

How a lost create is found again:

* load balancers, pools and L7 policies by name (names are not unique:
  a late duplicate is swept);
* a listener by its load balancer and port, a member by its address and
  port in its pool, a health monitor by its pool: Octavia answers a second
  one of these with a 409, so they cannot be duplicated and are not swept;
* an L7 rule, which has neither a name nor a natural key, by the token
  itself (Octavia filters lists on tags): a late duplicate is swept.

Creates that do not say what they would be found by (a pool without a
name, a member without an address and port) are sent under ``never``.
While an object's load balancer is ``PENDING_UPDATE`` after a lost create,
Octavia answers a resend with a 409; the lookup then finds what the lost
attempt made, or, if it made nothing, the 409 reaches Heat, whose Octavia
resources create again on their next poll.
"""

from heat_retry_plugins.reconcilers import base
from heat_retry_plugins.reconcilers import markers
from heat_retry_plugins.session import ownership


class _OctaviaReconciler(base.JsonReconciler):
    """An Octavia object, its token in its tags."""

    service = 'octavia'
    token_place = markers.TAGS
    #: The fields of the create that say what it is found by: all must be
    #: given. None: its name (and the name must be given).
    natural_key = None
    #: How log lines name the create: a format of its natural key's
    #: values. None: by its name.
    name_format = None

    @classmethod
    def findable(cls, member):
        if cls.natural_key is None:
            return super().findable(member)
        return all(member.get(field) not in (None, '')
                   for field in cls.natural_key)

    @property
    def name(self):
        if self.name_format is None:
            return super().name
        member = self.member_of(self.create.body)
        return self.name_format % tuple(member.get(field)
                                        for field in self.natural_key)

    def find(self):
        if self.natural_key is None:
            return super().find()
        member = self.member_of(self.create.body)
        return self.listed(base.with_query(self.collection_url, **{
            field: str(member[field]) for field in self.natural_key}))


class LoadBalancerReconciler(_OctaviaReconciler):
    """Octavia ``POST /v2.0/lbaas/loadbalancers``."""

    kind = 'load balancer'
    route = r'/lbaas/loadbalancers$'
    member, collection = 'loadbalancer', 'loadbalancers'
    sweeps = True


class ListenerReconciler(_OctaviaReconciler):
    """Octavia ``POST /v2.0/lbaas/listeners``, by load balancer and port."""

    kind = 'listener'
    route = r'/lbaas/listeners$'
    member, collection = 'listener', 'listeners'
    natural_key = ('loadbalancer_id', 'protocol_port')


class PoolReconciler(_OctaviaReconciler):
    """Octavia ``POST /v2.0/lbaas/pools``."""

    kind = 'pool'
    route = r'/lbaas/pools$'
    member, collection = 'pool', 'pools'
    sweeps = True


class MemberReconciler(_OctaviaReconciler):
    """Octavia ``POST /v2.0/lbaas/pools/{id}/members``, by address, port."""

    kind = 'member'
    route = r'/lbaas/pools/[^/]+/members$'
    member, collection = 'member', 'members'
    natural_key = ('address', 'protocol_port')
    name_format = '%s:%s'


class HealthMonitorReconciler(_OctaviaReconciler):
    """Octavia ``POST /v2.0/lbaas/healthmonitors``, one per pool."""

    kind = 'health monitor'
    route = r'/lbaas/healthmonitors$'
    member, collection = 'healthmonitor', 'healthmonitors'
    natural_key = ('pool_id',)
    name_format = 'of pool %s'


class L7PolicyReconciler(_OctaviaReconciler):
    """Octavia ``POST /v2.0/lbaas/l7policies``."""

    kind = 'L7 policy'
    route = r'/lbaas/l7policies$'
    member, collection = 'l7policy', 'l7policies'
    sweeps = True


class L7RuleReconciler(_OctaviaReconciler):
    """Octavia ``POST /v2.0/lbaas/l7policies/{id}/rules``, by its token."""

    kind = 'L7 rule'
    route = r'/lbaas/l7policies/[^/]+/rules$'
    member, collection = 'rule', 'rules'
    natural_key = ('type', 'compare_type', 'value')
    name_format = '%s %s %s'
    sweeps = True

    def find(self):
        # NOTE: equal rules may exist, and a value can hold any character:
        # the tag filter is the one lookup that finds exactly ours.
        return self.listed(base.with_query(
            self.collection_url, tags=ownership.tag(self.create.token)))

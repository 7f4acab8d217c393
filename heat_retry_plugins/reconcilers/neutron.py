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

"""Neutron's creates: networks, subnets, routers, ports, security groups.

Where the token goes: at the end of the resource's ``description``, as the
word ``heat_retry_token=<token>``. NOTE: the ``tags`` of a Neutron resource
cannot carry it. Neutron declares ``tags`` with ``allow_post: False`` on
every taggable resource but ports (neutron/extensions/tagging.py), so a
create body with ``tags`` is refused with a 400; ports take them only where
the ``tag-ports-during-bulk-creation`` extension is loaded, and the
``tag-creation`` extension is a ``POST .../{id}/tags`` sub-resource, a
second request after the create, which a lost create never reaches. The
``description`` is a standard attribute of every one of these resources
(``standard-attr-description``), accepted on create and returned by every
lookup. A user's own description is kept and the token appended after a
space; Heat's networks, subnets, routers and ports have no description
property, so there the description is the token alone. A description too
long to take the token (Neutron stores 255 characters) is not touched: the
create is then sent under ``never``.

Security group rules are reconciled too. Names are not unique in Neutron,
so a late duplicate of a network, subnet,
router, port or security group is swept. The ports Heat makes for a
server's networks are all named ``<server resource>-port-<n>``, the same in
every stack: the lookup lists the ports of the name on the create's
network, and only the token tells ours from the others. A rule has no name
but a natural key (its group, direction, ethertype, protocol, port range
and remote): Neutron answers a second equal rule with a 409
``SecurityGroupRuleExists``, so a rule cannot be duplicated and is not
swept; after a lost attempt the rules of the group with the same
direction and ethertype are looked up, and one is adopted only if it
carries the token (the protocol, ports and remote, which Neutron
normalises, are left to the token to decide).

Heat creates the rules of a security group in one bulk request
(``{"security_group_rules": [...]}``): every rule is marked, and after a
lost attempt the rules of the groups that carry the token are looked up.
All of them stand for the bulk create (Neutron makes a bulk all or
nothing); any fewer are deleted and the bulk sent again.

Not reconciled, so sent under ``never``: floating IPs (no name and no
natural key: an address is allocated by Neutron, so a lost create cannot
be found again except by a token, and a duplicate holds a public address
until it is found), the other bulk creates (``{"networks": [...]}``), and
creates without a name.
"""

from heat_retry_plugins.reconcilers import base
from heat_retry_plugins.reconcilers import markers


class _NeutronReconciler(base.JsonReconciler):
    """A named Neutron resource, its token in its description."""

    service = 'neutron'
    sweeps = True
    token_place = markers.DESCRIPTION
    #: Fields of the create that the lookup filters on besides the name.
    lookup_filters = ()

    def list_url(self):
        member = self.member_of(self.create.body)
        query = {'name': self.name}
        for field in self.lookup_filters:
            if isinstance(member.get(field), str):
                query[field] = member[field]
        return base.with_query(self.collection_url, **query)


class NetworkReconciler(_NeutronReconciler):
    """Neutron ``POST /v2.0/networks``."""

    kind = 'network'
    route = r'/networks$'
    member, collection = 'network', 'networks'


class SubnetReconciler(_NeutronReconciler):
    """Neutron ``POST /v2.0/subnets``, looked up on its network."""

    kind = 'subnet'
    route = r'/subnets$'
    member, collection = 'subnet', 'subnets'
    lookup_filters = ('network_id',)
    #: Neutron answers a subnet whose CIDR overlaps another with a 400.
    conflict_statuses = frozenset([400, 409])


class RouterReconciler(_NeutronReconciler):
    """Neutron ``POST /v2.0/routers``."""

    kind = 'router'
    route = r'/routers$'
    member, collection = 'router', 'routers'


class PortReconciler(_NeutronReconciler):
    """Neutron ``POST /v2.0/ports``, looked up on its network."""

    kind = 'port'
    route = r'/ports$'
    member, collection = 'port', 'ports'
    lookup_filters = ('network_id',)


class SecurityGroupReconciler(_NeutronReconciler):
    """Neutron ``POST /v2.0/security-groups``."""

    kind = 'security group'
    route = r'/security-groups$'
    member, collection = 'security_group', 'security_groups'


class SecurityGroupRuleReconciler(_NeutronReconciler):
    """Neutron ``POST /v2.0/security-group-rules``, by its natural key."""

    kind = 'security group rule'
    route = r'/security-group-rules$'
    member, collection = 'security_group_rule', 'security_group_rules'
    # NOTE: Neutron refuses a second equal rule (409), so a late duplicate
    # cannot exist.
    sweeps = False

    @classmethod
    def findable(cls, member):
        return _is_rule(member)

    @property
    def name(self):
        member = self.member_of(self.create.body)
        return '%s %s %s of group %s' % (
            member.get('direction'), member.get('ethertype') or 'IPv4',
            member.get('protocol') or 'any', member.get('security_group_id'))

    def find(self):
        member = self.member_of(self.create.body)
        ethertype = member.get('ethertype') or 'IPv4'
        url = base.with_query(self.collection_url,
                              security_group_id=member['security_group_id'],
                              direction=member['direction'])
        return self.listed(url, lambda rule: (
            rule.get('security_group_id') == member['security_group_id'] and
            rule.get('direction') == member['direction'] and
            rule.get('ethertype') == ethertype))


class SecurityGroupRulesReconciler(base.JsonReconciler):
    """Neutron's bulk ``POST /v2.0/security-group-rules``, as Heat sends.

    The resource the engine sees is the set of rules that carry the token
    (one :class:`~heat_retry_plugins.reconcilers.base.Found` whose member
    is ``{"security_group_rules": [...]}``).
    """

    kind = 'set of security group rules'
    service = 'neutron'
    route = r'/security-group-rules$'
    member = None
    collection = 'security_group_rules'

    @classmethod
    def mark(cls, create):
        rules = create.body.get(cls.collection)
        if not isinstance(rules, list) or not rules or len(create.body) != 1:
            return None
        marked = []
        for rule in rules:
            if not (isinstance(rule, dict) and _is_rule(rule)):
                return None
            rule = markers.DESCRIPTION.put(rule, create.token)
            if rule is None:
                return None
            marked.append(rule)
        return cls.marked(create, {cls.collection: marked})

    @property
    def rules(self):
        return self.create.body[self.collection]

    @property
    def name(self):
        return '%d rules of group %s' % (len(self.rules), ', '.join(
            sorted({r['security_group_id'] for r in self.rules})))

    def find(self):
        ours, response = [], None
        for group in sorted({r['security_group_id'] for r in self.rules}):
            url = base.with_query(self.collection_url,
                                  security_group_id=group)
            for found in self.listed(url, lambda rule: markers.in_description(
                    rule, self.create.token)):
                ours.append(found.member)
                response = found.response
        return [base.Found(response, {self.collection: ours})] if ours \
            else []

    def is_ours(self, resource):
        return bool(resource.member[self.collection])

    def covers(self, resource):
        return len(resource.member[self.collection]) == len(self.rules)

    def identify(self, resource):
        return ','.join(rule.get('id') or '?'
                        for rule in resource.member[self.collection])

    def _rule_urls(self, resource):
        return [self.member_url(rule['id'])
                for rule in resource.member[self.collection] if 'id' in rule]

    def delete(self, resource):
        for url in self._rule_urls(resource):
            self.lookup.delete(url)

    def is_gone(self, resource):
        return all(not self.shown(url) for url in self._rule_urls(resource))

    def kept_id(self, response):
        return None


def _is_rule(member):
    """Does a rule say what it is found by: its group and direction?"""
    return (isinstance(member.get('security_group_id'), str) and
            member.get('direction') in ('ingress', 'egress'))

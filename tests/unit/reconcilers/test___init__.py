"""The registry of reconcilers (reconcilers/__init__.py): route lookup."""

import pytest

from heat_retry_plugins import reconcilers
from heat_retry_plugins.reconcilers import cinder
from heat_retry_plugins.reconcilers import glance
from heat_retry_plugins.reconcilers import keystone
from heat_retry_plugins.reconcilers import keystone_credentials
from heat_retry_plugins.reconcilers import neutron
from heat_retry_plugins.reconcilers import nova
from heat_retry_plugins.reconcilers import octavia

LB = '/v2.0/lbaas'


@pytest.mark.parametrize('service, path, cls', [
    ('nova', '/v2.1/servers', nova.ServerReconciler),
    ('nova', '/v2.1/os-keypairs', nova.KeypairReconciler),
    ('nova', '/v2.1/servers/s-1/os-volume_attachments',
     cinder.VolumeAttachmentReconciler),
    ('keystone', '/v3/projects', keystone.ProjectReconciler),
    ('keystone', '/v3/users', keystone.UserReconciler),
    ('keystone', '/v3/credentials',
     keystone_credentials.CredentialReconciler),
    ('neutron', '/v2.0/networks', neutron.NetworkReconciler),
    ('neutron', '/v2.0/subnets', neutron.SubnetReconciler),
    ('neutron', '/v2.0/routers', neutron.RouterReconciler),
    ('neutron', '/v2.0/ports', neutron.PortReconciler),
    ('neutron', '/v2.0/security-groups', neutron.SecurityGroupReconciler),
    ('neutron', '/v2.0/security-group-rules',
     neutron.SecurityGroupRuleReconciler),
    ('cinder', '/v3/p-1/volumes', cinder.VolumeReconciler),
    ('cinder', '/v3/volumes', cinder.VolumeReconciler),
    ('glance', '/v2/images', glance.ImageReconciler),
    ('octavia', LB + '/loadbalancers', octavia.LoadBalancerReconciler),
    ('octavia', LB + '/listeners', octavia.ListenerReconciler),
    ('octavia', LB + '/pools', octavia.PoolReconciler),
    ('octavia', LB + '/pools/p-1/members', octavia.MemberReconciler),
    ('octavia', LB + '/healthmonitors', octavia.HealthMonitorReconciler),
    ('octavia', LB + '/l7policies', octavia.L7PolicyReconciler),
    ('octavia', LB + '/l7policies/p-1/rules', octavia.L7RuleReconciler),
])
def test_each_create_route_has_its_reconciler(service, path, cls):
    assert reconcilers.reconciler_for(service, 'POST', path) is cls
    assert cls in reconcilers.RECONCILERS


@pytest.mark.parametrize('service, method, path', [
    ('neutron', 'POST', '/v2.0/floatingips'),
    ('neutron', 'PUT', '/v2.0/routers/r-1/add_router_interface'),
    ('cinder', 'POST', '/v3/p-1/volumes/v-1/action'),
    ('glance', 'POST', '/v2/images/i-1/import'),
    ('glance', 'PUT', '/v2/images/i-1/file'),
    ('nova', 'POST', '/v2.1/servers/s-1/action'),
    ('neutron', 'POST', '/v2.0/networks/n-1'),
    ('octavia', 'POST', LB + '/pools/p-1/members/m-1'),
    ('swift', 'PUT', '/v1/AUTH_p/c'),
    # The same path under another service's name is not that create.
    ('cinder', 'POST', '/v2.0/networks'),
])
def test_other_requests_have_none(service, method, path):
    assert reconcilers.reconciler_for(service, method, path) is None


def test_every_reconciler_names_its_service_route_member_and_kind():
    for cls in reconcilers.RECONCILERS:
        assert cls.service and cls.route and cls.kind != 'resource'
        assert cls.collection or cls is nova.KeypairReconciler or \
            cls is cinder.VolumeAttachmentReconciler


def test_orphans_are_swept_only_where_a_delete_by_id_proves_them_ours():
    # A non-unique kind sweeps its orphans with its duplicates; of the
    # unique ones, only Keystone's projects and users. A keypair is
    # deleted by name, an attachment proven by its pair alone.
    swept = {cls for cls in reconcilers.RECONCILERS
             if cls.orphans and not cls.sweeps}
    assert swept == {keystone.ProjectReconciler, keystone.UserReconciler}
    assert not (nova.KeypairReconciler.orphans or
                nova.KeypairReconciler.sweeps)
    assert not (cinder.VolumeAttachmentReconciler.orphans or
                cinder.VolumeAttachmentReconciler.sweeps)

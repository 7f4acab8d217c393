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

"""Guards isolate: projects, clouds and the token endpoint, over HTTP.

A 429 belongs to the project that got it; an outage of one cloud never
blocks calls to another; a failing token endpoint counts against
Keystone, not against the service the token was for.
"""

from heat.common import context as heat_context
from keystoneauth1 import exceptions as ks_exceptions
from novaclient import exceptions as nova_exceptions
import pytest

from heat_retry_plugins.fakecloud import server as fake_server
from heat_retry_plugins.retry import errors
from tests import heat_support
from tests.unit.fakecloud import helpers


def project_context(cloud, name):
    """A project of its own, its member user, and a Heat context as them."""
    keystone = helpers.keystone(helpers.make_session(cloud))
    project = keystone.projects.create(name, 'default')
    user = keystone.users.create(name + '-user', domain='default',
                                 password=name + '-pw')
    keystone.roles.grant(keystone.roles.list(name='member')[0], user=user,
                         project=project)
    return heat_context.RequestContext(
        username=user.name, password=name + '-pw', auth_url=cloud.auth_url,
        user_id=user.id, project_id=project.id, project_name=name,
        user_domain_id='default', project_domain_id='default',
        region_name=cloud.region, is_admin=False)


def nova_guards(plugin):
    return plugin.guards()


@pytest.fixture
def tight(heat_conf):
    heat_conf.set(group='clients', retry_budget_capacity=3.0,
                  retry_budget_ratio=0.0, retry_budget_floor=0.0,
                  retry_breaker_threshold=2, retry_max_delay=0.0,
                  retry_initial_delay=0.0)


def test_a_rate_limited_project_never_opens_the_breaker_of_the_others(
        cloud, heat_conf, context, tight):
    heat_conf.set(group='clients', retry_breaker_threshold=3)
    contexts = [project_context(cloud, name)
                for name in ('team-a', 'team-b')]
    limited, other = (c.clients.client_plugin('nova_retry')
                      for c in contexts)
    cloud.set_faults([{'service': 'compute', 'project': 'team-a',
                       'fault': {'status': 429, 'retry_after': 0}}])
    for _ in range(5):
        with pytest.raises(nova_exceptions.RateLimit):
            limited.client().flavors.get('1')
    # team-a's retries spent team-a's throttle alone ...
    assert nova_guards(limited).throttle.tokens < 1
    assert nova_guards(limited).breaker.state == 'closed'
    # ... so team-b still has its budget for the 503s it meets.
    cloud.set_faults([{'service': 'compute', 'project': 'team-b',
                       'first': 2, 'fault': {'status': 503}}])
    assert other.client().flavors.get('1').name == 'm1.tiny'
    assert nova_guards(other).budget.tokens == pytest.approx(1.0)
    assert nova_guards(other).breaker.state == 'closed'


def test_an_outage_of_one_cloud_never_blocks_another(heat_conf, tight):
    with fake_server.FakeCloud() as down, fake_server.FakeCloud() as up:
        contexts = [heat_support.heat_context(c, heat_conf)
                    for c in (down, up)]
        down_nova, up_nova = (c.clients.client_plugin('nova_retry')
                              for c in contexts)
        assert down_nova.guard_key() != up_nova.guard_key()
        down_nova.client().flavors.get('1')
        up_nova.client().flavors.get('1')
        down.set_faults([{'service': 'compute', 'rate': 1.0,
                          'fault': {'status': 503}}])
        with pytest.raises(nova_exceptions.ClientException):
            down_nova.client().flavors.get('1')
        with pytest.raises(errors.CircuitOpen):
            down_nova.client().flavors.get('1')
        assert up_nova.client().flavors.get('1').name == 'm1.tiny'


def test_token_endpoint_failures_count_against_keystone_not_nova(
        cloud, heat_conf, context, tight):
    nova = context.clients.client_plugin('nova_retry')
    cloud.set_faults([{'service': 'identity', 'method': 'POST',
                       'path': '^/auth/tokens$', 'rate': 1.0,
                       'fault': {'status': 503}}])
    with pytest.raises(ks_exceptions.ServiceUnavailable) as raised:
        nova.client().flavors.get('1')
    # Retried as a Keystone request, and not again as a Nova one.
    assert len(raised.value.retry_history) == 3
    assert cloud.counters()['requests'].get(
        'compute GET /flavors/{id}') is None
    keystone = context.clients.client_plugin('keystone_retry').guards()
    assert keystone.breaker.state == 'open'
    assert nova_guards(nova).breaker.state == 'closed'
    assert nova_guards(nova).budget.tokens == 3.0

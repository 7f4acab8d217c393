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

"""What the contexts of one engine share, over real HTTP.

Convergence builds a request context per resource; each would fetch its
own token and discovery documents. A token serves the contexts of the
same principal only; a rejected token is shared no more; version
documents are fetched once per endpoint.
"""

from heat.common import context as heat_context

from heat_retry_plugins.session import layer
from tests.functional.conftest import fault
from tests.functional.conftest import requests_to
from tests import heat_support
from tests.unit.fakecloud import helpers

TOKENS = 'identity POST /auth/tokens'


def admin_context(cloud, heat_conf):
    return heat_support.heat_context(cloud, heat_conf)


def other_project_context(cloud):
    keystone = helpers.keystone(helpers.make_session(cloud))
    project = keystone.projects.create('team-b', 'default')
    keystone.roles.grant(keystone.roles.list(name='member')[0],
                         user=cloud.user_id, project=project)
    return heat_context.RequestContext(
        username=cloud.username, password=cloud.password,
        auth_url=cloud.auth_url, user_id=cloud.user_id,
        project_id=project.id, project_name='team-b',
        user_domain_id='default', project_domain_id='default',
        region_name=cloud.region, is_admin=False), project


def flavor(context):
    return context.clients.client_plugin('nova_retry').client().flavors.get(
        '1')


def token_of(context):
    return context.keystone_session.get_token()


def test_contexts_of_one_principal_share_one_token(cloud, heat_conf):
    cloud.reset_counters()
    contexts = [admin_context(cloud, heat_conf) for _ in range(5)]
    for context in contexts:
        assert flavor(context).name == 'm1.tiny'
    assert requests_to(cloud, TOKENS) == {'201': 1}
    assert len({token_of(c) for c in contexts}) == 1


def test_another_project_never_gets_the_token(cloud, heat_conf):
    admin = admin_context(cloud, heat_conf)
    flavor(admin)
    other, project = other_project_context(cloud)
    cloud.reset_counters()
    flavor(other)
    assert requests_to(cloud, TOKENS) == {'201': 1}
    assert token_of(other) != token_of(admin)
    assert cloud.state.validate_token(token_of(other)).project_id == \
        project.id


def test_a_rejected_token_is_shared_no_more(cloud, heat_conf):
    first = admin_context(cloud, heat_conf)
    flavor(first)
    rejected = token_of(first)
    cloud.set_faults(fault('^/flavors/[^/]+$', 'GET', {'status': 401}))
    assert flavor(first).name == 'm1.tiny'
    renewed = token_of(first)
    assert renewed != rejected
    later = admin_context(cloud, heat_conf)
    flavor(later)
    assert token_of(later) == renewed


def test_version_documents_are_fetched_once_per_endpoint(cloud, heat_conf):
    cloud.reset_counters()
    for _ in range(5):
        flavor(admin_context(cloud, heat_conf))
    discovery = {route: outcomes for route, outcomes in
                 cloud.counters()['requests'].items()
                 if route.startswith('compute GET /v2.1')}
    assert discovery == {'compute GET /v2.1': {'200': 1}}


def test_the_layer_is_on_every_context_that_made_a_plugin(cloud, heat_conf):
    context = admin_context(cloud, heat_conf)
    flavor(context)
    assert isinstance(context.keystone_session, layer.RetryingSession)

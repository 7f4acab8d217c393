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

"""Requests made without call_with_retry, as stock Heat resources make
them through ``self.client()``: retried by HTTP method, never twice.
"""

from heat.common import context as heat_context
from heat.engine.clients.os import glance as heat_glance
from heat.engine.clients.os import nova as heat_nova
from keystoneauth1 import exceptions as ks_exceptions
from keystoneauth1 import session as ks_session
from novaclient import exceptions as nova_exceptions
import pytest

from heat_retry_plugins.clients import backend
from heat_retry_plugins.fakecloud import CIRROS_IMAGE_ID
from heat_retry_plugins import session
from tests.functional.conftest import fault
from tests.functional.conftest import requests_to
from tests.functional.conftest import sent
from tests import heat_support

GET_SERVER = 'compute GET /servers/{id}'


def test_a_plain_get_is_retried(nova_plugin, cloud, server):
    cloud.set_faults(fault('^/servers/[^/]+$', 'GET', {'status': 503},
                           first=2))
    assert nova_plugin.client().servers.get(server.id).id == server.id
    assert requests_to(cloud, GET_SERVER) == {'503': 2, '200': 1}


def test_a_call_with_retry_is_not_retried_again_underneath(
        nova_plugin, cloud, server):
    cloud.set_faults(fault('^/servers/[^/]+$', 'GET', {'status': 503},
                           rate=1.0))
    with pytest.raises(nova_exceptions.ClientException):
        nova_plugin.call_with_retry(nova_plugin.client().servers.get,
                                    server.id)
    # 4 attempts of one request each, not 4 x 4.
    assert sent(cloud, GET_SERVER) == 4


@pytest.mark.parametrize('kind', ['ambiguous_500', 'drop_after'])
def test_a_plain_server_create_is_reconciled_not_duplicated(
        nova_plugin, cloud, kind):
    cloud.set_faults(fault('^/servers$', 'POST', {'kind': kind}))
    made = nova_plugin.client().servers.create('web', CIRROS_IMAGE_ID, '1',
                                               nics='none')
    assert [s['id'] for s in cloud.objects('server')] == [made.id]
    assert sent(cloud, 'compute POST /servers') == 1


@pytest.mark.parametrize('kind', ['ambiguous_500', 'drop_after'])
def test_a_post_that_is_not_a_create_is_never_repeated(nova_plugin, cloud,
                                                       server, kind):
    cloud.set_faults(fault('/metadata$', 'POST', {'kind': kind}))
    with pytest.raises((nova_exceptions.ClientException,
                        ks_exceptions.ConnectFailure)):
        nova_plugin.client().servers.set_meta(server.id, {'k': 'v'})
    assert sent(cloud, 'compute POST /servers/{id}/metadata') == 1


def test_a_plain_delete_whose_response_was_lost_is_done(nova_plugin, cloud,
                                                        server):
    cloud.set_faults(fault('^/servers/[^/]+$', 'DELETE',
                           {'kind': 'drop_after'}))
    nova_plugin.client().servers.delete(server.id)
    # Sent again, and the retry's 404 taken as done.
    assert requests_to(cloud, 'compute DELETE /servers/{id}') == {
        'dropped': 1, '404': 1}
    assert cloud.objects('server') == []


def test_cloud_backend_resolves_stock_names_to_retry_plugins(cloud,
                                                             heat_conf):
    heat_conf.set(cloud_backend='heat_retry_plugins.clients.RetryingClients')
    context = heat_support.heat_context(cloud, heat_conf)
    assert isinstance(context.clients, backend.RetryingClients)
    nova = context.clients.client_plugin('nova')
    assert nova is context.clients.client_plugin('nova_retry')
    assert isinstance(nova, heat_nova.NovaClientPlugin)
    assert nova.service == 'nova'
    # Every Heat plugin has its retry plugin, Heat's own as its base.
    glance = context.clients.client_plugin('glance')
    assert glance is context.clients.client_plugin('glance_retry')
    assert isinstance(glance, heat_glance.GlanceClientPlugin)
    cloud.set_faults(fault('^/flavors/[^/]+$', 'GET', {'status': 503}))
    assert context.clients.client('nova').flavors.get('1').name == 'm1.tiny'


def test_a_stored_contexts_first_token_is_retried_too(cloud, heat_conf):
    # Heat rebuilds a StoredContext for each resource it checks, and it
    # fetches a token in its __init__ (to read its roles), before any
    # client is asked for.
    heat_conf.set(cloud_backend='heat_retry_plugins.clients.RetryingClients')
    heat_support.heat_context(cloud, heat_conf).clients
    session.reset_process_state()
    cloud.set_faults(fault('^/auth/tokens$', 'POST', {'status': 503},
                           service='identity'))
    stored = heat_context.StoredContext(
        username=cloud.username, password=cloud.password,
        auth_url=cloud.auth_url, project_id=cloud.project_id,
        user_domain_id=cloud.domain_id, region_name=cloud.region)
    assert 'admin' in stored.roles
    assert requests_to(cloud, 'identity POST /auth/tokens') == {
        '503': 1, '201': 1}


def test_with_another_backend_contexts_keep_plain_sessions(cloud,
                                                           heat_conf):
    heat_conf.set(cloud_backend='heat_retry_plugins.clients.RetryingClients')
    heat_support.heat_context(cloud, heat_conf).clients
    heat_conf.set(cloud_backend='heat.engine.clients.OpenStackClients')
    plain = heat_context.RequestContext(username='u', password='p',
                                        auth_url=cloud.auth_url)
    assert type(plain.keystone_session) is ks_session.Session

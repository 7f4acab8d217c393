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

"""nova_retry over real HTTP: each fault kind under each policy."""


from heat.common import exception as heat_exception
from keystoneauth1 import exceptions as ks_exceptions
from novaclient import exceptions as nova_exceptions
import pytest

from heat_retry_plugins.fakecloud import CIRROS_IMAGE_ID
from heat_retry_plugins.retry import verdicts
from tests.functional.conftest import fault
from tests.functional.conftest import requests_to
from tests.functional.conftest import sent
from tests.unit.fakecloud import helpers

GET_SERVER = 'compute GET /servers/{id}'
POST_SERVERS = 'compute POST /servers'


def boot(plugin, name, policy='create'):
    client = plugin.client()
    return plugin.call_with_retry_policy(
        policy, client.servers.create, name, CIRROS_IMAGE_ID, '1',
        nics='none')


@pytest.mark.parametrize('status', [503, 429, 413, 500, 502, 504])
def test_get_is_retried_through_each_retriable_status(
        nova_plugin, cloud, server, status):
    cloud.set_faults(fault('^/servers/[^/]+$', 'GET', {'status': status},
                           first=2))
    found = nova_plugin.call_with_retry(nova_plugin.client().servers.get,
                                        server.id)
    assert found.id == server.id
    assert requests_to(cloud, GET_SERVER) == {str(status): 2, '200': 1}


def test_gives_up_with_the_original_exception_after_max_attempts(
        nova_plugin, cloud, server):
    cloud.set_faults(fault('^/servers/[^/]+$', 'GET', {'status': 503},
                           rate=1.0))
    with pytest.raises(nova_exceptions.ClientException) as raised:
        nova_plugin.call_with_retry(nova_plugin.client().servers.get,
                                    server.id)
    assert raised.value.code == 503
    assert type(raised.value) is nova_exceptions.ClientException
    assert len(raised.value.retry_history) == 4
    assert requests_to(cloud, GET_SERVER) == {'503': 4}


def test_not_found_is_not_retried_and_ignore_not_found_still_works(
        nova_plugin, cloud):
    with nova_plugin.ignore_not_found:
        nova_plugin.call_with_retry(nova_plugin.client().servers.get,
                                    'missing')
    assert requests_to(cloud, GET_SERVER) == {'404': 1}


def test_retry_after_seconds_is_honoured(nova_plugin, cloud, server,
                                         sleeps):
    cloud.set_faults(fault('^/servers/[^/]+$', 'GET',
                           {'status': 429, 'retry_after': 7}))
    nova_plugin.call_with_retry(nova_plugin.client().servers.get, server.id)
    assert sleeps.delays == [7.0]


def test_retry_after_http_date_on_503_is_honoured(nova_plugin, cloud, server,
                                                  sleeps):
    cloud.set_faults(fault('^/servers/[^/]+$', 'GET',
                           {'status': 503, 'retry_after': 'http-date:+8'}))
    nova_plugin.call_with_retry(nova_plugin.client().servers.get, server.id)
    (delay,) = sleeps.delays
    # HTTP dates have a resolution of one second.
    assert 6.0 <= delay <= 8.0


def test_retry_after_of_a_day_is_capped_by_max_delay(nova_plugin, cloud,
                                                     server, sleeps):
    cloud.set_faults(fault('^/servers/[^/]+$', 'GET',
                           {'status': 429, 'retry_after': 86400}))
    nova_plugin.call_with_retry(nova_plugin.client().servers.get, server.id)
    assert sleeps.delays == [10.0]


def test_malformed_retry_after_is_treated_as_absent(nova_plugin, cloud,
                                                    server, sleeps):
    cloud.set_faults(fault('^/servers/[^/]+$', 'GET',
                           {'status': 503, 'retry_after': 'soon-ish'}))
    nova_plugin.call_with_retry(nova_plugin.client().servers.get, server.id)
    assert sleeps.delays == [0.5]


def test_refused_connection_is_retried_even_for_a_post(nova_plugin, cloud,
                                                       sleeps):
    nova_plugin.client()  # discover the endpoint before the outage
    cloud.set_down('compute')
    sleeps.on_sleep = lambda: cloud.set_up('compute')
    made = boot(nova_plugin, 'after-outage', policy='never')
    assert made.name == 'after-outage'
    assert len(sleeps.delays) == 1
    assert requests_to(cloud, POST_SERVERS) == {'202': 1}


def test_dropped_connection_is_retried_for_a_get(nova_plugin, cloud, server):
    cloud.set_faults(fault('^/servers/[^/]+$', 'GET',
                           {'kind': 'drop_before'}))
    assert nova_plugin.call_with_retry(
        nova_plugin.client().servers.get, server.id).id == server.id
    assert requests_to(cloud, GET_SERVER) == {'dropped': 1, '200': 1}


def test_read_timeout_is_ambiguous_and_retried_for_a_get(nova_plugin, cloud,
                                                         server):
    client = nova_plugin.client()
    nova_plugin.context.keystone_session.timeout = 0.2
    cloud.set_faults(fault('^/servers/[^/]+$', 'GET',
                           {'kind': 'slow', 'seconds': 1.0}))
    assert nova_plugin.call_with_retry(client.servers.get,
                                       server.id).id == server.id
    # The slow request is counted when the server answers it, after the
    # client gave up waiting.
    helpers.poll(lambda: sent(cloud, GET_SERVER) == 2)
    assert requests_to(cloud, GET_SERVER) == {'200': 2}


@pytest.mark.parametrize('kind', ['ambiguous_500', 'drop_after'])
def test_ambiguous_post_is_never_repeated_under_never(nova_plugin, cloud,
                                                      kind):
    cloud.set_faults(fault('^/servers$', 'POST', {'kind': kind}))
    with pytest.raises((nova_exceptions.ClientException,
                        ks_exceptions.ConnectFailure)):
        boot(nova_plugin, 'once', policy='never')
    assert sent(cloud, POST_SERVERS) == 1
    assert cloud.counters()['duplicates_total'] == 0


def test_keystoneauth_retries_are_off_one_layer_retries(
        nova_plugin, cloud, server, heat_conf):
    heat_conf.set(client_retry_limit=5)
    heat_conf.set(group='clients_nova', retry_max_attempts=1)
    cloud.set_faults(fault('^/servers/[^/]+$', 'GET',
                           {'kind': 'drop_before'}))
    with pytest.raises(ks_exceptions.ConnectFailure) as raised:
        nova_plugin.call_with_retry(nova_plugin.client().servers.get,
                                    server.id)
    assert nova_plugin.classify(raised.value).verdict is \
        verdicts.Verdict.AMBIGUOUS
    assert sent(cloud, GET_SERVER) == 1


@pytest.mark.parametrize('inside_a_call', [False, True])
def test_expired_token_is_renewed_and_the_call_retried(nova_plugin, cloud,
                                                       server, inside_a_call):
    # One layer re-authenticates, once: keystoneauth's own is off.
    cloud.set_faults(fault('^/servers/[^/]+$', 'GET', {'status': 401}))
    get = nova_plugin.client().servers.get
    if inside_a_call:
        assert nova_plugin.call_with_retry(get, server.id).id == server.id
    else:
        assert get(server.id).id == server.id
    assert requests_to(cloud, GET_SERVER) == {'401': 1, '200': 1}


def test_a_token_rejected_again_after_renewal_gives_up(nova_plugin, cloud,
                                                       server):
    cloud.set_faults(fault('^/servers/[^/]+$', 'GET', {'status': 401},
                           first=3))
    with pytest.raises(nova_exceptions.Unauthorized):
        nova_plugin.client().servers.get(server.id)
    assert requests_to(cloud, GET_SERVER) == {'401': 2}


def test_delete_whose_response_was_lost_is_done_on_the_retry(
        nova_plugin, cloud, server):
    cloud.set_faults(fault('^/servers/[^/]+$', 'DELETE',
                           {'kind': 'ambiguous_500'}))
    assert nova_plugin.call_with_retry_policy(
        'delete', nova_plugin.client().servers.delete, server.id) is None
    assert requests_to(cloud, 'compute DELETE /servers/{id}') == {
        '500': 1, '404': 1}
    assert cloud.objects('server') == []


def test_heats_own_helpers_work_through_the_plugin(nova_plugin, cloud,
                                                   server):
    cloud.set_faults(fault('^/servers/[^/]+$', 'GET', {'status': 503}))
    found = nova_plugin.call_with_retry(nova_plugin.get_server, server.id)
    assert found.id == server.id
    assert nova_plugin.find_flavor_by_name_or_id('m1.small') == '2'
    assert nova_plugin.fetch_server(server.id).id == server.id


def test_unknown_server_through_get_server_raises_heats_not_found(
        nova_plugin, cloud):
    with pytest.raises(heat_exception.EntityNotFound):
        nova_plugin.call_with_retry(nova_plugin.get_server, 'nope')
    assert requests_to(cloud, GET_SERVER) == {'404': 1}

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

"""keystone_retry over real HTTP: retries, one layer, Heat's helpers."""

import logging

from keystoneauth1 import exceptions as ks_exceptions
import pytest

from tests.functional import conftest
from tests.functional.conftest import requests_to
from tests.functional.conftest import sent

GET_PROJECT = 'identity GET /projects/{id}'


def fault(path, method, spec, **selector):
    return conftest.fault(path, method, spec, service='identity', **selector)


@pytest.mark.parametrize('status', [503, 429, 413, 500, 502, 504])
def test_get_is_retried_through_each_retriable_status(
        keystone_plugin, cloud, status):
    client = keystone_plugin.client().client
    cloud.set_faults(fault('^/projects/[^/]+$', 'GET', {'status': status},
                           first=2))
    found = keystone_plugin.call_with_retry(client.projects.get,
                                            cloud.project_id)
    assert found.id == cloud.project_id
    assert requests_to(cloud, GET_PROJECT) == {str(status): 2, '200': 1}


def test_gives_up_with_keystoneauths_own_exception(keystone_plugin, cloud):
    client = keystone_plugin.client().client
    cloud.set_faults(fault('^/projects/[^/]+$', 'GET', {'status': 503},
                           rate=1.0))
    with pytest.raises(ks_exceptions.ServiceUnavailable) as raised:
        keystone_plugin.call_with_retry(client.projects.get,
                                        cloud.project_id)
    assert len(raised.value.retry_history) == 4
    assert sent(cloud, GET_PROJECT) == 4


def test_keystoneclient_connect_retries_are_off(keystone_plugin, cloud,
                                                heat_conf):
    heat_conf.set(client_retry_limit=5)
    heat_conf.set(group='clients_keystone', retry_max_attempts=1)
    client = keystone_plugin.client().client
    cloud.set_faults(fault('^/projects/[^/]+$', 'GET',
                           {'kind': 'drop_before'}))
    with pytest.raises(ks_exceptions.ConnectFailure):
        keystone_plugin.call_with_retry(client.projects.get,
                                        cloud.project_id)
    assert sent(cloud, GET_PROJECT) == 1


def test_heats_helpers_work_through_the_plugin(keystone_plugin, cloud):
    cloud.set_faults(fault('^/projects/[^/]+$', 'GET', {'status': 503}))
    assert keystone_plugin.call_with_retry(
        keystone_plugin.get_project_id, cloud.project_id) == cloud.project_id
    assert keystone_plugin.get_domain_id('default') == 'default'


def test_expired_tokens_are_renewed(keystone_plugin, cloud):
    client = keystone_plugin.client().client
    keystone_plugin.call_with_retry(client.projects.get, cloud.project_id)
    cloud.expire_tokens()
    cloud.set_faults(fault('^/projects/[^/]+$', 'GET', {'status': 401}))
    assert keystone_plugin.call_with_retry(
        client.projects.get, cloud.project_id).id == cloud.project_id


def test_no_password_or_token_reaches_a_log_line(keystone_plugin, cloud,
                                                 caplog):
    caplog.set_level(logging.DEBUG, logger='heat_retry_plugins')
    client = keystone_plugin.client().client
    secret = 'S3cret-Pa55w0rd'
    cloud.set_faults([
        {'service': 'identity', 'method': 'POST', 'path': '^/users$',
         'first': 1, 'fault': {'kind': 'ambiguous_500'}},
        {'service': 'identity', 'method': 'GET', 'path': '^/users',
         'first': 1, 'fault': {'status': 503}}])
    user = keystone_plugin.call_with_retry_policy(
        'create', client.users.create, 'alice', domain=cloud.domain_id,
        password=secret)
    assert user.name == 'alice'
    token = keystone_plugin.context.keystone_session.get_token()
    messages = [r.getMessage() for r in caplog.records]
    assert any(m.startswith('Adopted keystone user alice') for m in messages)
    assert any(m.startswith('Retrying keystone') for m in messages)
    text = '\n'.join(messages)
    assert secret not in text and token not in text

"""keystone_retry over real HTTP: retries, one layer, Heat's helpers."""

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
    assert client._adapter.connect_retries == 0
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

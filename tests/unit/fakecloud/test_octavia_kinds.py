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

"""Octavia object kinds: what a create may send, and its checks."""

from octaviaclient.api.v2 import octavia
import pytest

from tests.unit.fakecloud import helpers


def test_tenant_id_is_taken_as_project_id(cloud, api):
    lb = helpers.load_balancer(api)
    listener = api.listener_create(json={'listener': {
        'protocol': 'TCP', 'protocol_port': 22, 'loadbalancer_id': lb['id'],
        'tenant_id': cloud.project_id}})['listener']
    assert listener['project_id'] == cloud.project_id


def test_bad_bodies_are_400s_with_octavias_error_body(cloud, session, api):
    with pytest.raises(octavia.OctaviaClientException) as info:
        api.load_balancer_create(json={'loadbalancer': {'name': 'novip'}})
    assert (info.value.code, 'VIP' in info.value.message) == (400, True)
    with pytest.raises(octavia.OctaviaClientException) as info:
        api.load_balancer_create(json={'loadbalancer': {
            'vip_subnet_id': helpers.VIP_SUBNET, 'colour': 'red'}})
    assert info.value.code == 400
    response = session.post(
        cloud.endpoint('load-balancer') + '/v2.0/lbaas/listeners',
        json={'listener': {'protocol': 'GOPHER', 'protocol_port': 70,
                           'loadbalancer_id': 'x'}}, raise_exc=False)
    assert response.status_code == 400
    assert set(response.json()) == {'faultcode', 'faultstring', 'debuginfo'}

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

"""Neutron quotas: unlimited until set, then OverQuota over them."""

from neutronclient.common import exceptions as neutron_exc
import pytest


def test_quotas_refuse_creates_over_the_limit(cloud, neutron):
    neutron.update_quota(cloud.project_id, {'quota': {'network': 1}})
    assert neutron.show_quota(cloud.project_id)['quota']['network'] == 1
    neutron.create_network({'network': {'name': 'one'}})
    with pytest.raises(neutron_exc.OverQuotaClient):
        neutron.create_network({'network': {'name': 'two'}})
    neutron.delete_quota(cloud.project_id)
    neutron.create_network({'network': {'name': 'two'}})
    assert sorted(n['name'] for n in neutron.list_networks()['networks']
                  ) == ['one', 'two']

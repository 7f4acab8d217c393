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

"""The stub Neutron through python-neutronclient."""

from neutronclient.common import exceptions as neutron_exc
from neutronclient.v2_0 import client as neutron_client
import pytest
import requests


def test_collections_are_empty_and_items_missing(cloud, session):
    client = neutron_client.Client(session=session)
    groups = client.list_security_groups(project_id=cloud.project_id,
                                         name='default')
    assert groups == {'security_groups': []}
    assert client.list_ports(device_id='x') == {'ports': []}
    with pytest.raises(neutron_exc.NotFound):
        client.delete_security_group('nope')
    versions = requests.get(cloud.base_url('network') + '/').json()
    assert versions['versions'][0]['id'] == 'v2.0'

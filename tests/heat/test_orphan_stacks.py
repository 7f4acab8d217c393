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

"""Real Heat: a server whose create failed is not left behind.

The stack's one server meets a proxy's 504 whose request still reaches
Nova (it lands 0.3 s later), and Nova's server list is down for the
lookups after it. The create cannot tell whether the server exists, so it
fails, and the stack with it: Heat records no server. Stock Heat leaves
the server that lands, for good; with the plugins the background sweep
finds it by its token and deletes it.
"""

import pytest

from heat_retry_plugins.fakecloud import glance
from heat_retry_plugins import session
from tests.unit.fakecloud import helpers

PLUGINS = {
    ('DEFAULT', 'cloud_backend'): 'heat_retry_plugins.clients.RetryingClients',
    ('clients', 'retry_max_attempts'): 4,
    ('clients', 'retry_initial_delay'): 0.01,
    ('clients', 'retry_max_delay'): 0.05,
}
TEMPLATE = {
    'heat_template_version': '2021-04-16',
    'resources': {'server': {'type': 'OS::Nova::Server', 'properties': {
        'name': 'web-1', 'image': glance.CIRROS_IMAGE_ID,
        'flavor': 'm1.tiny', 'user_data_format': 'RAW',
        'networks': [{'allocate_network': 'none'}]}}}}
FAULTS = [
    {'service': 'compute', 'method': 'POST', 'path': '^/servers$',
     'first': 1, 'fault': {'kind': 'slow_create', 'seconds': 0.3}},
    # NOTE: the 4 attempts of the lookup after the 504.
    {'service': 'compute', 'method': 'GET', 'path': '^/servers/detail$',
     'first': 4, 'fault': {'status': 503}},
]


@pytest.mark.parametrize('overrides', [None, PLUGINS],
                         ids=['stock', 'plugins'])
def test_a_server_whose_create_failed_is_not_left_behind(heat, cloud,
                                                         overrides):
    session.reset_process_state()
    cloud.set_faults(FAULTS)
    result = heat.run_stack(cloud, TEMPLATE, config_overrides=overrides,
                            timeout=120)
    assert result.create_status == 'CREATE_FAILED'
    assert '504' in result.create_reason or 'Gateway' in \
        result.create_reason, result.create_reason
    assert result.delete_status == 'DELETE_COMPLETE'
    # The late server lands whatever Heat did.
    helpers.poll(lambda: cloud.counters()['created'].get('server') == 1)
    if overrides is None:
        (left,) = cloud.objects('server')
        assert left['name'] == 'web-1'
    else:
        helpers.poll(lambda: cloud.objects('server') == [], deadline=15.0)

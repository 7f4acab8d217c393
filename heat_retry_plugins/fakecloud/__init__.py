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

"""A fake OpenStack cloud that injects faults on purpose.

It serves Keystone, Nova, Glance, Neutron, Cinder, Octavia, Swift, Designate
and Heat over real HTTP on 127.0.0.1, injects faults (seeded and repeatable)
and counts what happens. It knows nothing of the retry plugins::

    with FakeCloud(faults=[{'service': 'compute', 'method': 'POST',
                            'path': '^/servers$', 'first': 2,
                            'fault': {'status': 503}}]) as cloud:
        ...  # talk to cloud.auth_url with the real clients
        cloud.counters()
"""

from heat_retry_plugins.fakecloud.faults import Fault
from heat_retry_plugins.fakecloud.faults import FaultInjector
from heat_retry_plugins.fakecloud.faults import FaultRule
from heat_retry_plugins.fakecloud.faults import load_spec
from heat_retry_plugins.fakecloud.faults import parse_spec
from heat_retry_plugins.fakecloud.glance import CIRROS_IMAGE_ID
from heat_retry_plugins.fakecloud.server import FakeCloud

__all__ = ['CIRROS_IMAGE_ID', 'FakeCloud', 'Fault', 'FaultInjector',
           'FaultRule', 'load_spec', 'parse_spec']

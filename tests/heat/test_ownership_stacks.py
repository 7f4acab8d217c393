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

"""Real Heat: a stack never adopts, nor deletes, another team's objects.

Another team's project ``finance`` exists before the stack that declares
one of that name; the stack's create POST meets a 502 from a load
balancer that never forwarded it. Stock Heat fails at the 502; with the
plugins the retry meets Keystone's 409 and fails as stock Heat would on
that name. Either way the other team's project is neither adopted (so the
stack's delete cannot delete it) nor touched.
"""

import pytest

from heat_retry_plugins import session
from tests.unit.fakecloud import helpers

PLUGINS = {
    ('DEFAULT', 'cloud_backend'): 'heat_retry_plugins.clients.RetryingClients',
    ('clients', 'retry_initial_delay'): 0.01,
    ('clients', 'retry_max_delay'): 0.05,
}
TEMPLATE = {
    'heat_template_version': '2021-04-16',
    'resources': {'project': {'type': 'OS::Keystone::Project',
                              'properties': {'name': 'finance',
                                             'domain': 'default'}}}}


@pytest.mark.parametrize('overrides', [None, PLUGINS],
                         ids=['stock', 'plugins'])
def test_another_teams_project_survives_a_stack_of_the_same_name(
        heat, cloud, overrides):
    keystone = helpers.keystone(helpers.make_session(cloud))
    with cloud.state.preexisting():
        theirs = keystone.projects.create('finance', 'default',
                                          description='the other team')
    session.reset_process_state()
    cloud.set_faults([{'service': 'identity', 'method': 'POST',
                       'path': '^/projects$', 'first': 1,
                       'fault': {'status': 502}}])
    result = heat.run_stack(cloud, TEMPLATE, config_overrides=overrides,
                            timeout=120)
    assert result.create_status == 'CREATE_FAILED'
    if overrides:
        assert '409' in result.create_reason or 'Conflict' in \
            result.create_reason
    assert result.delete_status == 'DELETE_COMPLETE'
    kept = keystone.projects.get(theirs.id)
    assert (kept.name, kept.description) == ('finance', 'the other team')
    assert not hasattr(kept, 'heat_retry_token')
    assert cloud.state.seeded_summary()['preexisting_deleted_total'] == 0
    assert result.counters['live'].get('project', 0) == 0

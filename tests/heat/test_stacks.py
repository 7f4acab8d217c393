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

"""Stacks of keypairs, servers and Keystone projects and users, no faults.

The convergence engine, as Heat runs by default; the legacy engine's own
class at the end.
"""

import threading

from heat_retry_plugins.heatrun import stagger
from heat_retry_plugins.heatrun import templates
from tests.unit.fakecloud import helpers


def max_in_progress(events, action):
    """The most resources that were in ``action`` at once, by event order."""
    running, most = set(), 0
    for event in events:
        if event.action != action:
            continue
        if event.status == 'IN_PROGRESS':
            running.add(event.resource)
        else:
            running.discard(event.resource)
        most = max(most, len(running))
    return most


def assert_keypairs_created_and_deleted(heat, cloud, public_key, progress):
    result = heat.run_stack(cloud, templates.keypairs(10, public_key),
                            name='kp10', delete=False, progress=progress)

    assert result.create_status == 'CREATE_COMPLETE', result.create_reason
    assert not result.validation_failed
    assert (result.resources_total, result.resources_complete) == (10, 10)
    assert set(result.resource_states.values()) == {'CREATE_COMPLETE'}
    assert len(cloud.objects('keypair')) == 10
    assert sorted(kp['name'] for kp in cloud.objects('keypair')) == sorted(
        'heatrun-kp-%d' % i for i in range(10))
    assert progress.counts('CREATE_COMPLETE') == list(range(1, 11))
    assert {call[2] for call in progress.calls} == {10}
    assert result.delete_status is None

    heat.delete_stack(cloud, result, progress=progress)

    assert result.delete_status == 'DELETE_COMPLETE', result.delete_reason
    assert cloud.objects('keypair') == []
    assert progress.counts('DELETE_COMPLETE') == list(range(1, 11))
    # The progress hook runs in the caller's thread on either engine.
    assert progress.threads == {threading.current_thread()}
    labels = [event.label for event in result.events]
    assert len(labels) == 40 and len(set(labels)) == 40
    requests = result.counters['requests']
    assert requests['compute POST /os-keypairs'] == {'201': 10}
    assert requests['compute DELETE /os-keypairs/{name}'] == {'204': 10}
    assert result.counters['faults_total'] == 0
    return result


def test_keypairs_create_and_delete(heat, cloud, public_key, progress):
    result = assert_keypairs_created_and_deleted(heat, cloud, public_key,
                                                 progress)
    assert result.engine == 'convergence'


def test_every_worker_authenticates_and_discovers_nova_again(heat, cloud,
                                                             public_key):
    result = heat.run_stack(cloud, templates.keypairs(6, public_key),
                            delete=False)

    # Each check_resource message builds a new request context: one token
    # and one compute version discovery per resource, plus the token of
    # the create_stack call itself.
    requests = result.create_counters['requests']
    assert requests['identity POST /auth/tokens'] == {'201': 7}
    assert requests['compute GET /v2.1'] == {'200': 6}
    assert requests['compute POST /os-keypairs'] == {'201': 6}


def test_workers_create_resources_in_parallel(heat, cloud):
    cloud.server_build_seconds = 0.5
    result = heat.run_stack(cloud, templates.servers(4))

    assert result.create_complete and result.delete_complete, (
        result.summary())
    assert max_in_progress(result.events, 'CREATE') > 1


def test_heat_staggers_independent_resources_by_a_second(prepared, cloud,
                                                         public_key):
    heat = prepared(stagger=True)
    seen = set()

    result = heat.run_stack(
        cloud, templates.keypairs(3, public_key),
        progress=lambda *call: seen.add(stagger.is_on()))

    assert result.create_complete and result.delete_complete, (
        result.summary())
    assert result.stagger and seen == {True}
    # Three leaves, a second after each cast: the last starts 2 s in.
    assert result.create_seconds >= 2.0
    assert result.delete_seconds >= 2.0


def test_stagger_off_replaces_heat_stack_sleep_for_the_run_only(
        heat, cloud, public_key):
    seen = set()

    result = heat.run_stack(
        cloud, templates.keypairs(3, public_key),
        progress=lambda *call: seen.add(stagger.is_on()))

    assert result.create_complete and not result.stagger
    assert seen == {False}
    assert stagger.is_on()


def test_servers_become_active(heat, cloud, progress):
    cloud.server_build_seconds = 0.2
    result = heat.run_stack(cloud, templates.servers(3), name='srv3',
                            delete=False, progress=progress)

    assert result.create_status == 'CREATE_COMPLETE', result.create_reason
    assert result.resources_complete == 3
    nova = helpers.nova(helpers.make_session(cloud))
    listed = nova.servers.list()
    assert sorted(s.name for s in listed) == [
        'heatrun-server-0', 'heatrun-server-1', 'heatrun-server-2']
    assert {s.status for s in listed} == {'ACTIVE'}
    # Heat polled each server until ACTIVE and never asked Neutron.
    requests = result.create_counters['requests']
    assert requests['compute POST /servers'] == {'202': 3}
    assert sum(requests['compute GET /servers/{id}'].values()) >= 3
    assert not any(route.startswith('network ') for route in requests)

    heat.delete_stack(cloud, result)

    assert result.delete_status == 'DELETE_COMPLETE', result.delete_reason
    assert cloud.objects('server') == []
    assert nova.servers.list() == []


def test_keystone_projects_and_users(heat, cloud, progress):
    result = heat.run_stack(cloud, templates.keystone(2), name='ks2',
                            delete=False, progress=progress)

    assert result.create_status == 'CREATE_COMPLETE', result.create_reason
    assert (result.resources_total, result.resources_complete) == (4, 4)
    projects = {p['name']: p for p in cloud.objects('project')}
    users = {u['name']: u for u in cloud.objects('user')}
    assert sorted(projects) == ['heatrun-project-0', 'heatrun-project-1']
    assert sorted(users) == ['heatrun-user-0', 'heatrun-user-1']
    for i in range(2):
        assert (users['heatrun-user-%d' % i]['default_project_id']
                == projects['heatrun-project-%d' % i]['id'])
    # A user depends on its project: it completes after it.
    created = progress.events('CREATE_COMPLETE')
    for i in range(2):
        assert (created.index('project%d CREATE_COMPLETE' % i)
                < created.index('user%d CREATE_COMPLETE' % i))

    heat.delete_stack(cloud, result, progress=progress)

    assert result.delete_status == 'DELETE_COMPLETE', result.delete_reason
    assert cloud.objects('project') == []
    assert cloud.objects('user') == []
    deleted = progress.events('DELETE_COMPLETE')
    for i in range(2):
        assert (deleted.index('user%d DELETE_COMPLETE' % i)
                < deleted.index('project%d DELETE_COMPLETE' % i))


def test_run_stack_deletes_by_default(heat, cloud, public_key):
    result = heat.run_stack(cloud, templates.keypairs(2, public_key))

    assert result.create_complete and result.delete_complete
    assert result.create_counters['live']['keypair'] == 2
    assert result.counters['live']['keypair'] == 0
    assert result.create_seconds > 0 and result.delete_seconds > 0
    assert result.summary().startswith('demo: CREATE_COMPLETE 2/2 in ')


def test_empty_stack(heat, cloud):
    result = heat.run_stack(cloud, templates.keypairs(0, 'unused'))

    assert result.create_status == 'CREATE_COMPLETE', result.create_reason
    assert result.delete_status == 'DELETE_COMPLETE', result.delete_reason
    assert result.resources_total == 0


class TestLegacyEngine:
    """The deprecated legacy engine: the same runs, one thread a stack."""

    def test_keypairs_create_and_delete(self, legacy_heat, cloud,
                                        public_key, progress):
        result = assert_keypairs_created_and_deleted(
            legacy_heat, cloud, public_key, progress)
        assert result.engine == 'legacy'
        # One token and one version discovery for the whole create.
        requests = result.create_counters['requests']
        assert requests['identity POST /auth/tokens'] == {'201': 1}
        assert requests['compute GET /v2.1'] == {'200': 1}

    def test_empty_stack(self, legacy_heat, cloud):
        result = legacy_heat.run_stack(cloud, templates.keypairs(0, 'x'))

        assert result.create_status == 'CREATE_COMPLETE'
        assert result.delete_status == 'DELETE_COMPLETE'

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

"""Stock Heat (no retry plugins) against a 503: the stack fails."""

import re
import threading

from heat.engine import stack as stack_mod

from heat_retry_plugins.heatrun import templates

UNAVAILABLE = re.compile(r'503|Service Unavailable', re.IGNORECASE)


def first_503(method, path):
    return [{'service': 'compute', 'method': method, 'path': path,
             'first': 1, 'fault': {'status': 503}}]


def assert_503_fails_the_stack(result, progress, cloud):
    assert result.create_status == 'CREATE_FAILED'
    assert not result.validation_failed
    assert UNAVAILABLE.search(result.create_reason), result.create_reason
    assert result.resources_complete < 5
    assert 'CREATE_FAILED' in result.resource_states.values()
    # No retry: the 503 is the only fault and was answered once.
    posts = result.counters['requests']['compute POST /os-keypairs']
    assert posts['503'] == 1
    assert result.counters['faults'] == {'503': 1}
    assert len(progress.events('CREATE_FAILED')) == 1
    # The failed stack is still deleted, and nothing is left behind.
    assert result.delete_status == 'DELETE_COMPLETE', result.delete_reason
    assert cloud.objects('keypair') == []
    return posts


def test_503_on_keypair_create_fails_the_stack(heat, cloud, public_key,
                                               progress):
    cloud.set_faults(first_503('POST', '^/os-keypairs$'))

    result = heat.run_stack(cloud, templates.keypairs(5, public_key),
                            progress=progress)

    posts = assert_503_fails_the_stack(result, progress, cloud)
    # Convergence does not cancel the other workers: they may go on
    # creating their keypairs (and the delete removes them).
    assert sum(posts.values()) <= 5
    assert len(progress.events('DELETE_COMPLETE')) >= posts.get('201', 0)


def test_a_delete_sent_as_the_create_fails_is_not_dropped(
        heat, cloud, public_key, monkeypatch):
    # Heat's Stack.mark_failed() writes CREATE_FAILED, then purge_db()
    # stores the row with an empty traversal. A delete that loaded the
    # stack in between is dropped (its converge_stack() expects the
    # traversal it loaded) and the stack stays CREATE_FAILED. heatrun sent
    # the delete on reading CREATE_FAILED, and now and then waited for it
    # until its deadline (a CI run of the keypairs demo did). Here Heat is
    # made to take that order every time: the purge waits for a delete to
    # have loaded the stack (`window` seconds at most: with the fix, none
    # comes before the purge), and that delete waits for the purge.
    window = 2.0
    loaded, purged = threading.Event(), threading.Event()
    purge_db, converge_stack = (stack_mod.Stack.purge_db,
                                stack_mod.Stack.converge_stack)

    def purge_late(self):
        failed_create = (self.action, self.status) == (self.CREATE,
                                                       self.FAILED)
        if failed_create:
            loaded.wait(window)
        try:
            return purge_db(self)
        finally:
            if failed_create:
                purged.set()

    def converge_after_the_purge(self, *args, **kwargs):
        if kwargs.get('action') == self.DELETE:
            loaded.set()
            purged.wait(window)
        return converge_stack(self, *args, **kwargs)

    monkeypatch.setattr(stack_mod.Stack, 'purge_db', purge_late)
    monkeypatch.setattr(stack_mod.Stack, 'converge_stack',
                        converge_after_the_purge)
    cloud.set_faults(first_503('POST', '^/os-keypairs$'))

    result = heat.run_stack(cloud, templates.keypairs(1, public_key),
                            timeout=60)

    assert result.create_status == 'CREATE_FAILED'
    assert purged.is_set() and loaded.is_set()
    assert result.delete_status == 'DELETE_COMPLETE', result.delete_reason


def test_legacy_engine_cancels_the_rest_on_a_503(legacy_heat, cloud,
                                                 public_key, progress):
    cloud.set_faults(first_503('POST', '^/os-keypairs$'))

    result = legacy_heat.run_stack(cloud, templates.keypairs(5, public_key),
                                   progress=progress)

    posts = assert_503_fails_the_stack(result, progress, cloud)
    # The first POST failed; the legacy engine cancelled the others.
    assert posts == {'503': 1}


def test_503_on_flavor_lookup_fails_validation(heat, cloud):
    cloud.set_faults(first_503('GET', '^/flavors'))

    result = heat.run_stack(cloud, templates.servers(2))

    # Heat looks the flavor up while validating the stack: heat-api would
    # answer 400 and store nothing.
    assert result.create_status == 'CREATE_FAILED'
    assert result.validation_failed
    assert result.create_reason.startswith(
        'Validation failed: StackValidationFailed: ')
    assert UNAVAILABLE.search(result.create_reason), result.create_reason
    # The message only, as heat-api shows it: no remote traceback.
    assert 'Traceback' not in result.create_reason
    assert result.stack_id is None
    assert result.delete_status is None
    assert result.counters['faults'] == {'503': 1}
    assert result.counters['created']['server'] == 0
    assert 'compute POST /servers' not in result.counters['requests']

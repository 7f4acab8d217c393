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

"""A retry never adopts, deletes or duplicates what is not its own.

Hostile cases over real HTTP: another team's same-named project, user,
keypair or server made before the call (with a client of its own, so it
carries no ownership token); creates that land after their error (a load
balancer's 504, a read timeout); the seed example's three ways of calling
``servers.create``; and the marker turned off (Nova, Cinder, Neutron).
"""

import contextlib
import json

from cinderclient import exceptions as cinder_exceptions
import greenlet
from keystoneauth1 import exceptions as ks_exceptions
from novaclient import exceptions as nova_exceptions
import pytest

from heat_retry_plugins.fakecloud import CIRROS_IMAGE_ID
from heat_retry_plugins.fakecloud import keys
from tests.functional.conftest import AMBIGUOUS
from tests.functional.conftest import fault
from tests.functional.conftest import lands_late
from tests.functional.conftest import LATE_KINDS
from tests.functional.conftest import MARKER
from tests.functional.conftest import requests_to
from tests.functional.conftest import sent
from tests import heat_support
from tests.unit.fakecloud import helpers

POST_PROJECTS = 'identity POST /projects'


@pytest.fixture
def other_team(cloud):
    """Clients of another team: what they make carries no token."""
    session = helpers.make_session(cloud)

    class Team:
        nova = helpers.nova(session, '2.37')
        keystone = helpers.keystone(session)

        @staticmethod
        @contextlib.contextmanager
        def owns():
            with cloud.state.preexisting():
                yield
            cloud.reset_counters()
    return Team


def never_processed(path, service='identity', status=502):
    """A 502 from a load balancer that never forwarded the request."""
    return fault(path, 'POST', {'status': status}, service=service)


# -- another team's same-named objects ----------------------------------------

def test_another_teams_project_is_never_adopted_nor_deleted(
        keystone_plugin, cloud, other_team):
    with other_team.owns():
        theirs = other_team.keystone.projects.create('finance', 'default')
    cloud.set_faults(never_processed('^/projects$'))
    client = keystone_plugin.client().client
    with pytest.raises(ks_exceptions.Conflict):
        client.projects.create('finance', 'default')
    # What stock Heat would have met (a 409), and theirs untouched.
    assert requests_to(cloud, POST_PROJECTS) == {'502': 1, '409': 1}
    kept = other_team.keystone.projects.get(theirs.id)
    assert kept.name == 'finance' and not hasattr(kept, MARKER)
    assert cloud.state.seeded_summary()['preexisting_deleted_total'] == 0


def test_another_teams_user_is_never_adopted_nor_deleted(
        keystone_plugin, cloud, other_team):
    with other_team.owns():
        theirs = other_team.keystone.users.create('deploy',
                                                  domain='default')
    cloud.set_faults(never_processed('^/users$'))
    with pytest.raises(ks_exceptions.Conflict):
        keystone_plugin.client().client.users.create('deploy',
                                                     domain='default')
    assert other_team.keystone.users.get(theirs.id).name == 'deploy'
    assert cloud.state.seeded_summary()['preexisting_deleted_total'] == 0


def test_a_user_of_the_name_in_another_domain_is_not_ours(
        keystone_plugin, cloud, other_team):
    with other_team.owns():
        domain = other_team.keystone.domains.create('elsewhere')
        theirs = other_team.keystone.users.create('deploy', domain=domain)
    cloud.set_faults(never_processed('^/users$'))
    # No domain: Keystone puts it in the token's domain, not theirs.
    made = keystone_plugin.client().client.users.create('deploy')
    assert made.id != theirs.id and made.domain_id == 'default'
    assert getattr(made, MARKER)
    assert other_team.keystone.users.get(theirs.id).domain_id == domain.id
    assert cloud.state.seeded_summary()['preexisting_deleted_total'] == 0


@pytest.mark.parametrize('same_key', [True, False])
def test_another_teams_keypair_is_never_adopted_nor_deleted(
        nova_plugin, cloud, other_team, same_key):
    public_key = keys.generate()[1]
    with other_team.owns():
        theirs = other_team.nova.keypairs.create('deployer',
                                                 public_key=public_key)
    cloud.set_faults(never_processed('^/os-keypairs$', 'compute'))
    ours = public_key if same_key else keys.generate()[1]
    with pytest.raises(nova_exceptions.Conflict):
        nova_plugin.client().keypairs.create('deployer', public_key=ours)
    held = other_team.nova.keypairs.get('deployer')
    assert held.public_key == theirs.public_key == public_key
    assert cloud.state.seeded_summary()['preexisting_deleted_total'] == 0


def test_a_keypair_carries_its_token_in_the_public_key_comment(
        nova_plugin, cloud):
    public_key = keys.generate()[1]
    made = nova_plugin.client().keypairs.create('mine',
                                                public_key=public_key)
    assert made.public_key.startswith(public_key.strip() + ' ')
    assert made.public_key.split()[-1].startswith(MARKER + '=')
    # The key itself is the same key: the fingerprint does not change.
    assert made.fingerprint == keys.fingerprint(public_key)


# -- creates that land late ---------------------------------------------------

#: Every fault after which a create may have been processed, late or not.
AMBIGUOUS_KINDS = sorted(AMBIGUOUS + list(LATE_KINDS))


def boot(plugin, context, how, name):
    client = plugin.client()
    args = (name, CIRROS_IMAGE_ID, '1')
    if how == 'call_with_retry':
        return plugin.call_with_retry(client.servers.create, *args,
                                      nics='none')
    if how == 'policy_default':
        return plugin.call_with_retry_policy(
            'default', client.servers.create, *args, nics='none')
    if how == 'policy_create':
        return plugin.call_with_retry_policy(
            'create', client.servers.create, *args, nics='none')
    # Stock Heat's own call: its Nova plugin, on the context's session.
    return context.clients.client('nova').servers.create(*args,
                                                         nics='none')


@pytest.fixture
def backend(heat_conf, cloud, context):
    """A Heat context made once cloud_backend names RetryingClients.

    NOTE: a context makes its clients once, from the cloud_backend of that
    moment; ``context`` has made them (``nova_plugin`` is on them), so the
    seed example's stock call gets a context of its own, on which no retry
    plugin was made: only cloud_backend puts the request layer under it.
    """
    heat_conf.set(cloud_backend='heat_retry_plugins.clients.RetryingClients')
    return heat_support.heat_context(cloud, heat_conf)


@pytest.mark.parametrize('how', ['call_with_retry', 'policy_default',
                                 'policy_create', 'bare'])
@pytest.mark.parametrize('kind', AMBIGUOUS_KINDS)
def test_the_seed_example_makes_exactly_one_server(
        nova_plugin, cloud, context, backend, how, kind):
    calling = backend if how == 'bare' else context
    spec = lands_late(calling, kind) if kind in LATE_KINDS else {
        'kind': kind}
    cloud.set_faults(fault('^/servers$', 'POST', spec))
    made = boot(nova_plugin, backend, how, 'web-1')
    if kind in LATE_KINDS:
        # The lost create lands after the call returned ...
        helpers.poll(lambda: len(cloud.objects('server')) == 2)
        # ... and the next request that names the server sweeps it.
        assert nova_plugin.client().servers.get(made.id).id == made.id
    held = cloud.objects('server')
    assert [s['id'] for s in held] == [made.id]
    assert held[0]['metadata'][MARKER]


def test_a_late_duplicate_is_swept_even_if_nothing_names_the_server(
        nova_plugin, cloud, context):
    # No request names the server after the call: the background sweep
    # a second after the call finds the duplicate once it landed.
    cloud.set_faults(fault('^/servers$', 'POST',
                           LATE_KINDS['slow_create']))
    made = boot(nova_plugin, context, 'bare', 'web-1')
    # It lands 0.3 s after the call's first attempt; the sweep, 1 s after
    # the call.
    helpers.poll(lambda: len(cloud.objects('server')) == 2)
    helpers.poll(lambda: [s['id'] for s in cloud.objects('server')] ==
                 [made.id], deadline=15.0)


def boot_late_with_a_failed_sweep_lookup(nova_plugin, cloud, context):
    """Boot ``web-1`` whose first POST lands late; the sweep's look fails.

    The call's own lookup is the first GET of the list, the sweep's the
    second: that one gets a 503, once.
    """
    cloud.set_faults(
        fault('^/servers$', 'POST', LATE_KINDS['slow_create']) +
        fault('^/servers/detail$', 'GET', {'status': 503}, every=2,
              max_faults=1))
    return boot(nova_plugin, context, 'bare', 'web-1')


def test_a_sweep_whose_lookup_meets_a_503_retries_it(
        nova_plugin, cloud, context, caplog):
    # The background sweep's look fails once, and is retried at once
    # rather than left to the next sweep.
    made = boot_late_with_a_failed_sweep_lookup(nova_plugin, cloud, context)
    helpers.poll(lambda: cloud.counters()['created'].get('server') == 2)
    # NOTE: the line is written once the DELETE was answered.
    helpers.poll(lambda: 'Deleted the duplicate nova server web-1' in
                 caplog.text, deadline=15.0)
    assert [s['id'] for s in cloud.objects('server')] == [made.id]
    assert requests_to(cloud, 'compute GET /servers/detail') == {
        '200': 2, '503': 1}
    assert 'Could not sweep' not in caplog.text


def test_a_request_that_names_the_server_retries_its_sweep(
        nova_plugin, cloud, context, caplog):
    # As above, for the sweep that the GET of the server sends before it
    # (the background one comes half a second after the call).
    made = boot_late_with_a_failed_sweep_lookup(nova_plugin, cloud, context)
    helpers.poll(lambda: len(cloud.objects('server')) == 2)
    nova_plugin.client().servers.get(made.id)
    assert [s['id'] for s in cloud.objects('server')] == [made.id]
    assert 'Could not sweep' not in caplog.text


def assert_the_orphan_server_is_swept(cloud, caplog, other_team, theirs):
    """Our late ``web-1`` lands, and the background sweep deletes it."""
    helpers.poll(lambda: cloud.counters()['created'].get('server') == 1)
    helpers.poll(lambda: cloud.objects('server') == [], deadline=15.0)
    # NOTE: the line is written once the DELETE was answered, a moment
    # after the cloud dropped the server.
    helpers.poll(lambda: 'Deleted the orphan nova server web-1' in
                 caplog.text)
    assert other_team.nova.servers.get(theirs.id).name == 'web-1'
    assert cloud.state.seeded_summary()['preexisting_deleted_total'] == 0


def test_a_create_that_gave_up_leaves_no_orphan(nova_plugin, cloud, context,
                                                heat_conf, other_team,
                                                caplog):
    # The first POST lands late and every lookup after it fails: the call
    # gives up with no id to return. Its server lands all the same and is
    # nobody's; the background sweep deletes it, never theirs.
    heat_conf.set(group='clients', retry_initial_delay=0.05)
    with other_team.owns():
        theirs = other_team.nova.servers.create('web-1', CIRROS_IMAGE_ID,
                                                '1', nics='none')
    cloud.set_faults(
        fault('^/servers$', 'POST', LATE_KINDS['slow_create']) +
        fault('^/servers/detail$', 'GET', {'status': 503}, first=4))
    with pytest.raises(nova_exceptions.ClientException):
        boot(nova_plugin, context, 'bare', 'web-1')
    assert_the_orphan_server_is_swept(cloud, caplog, other_team, theirs)


def test_a_create_killed_in_its_backoff_leaves_no_orphan(
        nova_plugin, cloud, context, sleeps, other_team, caplog):
    # The first POST is answered 504 and lands late, so the lookup finds
    # nothing and the call backs off to send it again; the greenthread is
    # killed in that backoff (heat-engine cancelling the resource, or
    # stopping). GreenletExit ends the call, Heat records no id, and the
    # server that lands is nobody's: the background sweep deletes it,
    # never theirs.
    with other_team.owns():
        theirs = other_team.nova.servers.create('web-1', CIRROS_IMAGE_ID,
                                                '1', nics='none')
    cloud.set_faults(fault('^/servers$', 'POST', LATE_KINDS['slow_create']))

    def killed():
        sleeps.on_sleep = None
        raise greenlet.GreenletExit()
    sleeps.on_sleep = killed
    with pytest.raises(greenlet.GreenletExit):
        boot(nova_plugin, context, 'bare', 'web-1')
    assert sent(cloud, 'compute POST /servers') == 1
    assert_the_orphan_server_is_swept(cloud, caplog, other_team, theirs)


def test_a_project_create_that_gave_up_leaves_no_orphan(
        keystone_plugin, cloud, heat_conf, other_team, caplog):
    # Names are unique: an orphan ``finance`` would make the next create
    # of it fail with a 409. Theirs, in another domain, stays.
    heat_conf.set(group='clients', retry_initial_delay=0.05)
    with other_team.owns():
        elsewhere = other_team.keystone.domains.create('elsewhere')
        theirs = other_team.keystone.projects.create('finance', elsewhere)
    cloud.set_faults(
        fault('^/projects$', 'POST', LATE_KINDS['slow_create'],
              service='identity') +
        fault('^/projects$', 'GET', {'status': 503}, service='identity',
              first=4))
    client = keystone_plugin.client().client
    with pytest.raises(ks_exceptions.GatewayTimeout):
        client.projects.create('finance', 'default')
    helpers.poll(lambda: cloud.counters()['created'].get('project') == 1)
    helpers.poll(lambda: 'Deleted the orphan keystone project finance' in
                 caplog.text, deadline=15.0)
    assert cloud.objects('project') == []
    assert client.projects.create('finance', 'default').name == 'finance'
    assert other_team.keystone.projects.get(theirs.id).name == 'finance'
    assert cloud.state.seeded_summary()['preexisting_deleted_total'] == 0


def test_a_late_duplicate_is_swept_by_the_delete(nova_plugin, cloud,
                                                 context):
    cloud.set_faults(fault('^/servers$', 'POST',
                           LATE_KINDS['slow_create']))
    made = boot(nova_plugin, context, 'bare', 'web-1')
    helpers.poll(lambda: len(cloud.objects('server')) == 2)
    nova_plugin.client().servers.delete(made.id)
    helpers.poll(lambda: cloud.objects('server') == [])


def test_a_sweep_never_touches_a_same_named_server_of_another_team(
        nova_plugin, cloud, context, other_team):
    with other_team.owns():
        theirs = other_team.nova.servers.create('web-1', CIRROS_IMAGE_ID,
                                                '1', nics='none')
    cloud.set_faults(fault('^/servers$', 'POST',
                           LATE_KINDS['slow_create']))
    made = boot(nova_plugin, context, 'bare', 'web-1')
    helpers.poll(lambda: len(cloud.objects('server')) == 2)
    nova_plugin.client().servers.get(made.id)
    assert sorted(s['id'] for s in cloud.objects('server')) == [made.id]
    assert other_team.nova.servers.get(theirs.id).name == 'web-1'
    assert cloud.state.seeded_summary()['preexisting_deleted_total'] == 0


# -- the marker, turned off ---------------------------------------------------

@pytest.mark.parametrize('plugin, catalog, collection, kind, create, error', [
    ('nova', 'compute', 'servers', 'ambiguous_500',
     lambda c: c.servers.create('web-1', CIRROS_IMAGE_ID, '1', nics='none'),
     nova_exceptions.ClientException),
    ('cinder', 'volumev3', 'volumes', 'ambiguous_504',
     lambda c: c.volumes.create(1, name='data'),
     cinder_exceptions.ClientException),
    ('neutron', 'network', 'networks', 'drop_after',
     lambda c: c.create_network({'network': {'name': 'net'}}),
     ks_exceptions.ConnectFailure),
], ids=['nova', 'cinder', 'neutron'])
def test_without_the_marker_an_ambiguous_create_is_sent_once(
        retry_plugin, cloud, heat_conf, plugin, catalog, collection, kind,
        create, error):
    heat_conf.set(group='clients_' + plugin, retry_ownership_marker=False)
    cloud.set_faults(fault('^/%s$' % collection, 'POST', {'kind': kind},
                           service=catalog))
    with pytest.raises(error):
        create(retry_plugin(plugin).client())
    (held,) = cloud.objects(collection[:-1])
    assert MARKER not in json.dumps(held)
    assert requests_to(cloud, '%s POST /%s' % (catalog, collection)) == {
        'dropped' if kind == 'drop_after' else kind[-3:]: 1}


def test_without_the_marker_an_unprocessed_create_is_still_retried(
        nova_plugin, cloud, heat_conf):
    heat_conf.set(group='clients_nova', retry_ownership_marker=False)
    cloud.set_faults(fault('^/servers$', 'POST', {'status': 503}))
    made = nova_plugin.client().servers.create('web-1', CIRROS_IMAGE_ID,
                                               '1', nics='none')
    assert [s['id'] for s in cloud.objects('server')] == [made.id]
    assert requests_to(cloud, 'compute POST /servers') == {'503': 1,
                                                           '202': 1}

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

"""Late duplicates are swept, whatever a hostile cloud answers the sweep.

Over real HTTP, with novaclient, cinderclient and neutronclient against the
fake cloud: a create's first attempt answers 504 and lands later
(``slow_create``), the resend makes the resource the call returns, and the
sweeps of :mod:`heat_retry_plugins.session.sweeps` must delete the late
one, and only it: a Cinder volume still ``creating``, a Neutron port, two
calls of one name, a DELETE that meets a 503 or a 409, a lookup that meets
a 404 or an open circuit breaker, same-named servers and networks that
nearly carry the token, a duplicate that lands after the kept resource was
deleted (an orphan, swept in the background). The retry
loops' sleeps are recorded, not slept; the background sweeps come at their
real delays (0.5 and 2 s after the call).
"""

import threading

import pytest

from heat_retry_plugins.fakecloud import CIRROS_IMAGE_ID
from heat_retry_plugins.session import sweeps
from tests.functional.conftest import fault
from tests.functional.conftest import MARKER
from tests.functional.conftest import requests_to
from tests.unit.fakecloud import helpers

#: Long enough for the background sweeps at 0.5, 2 and 10 s.
SWEPT_WITHIN = 15.0
#: A create that answers 504 at once and lands 0.3 s later.
LATE = {'kind': 'slow_create', 'seconds': 0.3}
#: A fault that changes nothing: it lets a rule pass a request through.
PASS = {'kind': 'slow', 'seconds': 0}

SERVER_DELETES = 'compute DELETE /servers/{id}'
SERVER_LISTS = 'compute GET /servers/detail'


@pytest.fixture
def thread_errors(monkeypatch):
    """The exceptions that escaped a thread (the sweeps') during the test."""
    raised = []
    monkeypatch.setattr(threading, 'excepthook', raised.append)
    return raised


@pytest.fixture
def requested_sweeps_only(monkeypatch):
    """No background sweep: only the requests that name a server sweep.

    The registry is the product's own class, built without its delays, so
    that a test decides when the sweep runs.
    """
    monkeypatch.setattr(sweeps, 'PENDING', sweeps.PendingSweeps(after=()))


def boot(nova, name='web-1'):
    return nova.servers.create(name, CIRROS_IMAGE_ID, '1', nics='none')


def ids(cloud, kind):
    return sorted(o['id'] for o in cloud.objects(kind))


def token_of(cloud, kind, resource_id):
    (held,) = [o for o in cloud.objects(kind) if o['id'] == resource_id]
    return held['metadata'][MARKER]


def only(cloud, kind, *kept):
    """A predicate: the cloud holds exactly ``kept`` of ``kind``."""
    return lambda: ids(cloud, kind) == sorted(kept)


def landed(cloud, kind='server', count=2):
    """Wait until ``count`` of ``kind`` were made, the late ones with them.

    NOTE: counted as made, not as held, so that a sweep that deletes the
    late one at once is not missed.
    """
    helpers.poll(lambda: cloud.counters()['created'].get(kind) == count)


def answered(cloud, route, status):
    """The outcomes of ``route``, once one answered ``status``.

    NOTE: the cloud counts a request after it served it: a sweep's delete
    is seen in the cloud's objects a moment before it is counted.
    """
    return helpers.poll(lambda: status in requests_to(cloud, route) and
                        requests_to(cloud, route))


def logged(caplog, text):
    """Wait until ``text`` is logged.

    NOTE: a sweep logs a delete once it is done: the cloud can hold only
    the kept resource a moment before the line is written.
    """
    helpers.poll(lambda: text in caplog.text)


# -- every kind that sweeps ---------------------------------------------------

def test_a_late_volume_still_creating_is_swept_once_available(
        cinder, cloud, caplog):
    # Volumes are `creating` for 1.5 s: the sweep that the GET of the kept
    # volume sends meets Cinder's 400; a background sweep deletes the
    # duplicate once it is available.
    cloud.services['volumev3'].build_seconds = 1.5
    cloud.set_faults(fault('/volumes$', 'POST', LATE, service='volumev3'))
    made = cinder.volumes.create(1, name='data')
    (duplicate,) = helpers.poll(lambda: [
        v for v in cloud.objects('volume') if v['id'] != made.id])
    assert duplicate['metadata'][MARKER] == token_of(cloud, 'volume',
                                                     made.id)
    # NOTE: the kept volume was made before the duplicate: still creating
    # after the sweep, so was the duplicate during it.
    assert cinder.volumes.get(made.id).status == 'creating'
    assert 'Could not sweep the duplicates of cinder volume %s' % made.id \
        in caplog.text
    helpers.poll(only(cloud, 'volume', made.id), deadline=SWEPT_WITHIN)
    deletes = answered(cloud, 'volumev3 DELETE /volumes/{id}', '202')
    assert deletes['202'] == 1 and deletes['400'] >= 1
    assert cinder.volumes.get(made.id).status == 'available'


def test_a_late_port_is_swept_without_a_request_naming_it(neutron, cloud):
    net = neutron.create_network({'network': {'name': 'net'}})['network']
    cloud.set_faults(fault('^/ports$', 'POST', LATE, service='network'))
    made = neutron.create_port({'port': {
        'name': 'web-port-1', 'network_id': net['id']}})['port']
    landed(cloud, 'port')
    helpers.poll(only(cloud, 'port', made['id']), deadline=SWEPT_WITHIN)
    assert ids(cloud, 'network') == [net['id']]


# -- what a sweep never deletes -----------------------------------------------

def test_two_calls_of_one_name_each_keep_their_own_server(nova, cloud,
                                                          caplog):
    # The first attempt of each call lands late; its resend passes.
    cloud.set_faults([
        {'service': 'compute', 'method': 'POST', 'path': '^/servers$',
         'every': 2, 'fault': PASS},
        {'service': 'compute', 'method': 'POST', 'path': '^/servers$',
         'fault': LATE}])
    first, second = boot(nova), boot(nova)
    landed(cloud, count=4)
    helpers.poll(only(cloud, 'server', first.id, second.id),
                 deadline=SWEPT_WITHIN)
    tokens = {token_of(cloud, 'server', s.id) for s in (first, second)}
    assert len(tokens) == 2
    for kept in (first.id, second.id):
        logged(caplog, '; kept %s' % kept)
        assert caplog.text.count('; kept %s' % kept) == 1


def test_a_sweep_never_deletes_a_server_that_nearly_carries_the_token(
        nova, cloud, requested_sweeps_only):
    cloud.set_faults(fault('^/servers$', 'POST', LATE))
    made = boot(nova)
    token = token_of(cloud, 'server', made.id)
    # NOTE: landed first: what is stored inside preexisting() is seeded.
    landed(cloud)
    with cloud.state.preexisting():
        near = [boot(nova, 'web-1') for _ in range(3)]
    for server, metadata in zip(near, [
            {MARKER: token + 'x'}, {'note': token},
            {MARKER.upper(): token}]):
        with cloud.state.lock:
            cloud.state.find('server', id=server.id)['metadata'] = metadata
    nova.servers.get(made.id)
    assert ids(cloud, 'server') == [made.id]
    assert sorted(nova.servers.get(s.id).id for s in near) == sorted(
        s.id for s in near)
    assert cloud.state.seeded_summary()['preexisting_deleted_total'] == 0


def test_a_sweep_never_deletes_a_network_whose_description_nearly_tags_it(
        neutron, cloud, requested_sweeps_only):
    cloud.set_faults(fault('^/networks$', 'POST', LATE, service='network'))
    made = neutron.create_network({'network': {'name': 'net'}})['network']
    (tag,) = made['description'].split()
    landed(cloud, 'network')
    with cloud.state.preexisting():
        near = [neutron.create_network({'network': {'name': 'net'}})[
            'network'] for _ in range(3)]
    for network, description in zip(near, [
            tag + 'x', 'x' + tag, tag.replace('=', ' ')]):
        with cloud.state.lock:
            cloud.state.find('network', id=network['id'])[
                'description'] = description
    neutron.show_network(made['id'])
    assert ids(cloud, 'network') == [made['id']]
    for network in near:
        assert neutron.show_network(network['id'])['network']['id']
    assert cloud.state.seeded_summary()['preexisting_deleted_total'] == 0


def test_a_duplicate_that_lands_after_the_kept_server_is_deleted_is_swept(
        nova, cloud, caplog):
    # The delete of the kept server ends what requests sweep; what lands
    # after it is an orphan, which the background sweeps still delete.
    cloud.set_faults(fault('^/servers$', 'POST',
                           {'kind': 'slow_create', 'seconds': 2.0}))
    made = boot(nova)
    nova.servers.delete(made.id)
    landed(cloud)
    helpers.poll(only(cloud, 'server'), deadline=SWEPT_WITHIN)
    logged(caplog, 'Deleted the orphan nova server web-1')
    assert made.id not in caplog.text.split('Deleted the orphan', 1)[1]


# -- what the sweep's requests meet -------------------------------------------

def test_a_sweep_whose_delete_meets_a_503_still_deletes_the_duplicate(
        nova, cloud, caplog):
    cloud.set_faults(fault('^/servers$', 'POST', LATE) +
                     fault('^/servers/[^/]+$', 'DELETE', {'status': 503}))
    made = boot(nova)
    landed(cloud)
    helpers.poll(only(cloud, 'server', made.id), deadline=SWEPT_WITHIN)
    assert answered(cloud, SERVER_DELETES, '204') == {'503': 1, '204': 1}
    logged(caplog, 'Deleted the duplicate nova server web-1')
    assert 'Could not sweep' not in caplog.text


def test_a_sweep_deletes_every_duplicate_though_one_delete_is_refused(
        nova, cloud, caplog, requested_sweeps_only):
    # Two lost attempts land late; Nova refuses the first delete (409: the
    # server is locked). The other duplicate is deleted all the same.
    cloud.set_faults(
        fault('^/servers$', 'POST', LATE, first=2) +
        fault('^/servers/[^/]+$', 'DELETE', {'status': 409}))
    made = boot(nova)
    landed(cloud, count=3)
    nova.servers.get(made.id)
    assert requests_to(cloud, SERVER_DELETES) == {'409': 1, '204': 1}
    assert len(cloud.objects('server')) == 2
    assert 'Could not sweep the duplicates of nova server %s' % made.id \
        in caplog.text
    nova.servers.get(made.id)
    assert ids(cloud, 'server') == [made.id]


def test_a_sweep_whose_lookup_meets_a_404_is_tried_again_later(
        nova, cloud, caplog):
    # The call's own lookup passes; the first sweep's meets a 404.
    cloud.set_faults(
        fault('^/servers$', 'POST', LATE) +
        fault('^/servers/detail$', 'GET', PASS) +
        fault('^/servers/detail$', 'GET', {'status': 404, 'body': 'html'},
              max_faults=2))
    made = boot(nova)
    landed(cloud)
    helpers.poll(only(cloud, 'server', made.id), deadline=SWEPT_WITHIN)
    assert requests_to(cloud, SERVER_LISTS)['404'] == 1
    assert 'Could not sweep the duplicates of nova server %s' % made.id \
        in caplog.text


def test_a_sweep_while_the_breaker_is_open_is_tried_again_once_it_closes(
        nova, cloud, heat_conf, caplog, thread_errors):
    # The first sweep's lookups meet 503s until Nova's breaker opens; the
    # next sweep, after the cool-down, is its probe and deletes.
    heat_conf.set(group='clients_nova', retry_breaker_threshold=3,
                  retry_breaker_cooldown=1.0)
    cloud.set_faults(
        fault('^/servers$', 'POST', LATE) +
        fault('^/servers/detail$', 'GET', PASS) +
        fault('^/servers/detail$', 'GET', {'status': 503}, max_faults=4))
    made = boot(nova)
    helpers.poll(lambda: 'Could not sweep the duplicates of nova server '
                 '%s' % made.id in caplog.text, deadline=SWEPT_WITHIN)
    landed(cloud)
    helpers.poll(only(cloud, 'server', made.id), deadline=SWEPT_WITHIN)
    assert requests_to(cloud, SERVER_LISTS)['503'] == 3
    assert 'circuit breaker open' in caplog.text
    logged(caplog, 'Deleted the duplicate nova server web-1')
    assert caplog.text.index('Could not sweep') < caplog.text.index(
        'Deleted the duplicate nova server web-1')
    assert thread_errors == []
    assert 'Traceback' not in caplog.text
    assert not any(record.exc_info for record in caplog.records)

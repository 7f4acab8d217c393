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

"""The verdicts of the real client libraries' exceptions, raised over HTTP.

Each fault is met once (retry_max_attempts = 1), and the exception the
real novaclient / keystoneclient / keystoneauth raised is classified by
the plugin that owns it.
"""

from heat.common import exception as heat_exception
import pytest

from heat_retry_plugins.retry import verdicts
from tests.functional.conftest import fault

V = verdicts.Verdict

CASES = [
    ({'status': 503}, V.TRANSIENT, 503),
    ({'status': 503, 'retry_after': 'http-date:+30'}, V.TRANSIENT, 503),
    ({'status': 429, 'retry_after': 5}, V.THROTTLED, 429),
    ({'status': 413, 'retry_after': 5}, V.THROTTLED, 413),
    ({'status': 500}, V.AMBIGUOUS, 500),
    ({'status': 502}, V.AMBIGUOUS, 502),
    ({'status': 504}, V.AMBIGUOUS, 504),
    ({'status': 400}, V.FATAL, 400),
    ({'status': 403}, V.FATAL, 403),
    ({'status': 409}, V.FATAL, 409),
    ({'kind': 'drop_before'}, V.AMBIGUOUS, None),
    ({'kind': 'drop_after'}, V.AMBIGUOUS, None),
]


def caught(call):
    try:
        call()
    except Exception as exc:
        return exc
    raise AssertionError('the call did not fail')


@pytest.fixture
def once(heat_conf):
    heat_conf.set(group='clients', retry_max_attempts=1)


@pytest.mark.parametrize('spec, verdict, status', CASES)
def test_novaclient_exceptions(nova_plugin, cloud, server, once, spec,
                               verdict, status):
    cloud.set_faults(fault('^/servers/[^/]+$', 'GET', spec))
    exc = caught(lambda: nova_plugin.client().servers.get(server.id))
    found = nova_plugin.classify(exc)
    assert (found.verdict, found.status) == (verdict, status), repr(exc)
    if status:
        assert found.request_id.startswith('req-')
    if 'retry_after' in spec and status != 503:
        # NOTE: novaclient keeps Retry-After for 413 and 429 only; the
        # request layer reads it from the response itself (below).
        assert found.retry_after == 5.0


@pytest.mark.parametrize('inside_a_call', [False, True])
def test_retry_after_of_a_503_is_read_from_the_response(
        nova_plugin, cloud, server, sleeps, heat_conf, inside_a_call):
    cloud.set_faults(fault('^/servers/[^/]+$', 'GET',
                           {'status': 503, 'retry_after': 7}))
    get = nova_plugin.client().servers.get
    if inside_a_call:
        assert nova_plugin.call_with_retry(get, server.id).id == server.id
    else:
        assert get(server.id).id == server.id
    # The backoff would have been 0.5 s; Retry-After asked for 7.
    assert sleeps.delays == [7.0]


@pytest.mark.parametrize('spec, verdict, status', CASES)
def test_keystoneclient_exceptions(keystone_plugin, cloud, once, spec,
                                   verdict, status):
    client = keystone_plugin.client().client
    cloud.set_faults(fault('^/projects/[^/]+$', 'GET', spec,
                           service='identity'))
    exc = caught(lambda: client.projects.get(cloud.project_id))
    found = keystone_plugin.classify(exc)
    assert (found.verdict, found.status) == (verdict, status), repr(exc)


def test_refused_connection_is_transient(nova_plugin, cloud, server, once):
    cloud.set_down('compute')
    exc = caught(lambda: nova_plugin.client().servers.get(server.id))
    cloud.set_up('compute')
    assert nova_plugin.classify(exc).verdict is V.TRANSIENT


def test_read_timeout_is_ambiguous(nova_plugin, cloud, server, once):
    nova_plugin.context.keystone_session.timeout = 0.2
    cloud.set_faults(fault('^/servers/[^/]+$', 'GET',
                           {'kind': 'slow', 'seconds': 1.0}))
    exc = caught(lambda: nova_plugin.client().servers.get(server.id))
    assert nova_plugin.classify(exc).verdict is V.AMBIGUOUS


def test_not_found_from_nova_and_from_heats_helpers(nova_plugin, cloud,
                                                    once):
    exc = caught(lambda: nova_plugin.client().servers.get('missing'))
    assert nova_plugin.classify(exc) == verdicts.Classification(
        V.FATAL, status=404, request_id=exc.request_id, not_found=True)
    exc = caught(lambda: nova_plugin.get_server('missing'))
    assert isinstance(exc, heat_exception.EntityNotFound)
    assert nova_plugin.classify(exc).not_found


def test_unauthorized_is_reauth(keystone_plugin, cloud, once):
    client = keystone_plugin.client().client
    cloud.set_faults(fault('^/projects/[^/]+$', 'GET', {'status': 401},
                           service='identity', first=2))
    exc = caught(lambda: client.projects.get(cloud.project_id))
    assert keystone_plugin.classify(exc).verdict is V.REAUTH


def test_bugs_are_fatal(nova_plugin):
    assert nova_plugin.classify(TypeError('x')) is verdicts.UNKNOWN

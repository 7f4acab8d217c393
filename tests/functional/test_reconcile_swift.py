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

"""Swift creates are PUTs: retried as idempotent, except a streamed object.

Through the ``swift_retry`` plugin's connection (swiftclient's own retry
loop off, every call under the engine), over real HTTP: a container PUT
after a 503, a dropped connection before or after it was processed, or an
ambiguous 5xx makes exactly one container; an object PUT of bytes is
retried likewise; an object PUT whose contents is a stream is sent once.
"""

import io

import pytest
import requests

from tests.functional.conftest import fault
from tests.functional.conftest import requests_to

PUT_CONTAINER = 'object-store PUT /{account}/{container}'
PUT_OBJECT = 'object-store PUT /{account}/{container}/{object}'


def containers(cloud):
    return [c['name'] for c in cloud.objects('container')]


#: failure -> (fault, its outcome, the container PUT's answer after it:
#: 202 when the lost PUT had made the container, as Swift answers).
RETRIED = {
    '503': ({'status': 503}, '503', '201'),
    'drop_before': ({'kind': 'drop_before'}, 'dropped', '201'),
    'drop_after': ({'kind': 'drop_after'}, 'dropped', '202'),
    'ambiguous_502': ({'kind': 'ambiguous_502'}, '502', '202'),
}


@pytest.mark.parametrize('failure', sorted(RETRIED))
def test_a_container_put_is_retried_and_makes_one_container(
        swift, cloud, sleeps, failure):
    spec, outcome, then = RETRIED[failure]
    cloud.set_faults(fault('^/AUTH_[^/]+/logs$', 'PUT', spec,
                           service='object-store'))
    swift.put_container('logs')
    assert requests_to(cloud, PUT_CONTAINER) == {outcome: 1, then: 1}
    assert containers(cloud) == ['logs']
    assert len(sleeps.delays) == 1


@pytest.mark.parametrize('failure', ['drop_after', 'ambiguous_502'])
def test_an_object_put_of_bytes_is_retried(swift, cloud, failure):
    spec, outcome, _ = RETRIED[failure]
    swift.put_container('logs')
    cloud.set_faults(fault('^/AUTH_[^/]+/logs/today$', 'PUT', spec,
                           service='object-store'))
    swift.put_object('logs', 'today', contents=b'line\n')
    assert requests_to(cloud, PUT_OBJECT) == {outcome: 1, '201': 1}
    assert swift.get_object('logs', 'today')[1] == b'line\n'


def test_a_streamed_object_put_is_sent_once(swift, cloud, sleeps):
    swift.put_container('logs')
    cloud.set_faults(fault('^/AUTH_[^/]+/logs/today$', 'PUT',
                           {'kind': 'drop_after'}, service='object-store'))
    with pytest.raises(requests.exceptions.ConnectionError):
        swift.put_object('logs', 'today', contents=io.BytesIO(b'line\n'))
    assert requests_to(cloud, PUT_OBJECT) == {'dropped': 1}
    assert sleeps.delays == []

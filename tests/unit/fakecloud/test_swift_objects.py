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

"""Swift objects: written, read, listed, deleted, and versioned."""

import pytest
import requests
from swiftclient import exceptions as swift_exc

from heat_retry_plugins.fakecloud import swift_objects
from tests.unit.fakecloud import helpers


def test_objects_are_written_read_listed_and_deleted(swift):
    swift.put_container('box')
    etag = swift.put_object('box', 'a/one.txt', b'hello',
                            headers={'X-Object-Meta-Kind': 'greeting'})
    swift.put_object('box', 'a/two', b'')
    swift.put_object('box', 'b', b'xyz')
    headers, body = swift.get_object('box', 'a/one.txt')
    assert (body, headers['etag'], headers['content-type']) == (
        b'hello', etag, 'text/plain')
    assert headers['x-object-meta-kind'] == 'greeting'
    assert swift.head_object('box', 'a/one.txt')['content-length'] == '5'
    container_headers, listing = swift.get_container('box')
    assert [o['name'] for o in listing] == ['a/one.txt', 'a/two', 'b']
    assert listing[0]['bytes'] == 5 and listing[0]['hash'] == etag
    assert container_headers['x-container-bytes-used'] == '8'
    assert [o['name'] for o in swift.get_container(
        'box', prefix='a/', marker='a/one.txt')[1]] == ['a/two']
    assert swift.get_container('box', delimiter='/')[1] == [
        {'subdir': 'a/'}, listing[2]]
    assert len(swift.get_container('box', limit=1)[1]) == 1
    swift.post_object('box', 'b', {'X-Object-Meta-New': 'yes'})
    assert swift.head_object('box', 'b')['x-object-meta-new'] == 'yes'
    swift.delete_object('box', 'b')
    with pytest.raises(swift_exc.ClientException) as info:
        swift.get_object('box', 'b')
    assert info.value.http_status == 404


def test_object_writes_check_the_container_and_the_etag(swift):
    with pytest.raises(swift_exc.ClientException) as info:
        swift.put_object('none', 'o', b'1')
    assert info.value.http_status == 404
    swift.put_container('box')
    with pytest.raises(swift_exc.ClientException) as info:
        swift.put_object('box', 'o', b'1', etag='0' * 32)
    assert info.value.http_status == 422


def test_versioned_signals_are_kept_and_restored_on_delete(swift):
    # What Heat's get_signal_url and _delete_swift_signal_url do.
    swift.put_container('stack', headers={'x-versions-location': 'stack'})
    swift.put_object('stack', 'wait', 'in progress')
    swift.put_object('stack', 'wait', '{"status": "SUCCESS"}')
    kept, current = [o['name'] for o in swift.get_container('stack')[1]]
    assert kept.startswith(swift_objects.version_prefix('wait'))
    assert current == 'wait'
    assert swift.get_object('stack', kept)[1] == b'in progress'
    # The first delete brings the kept version back ...
    swift.delete_object('stack', 'wait')
    assert [o['name'] for o in swift.get_container('stack')[1]] == ['wait']
    assert swift.get_object('stack', 'wait')[1] == b'in progress'
    # ... the second deletes the object for good.
    swift.delete_object('stack', 'wait')
    assert swift.head_container('stack')['x-container-object-count'] == '0'
    swift.delete_container('stack')


def test_drop_after_an_object_put_leaves_the_object(make_cloud):
    cloud = make_cloud(faults=[{
        'service': 'object-store', 'method': 'PUT', 'path': '/o$',
        'first': 1, 'fault': 'drop_after'}])
    swift = helpers.swift(cloud, helpers.make_session(cloud))
    swift.put_container('box')
    # NOTE: swiftclient talks HTTP through requests, not keystoneauth.
    with pytest.raises(requests.ConnectionError):
        swift.put_object('box', 'o', b'data')
    assert [o['name'] for o in cloud.objects('object')] == ['o']
    assert cloud.counters()['requests'][
        'object-store PUT /{account}/{container}/{object}'] == {
            'dropped': 1}

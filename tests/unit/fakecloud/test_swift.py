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

"""Swift v1 through python-swiftclient and TempURLs through requests."""

import time

from keystoneauth1.identity import v3
from keystoneauth1 import session as ks_session
import pytest
import requests
from swiftclient import client as swift_client
from swiftclient import exceptions as swift_exc
from swiftclient import utils as swift_utils

from heat_retry_plugins.fakecloud import swift_objects
from tests.unit.fakecloud import helpers


def storage_url(cloud, project_id=None):
    return '%s/v1/AUTH_%s' % (cloud.base_url('object-store'),
                              project_id or cloud.project_id)


def connect(cloud, session, **kwargs):
    """A Connection on a keystoneauth session, as Heat's plugin makes it."""
    return swift_client.Connection(
        session=session, retries=0,
        os_options={'object_storage_url': storage_url(cloud)}, **kwargs)


@pytest.fixture
def conn(cloud, session):
    return connect(cloud, session)


def test_the_catalog_points_at_the_projects_account(cloud, session):
    assert cloud.endpoint('object-store') == storage_url(cloud)
    conn = swift_client.Connection(session=session, retries=0)
    assert conn.head_account()['x-account-container-count'] == '0'


def test_preauthurl_and_preauthtoken_work(cloud, session):
    conn = swift_client.Connection(preauthurl=storage_url(cloud),
                                   preauthtoken=session.get_token(),
                                   retries=0)
    conn.put_container('pre')
    assert [c['name'] for c in conn.get_account()[1]] == ['pre']


def test_container_put_is_201_then_202_and_keeps_metadata(conn):
    first, second = {}, {}
    conn.put_container('box', headers={'X-Container-Meta-Color': 'red',
                                       'X-Container-Read': '.r:*'},
                       response_dict=first)
    conn.put_container('box', headers={'X-Container-Meta-Size': 'big'},
                       response_dict=second)
    assert (first['status'], second['status']) == (201, 202)
    headers = conn.head_container('box')
    assert headers['x-container-meta-color'] == 'red'
    assert headers['x-container-meta-size'] == 'big'
    assert headers['x-container-read'] == '.r:*'
    assert headers['x-container-object-count'] == '0'
    conn.post_container('box', {'X-Remove-Container-Meta-Color': 'x',
                                'X-Container-Meta-Size': ''})
    headers = conn.head_container('box')
    assert 'x-container-meta-color' not in headers
    assert 'x-container-meta-size' not in headers


def test_objects_are_written_read_listed_and_deleted(conn):
    conn.put_container('box')
    etag = conn.put_object('box', 'a/one.txt', b'hello',
                           headers={'X-Object-Meta-Kind': 'greeting'})
    conn.put_object('box', 'a/two', b'')
    conn.put_object('box', 'b', b'xyz')
    headers, body = conn.get_object('box', 'a/one.txt')
    assert (body, headers['etag'], headers['content-type']) == (
        b'hello', etag, 'text/plain')
    assert headers['x-object-meta-kind'] == 'greeting'
    assert conn.head_object('box', 'a/one.txt')['content-length'] == '5'
    container_headers, listing = conn.get_container('box')
    assert [o['name'] for o in listing] == ['a/one.txt', 'a/two', 'b']
    assert listing[0]['bytes'] == 5 and listing[0]['hash'] == etag
    assert container_headers['x-container-bytes-used'] == '8'
    assert [o['name'] for o in conn.get_container(
        'box', prefix='a/', marker='a/one.txt')[1]] == ['a/two']
    assert conn.get_container('box', delimiter='/')[1] == [
        {'subdir': 'a/'}, listing[2]]
    assert len(conn.get_container('box', limit=1)[1]) == 1
    conn.post_object('box', 'b', {'X-Object-Meta-New': 'yes'})
    assert conn.head_object('box', 'b')['x-object-meta-new'] == 'yes'
    conn.delete_object('box', 'b')
    with pytest.raises(swift_exc.ClientException) as info:
        conn.get_object('box', 'b')
    assert info.value.http_status == 404


def test_a_plain_listing_is_names_or_204(cloud, session):
    url = storage_url(cloud)
    headers = {'X-Auth-Token': session.get_token()}
    requests.put(url + '/box', headers=headers)
    assert requests.get(url + '/box', headers=headers).status_code == 204
    requests.put(url + '/box/x', data=b'1', headers=headers)
    plain = requests.get(url + '/box', headers=headers)
    assert (plain.status_code, plain.text) == (200, 'x\n')


def test_a_container_with_objects_is_not_deleted(conn):
    conn.put_container('full')
    conn.put_object('full', 'o', b'1')
    with pytest.raises(swift_exc.ClientException) as info:
        conn.delete_container('full')
    assert info.value.http_status == 409
    conn.delete_object('full', 'o')
    conn.delete_container('full')
    with pytest.raises(swift_exc.ClientException) as info:
        conn.head_container('full')
    assert info.value.http_status == 404


def test_object_writes_check_the_container_and_the_etag(conn):
    with pytest.raises(swift_exc.ClientException) as info:
        conn.put_object('none', 'o', b'1')
    assert info.value.http_status == 404
    conn.put_container('box')
    with pytest.raises(swift_exc.ClientException) as info:
        conn.put_object('box', 'o', b'1', etag='0' * 32)
    assert info.value.http_status == 422


def test_account_counts_metadata_and_listing(conn):
    conn.put_container('b1')
    conn.put_container('b2')
    conn.put_object('b1', 'o', b'1234')
    conn.post_account({'X-Account-Meta-Temp-Url-Key': 'secret'})
    headers, containers = conn.get_account()
    assert headers['x-account-container-count'] == '2'
    assert headers['x-account-object-count'] == '1'
    assert headers['x-account-bytes-used'] == '4'
    assert headers['x-account-meta-temp-url-key'] == 'secret'
    assert [(c['name'], c['count']) for c in containers] == [
        ('b1', 1), ('b2', 0)]


def test_tokens_are_checked_against_the_account(cloud, session):
    url = storage_url(cloud)
    assert requests.head(url).status_code == 401
    keystone = helpers.keystone(session)
    project = keystone.projects.create(name='other', domain='default')
    keystone.roles.grant(keystone.roles.list(name='member')[0],
                         user=cloud.user_id, project=project)
    theirs = ks_session.Session(auth=v3.Password(
        auth_url=cloud.auth_url, user_id=cloud.user_id,
        password=cloud.password, project_id=project.id))
    forbidden = requests.head(url, headers={
        'X-Auth-Token': theirs.get_token()})
    assert forbidden.status_code == 403
    assert requests.head(storage_url(cloud, project.id), headers={
        'X-Auth-Token': theirs.get_token()}).status_code == 204


def test_a_temp_url_signed_with_the_account_key_allows_its_method(
        cloud, conn):
    # What Heat's SwiftClientPlugin.get_temp_url does.
    conn.post_account({'x-account-meta-temp-url-key': 'k3y'})
    conn.put_container('signals')
    path = '/v1/AUTH_%s/signals/handle' % cloud.project_id
    base = cloud.base_url('object-store')
    put_url = base + swift_utils.generate_temp_url(path, 60, 'k3y', 'PUT')
    assert requests.put(put_url, data=b'{"ok": 1}').status_code == 201
    assert conn.get_object('signals', 'handle')[1] == b'{"ok": 1}'
    assert requests.head(put_url).status_code == 200
    assert requests.get(put_url).status_code == 401
    get_url = base + swift_utils.generate_temp_url(path, 60, 'k3y', 'GET',
                                                   digest='sha512')
    assert requests.get(get_url).content == b'{"ok": 1}'
    wrong = base + swift_utils.generate_temp_url(path, 60, 'nope', 'PUT')
    assert requests.put(wrong, data=b'x').status_code == 401
    expired = base + swift_utils.generate_temp_url(
        path, int(time.time()) - 1, 'k3y', 'PUT', absolute=True)
    assert requests.put(expired, data=b'x').status_code == 401


def test_versioned_signals_are_kept_and_restored_on_delete(cloud, conn):
    # What Heat's get_signal_url and _delete_swift_signal_url do.
    conn.put_container('stack', headers={'x-versions-location': 'stack'})
    conn.put_object('stack', 'wait', 'in progress')
    conn.put_object('stack', 'wait', '{"status": "SUCCESS"}')
    names = [o['name'] for o in conn.get_container('stack')[1]]
    assert names[0].startswith(swift_objects.version_prefix('wait'))
    assert names[1] == 'wait'
    assert conn.get_object('stack', names[0])[1] == b'in progress'
    for _ in [n for n in names if 'wait' in n]:
        conn.delete_object('stack', 'wait')
        if conn.get_container('stack')[1]:
            assert conn.get_object('stack', 'wait')[1] == b'in progress'
    assert conn.head_container('stack')['x-container-object-count'] == '0'
    conn.delete_container('stack')


def test_counters_count_containers_and_new_object_names(cloud, conn):
    conn.put_container('box')
    conn.put_container('box')
    conn.put_object('box', 'o', b'1')
    conn.put_object('box', 'o', b'2')
    counters = cloud.counters()
    assert (counters['created']['container'],
            counters['created']['object']) == (1, 1)
    assert counters['live']['object'] == 1
    assert counters['duplicates']['container'] == 0


def test_a_503_on_a_container_put_creates_nothing(make_cloud):
    cloud = make_cloud(faults=[{
        'service': 'object-store', 'method': 'PUT', 'path': '^/[^/]+/[^/]+$',
        'first': 1, 'fault': 503}])
    conn = connect(cloud, helpers.make_session(cloud))
    with pytest.raises(swift_exc.ClientException) as info:
        conn.put_container('never')
    assert info.value.http_status == 503
    assert cloud.objects('container') == []
    conn.put_container('then')
    assert [c['name'] for c in cloud.objects('container')] == ['then']


def test_drop_after_an_object_put_leaves_the_object(make_cloud):
    cloud = make_cloud(faults=[{
        'service': 'object-store', 'method': 'PUT', 'path': '/o$',
        'first': 1, 'fault': 'drop_after'}])
    conn = connect(cloud, helpers.make_session(cloud))
    conn.put_container('box')
    # NOTE: swiftclient talks HTTP through requests, not keystoneauth.
    with pytest.raises(requests.ConnectionError):
        conn.put_object('box', 'o', b'data')
    assert [o['name'] for o in cloud.objects('object')] == ['o']
    assert cloud.counters()['requests'][
        'object-store PUT /{account}/{container}/{object}'] == {
            'dropped': 1}

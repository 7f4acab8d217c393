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

"""Swift v1: accounts, containers, listings, tokens, through swiftclient."""

import pytest
import requests
from swiftclient import client as swift_client
from swiftclient import exceptions as swift_exc

from tests.unit.fakecloud import helpers


def storage_url(cloud, project_id=None):
    return '%s/v1/AUTH_%s' % (cloud.base_url('object-store'),
                              project_id or cloud.project_id)


def test_the_catalog_points_at_the_projects_account(cloud, session):
    assert cloud.endpoint('object-store') == storage_url(cloud)
    swift = swift_client.Connection(session=session, retries=0)
    assert swift.head_account()['x-account-container-count'] == '0'


def test_preauthurl_and_preauthtoken_work(cloud, session):
    swift = swift_client.Connection(preauthurl=storage_url(cloud),
                                    preauthtoken=session.get_token(),
                                    retries=0)
    swift.put_container('pre')
    assert [c['name'] for c in swift.get_account()[1]] == ['pre']


def test_container_put_is_201_then_202_and_keeps_metadata(swift):
    first, second = {}, {}
    swift.put_container('box', headers={'X-Container-Meta-Color': 'red',
                                        'X-Container-Read': '.r:*'},
                        response_dict=first)
    swift.put_container('box', headers={'X-Container-Meta-Size': 'big'},
                        response_dict=second)
    assert (first['status'], second['status']) == (201, 202)
    headers = swift.head_container('box')
    assert headers['x-container-meta-color'] == 'red'
    assert headers['x-container-meta-size'] == 'big'
    assert headers['x-container-read'] == '.r:*'
    assert headers['x-container-object-count'] == '0'
    swift.post_container('box', {'X-Remove-Container-Meta-Color': 'x',
                                 'X-Container-Meta-Size': ''})
    headers = swift.head_container('box')
    assert 'x-container-meta-color' not in headers
    assert 'x-container-meta-size' not in headers


def test_a_plain_listing_is_names_or_204(cloud, session):
    url = storage_url(cloud)
    headers = {'X-Auth-Token': session.get_token()}
    requests.put(url + '/box', headers=headers)
    assert requests.get(url + '/box', headers=headers).status_code == 204
    requests.put(url + '/box/x', data=b'1', headers=headers)
    plain = requests.get(url + '/box', headers=headers)
    assert (plain.status_code, plain.text) == (200, 'x\n')


def test_a_container_with_objects_is_not_deleted(swift):
    swift.put_container('full')
    swift.put_object('full', 'o', b'1')
    with pytest.raises(swift_exc.ClientException) as info:
        swift.delete_container('full')
    assert info.value.http_status == 409
    swift.delete_object('full', 'o')
    swift.delete_container('full')
    with pytest.raises(swift_exc.ClientException) as info:
        swift.head_container('full')
    assert info.value.http_status == 404


def test_account_counts_metadata_and_listing(swift):
    swift.put_container('b1')
    swift.put_container('b2')
    swift.put_object('b1', 'o', b'1234')
    swift.post_account({'X-Account-Meta-Temp-Url-Key': 'secret'})
    headers, containers = swift.get_account()
    assert headers['x-account-container-count'] == '2'
    assert headers['x-account-object-count'] == '1'
    assert headers['x-account-bytes-used'] == '4'
    assert headers['x-account-meta-temp-url-key'] == 'secret'
    assert [(c['name'], c['count']) for c in containers] == [
        ('b1', 1), ('b2', 0)]


def test_tokens_are_checked_against_the_account(cloud):
    url = storage_url(cloud)
    assert requests.head(url).status_code == 401
    project, theirs = helpers.project_session(cloud)
    forbidden = requests.head(url, headers={
        'X-Auth-Token': theirs.get_token()})
    assert forbidden.status_code == 403
    assert requests.head(storage_url(cloud, project.id), headers={
        'X-Auth-Token': theirs.get_token()}).status_code == 204


def test_counters_count_containers_and_new_object_names(cloud, swift):
    swift.put_container('box')
    swift.put_container('box')
    swift.put_object('box', 'o', b'1')
    swift.put_object('box', 'o', b'2')
    counters = cloud.counters()
    assert (counters['created']['container'],
            counters['created']['object']) == (1, 1)
    assert counters['live']['object'] == 1
    assert counters['duplicates']['container'] == 0


def test_a_503_on_a_container_put_creates_nothing(make_cloud):
    cloud = make_cloud(faults=[{
        'service': 'object-store', 'method': 'PUT', 'path': '^/[^/]+/[^/]+$',
        'first': 1, 'fault': 503}])
    swift = helpers.swift(cloud, helpers.make_session(cloud))
    with pytest.raises(swift_exc.ClientException) as info:
        swift.put_container('never')
    assert info.value.http_status == 503
    assert cloud.objects('container') == []
    swift.put_container('then')
    assert [c['name'] for c in cloud.objects('container')] == ['then']

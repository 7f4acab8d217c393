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

"""Glance v2: versions, schemas, and images listed, filtered and shown.

Through requests and python-glanceclient.
"""

from glanceclient import client as glance_client
from glanceclient import exc as glance_exc
import pytest
import requests

from heat_retry_plugins.fakecloud import glance


def test_version_documents(cloud):
    root = requests.get(cloud.base_url('image') + '/')
    assert root.status_code == 300
    versions = root.json()['versions']
    assert versions[0]['status'] == 'CURRENT'
    assert versions[0]['links'][0]['href'] == (
        cloud.base_url('image') + '/v2/')
    assert requests.get(cloud.base_url('image') + '/versions').json() == {
        'versions': versions}


def test_list_filter_and_show(cloud, auth_headers):
    url = cloud.base_url('image') + '/v2/images'
    body = requests.get(url, params={'name': 'cirros'},
                        headers=auth_headers).json()
    (image,) = body['images']
    assert image['id'] == glance.CIRROS_IMAGE_ID
    assert image['status'] == 'active' and image['min_ram'] == 0
    assert body['first'] == '/v2/images'
    assert requests.get(url, params={'name': 'ubuntu'},
                        headers=auth_headers).json()['images'] == []
    shown = requests.get(url + '/' + glance.CIRROS_IMAGE_ID,
                         headers=auth_headers)
    assert shown.json()['name'] == 'cirros'
    assert shown.headers['x-openstack-request-id'].startswith('req-')
    missing = requests.get(url + '/nope', headers=auth_headers)
    assert missing.status_code == 404
    assert missing.headers['Content-Type'].startswith('text/html')
    assert requests.get(url).status_code == 401


def test_limit_and_marker(cloud, auth_headers):
    url = cloud.base_url('image') + '/v2/images'
    body = requests.get(url, params={'limit': 1}, headers=auth_headers).json()
    assert len(body['images']) == 1
    assert body['next'] == '/v2/images?limit=1&marker=%s' % (
        glance.CIRROS_IMAGE_ID)
    after = requests.get(cloud.base_url('image') + body['next'],
                         headers=auth_headers).json()
    assert after['images'] == [] and 'next' not in after
    bad = requests.get(url, params={'marker': 'nope'}, headers=auth_headers)
    assert bad.status_code == 400


def test_schemas(cloud, auth_headers):
    schema = requests.get(cloud.base_url('image') + '/v2/schemas/image',
                          headers=auth_headers).json()
    assert schema['name'] == 'image' and 'name' in schema['properties']


def test_glanceclient_finds_the_image_by_name_or_id(session):
    client = glance_client.Client('2', session=session)
    images = list(client.images.list(filters={'name': 'cirros'}))
    assert [i.id for i in images] == [glance.CIRROS_IMAGE_ID]
    assert client.images.get(glance.CIRROS_IMAGE_ID).name == 'cirros'
    with pytest.raises(glance_exc.HTTPNotFound):
        client.images.get('0d2e6a1c-2b4f-4d39-8a3b-2f6d2c1e0f00')


def test_the_seeded_image_is_not_counted(cloud):
    counters = cloud.counters()
    assert counters['created']['image'] == 0
    assert counters['live']['image'] == 0


def test_list_filters_name_id_tag_status_and_visibility(glance_v2):
    first = glance_v2.images.create(name='a', tags=['x', 'y'],
                                    visibility='private')
    second = glance_v2.images.create(name='b', tags=['x'],
                                     visibility='public')

    def names(**filters):
        return sorted(i.name for i in glance_v2.images.list(filters=filters))

    assert names(name='a') == ['a']
    assert names(id=second.id) == ['b']
    assert names(tag=['x']) == ['a', 'b']
    assert names(tag=['x', 'y']) == ['a']
    assert names(status='queued') == ['a', 'b']
    assert names(status='active') == ['cirros']
    assert names(visibility='private') == ['a']
    assert names(visibility='public') == ['b', 'cirros']
    private = glance_v2.images.list(filters={'visibility': 'private'})
    assert [i.id for i in private] == [first.id]

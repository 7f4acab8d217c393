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

"""Glance v2 through requests and python-glanceclient."""

from glanceclient import client as glance_client
from glanceclient import exc as glance_exc
import pytest
import requests

from heat_retry_plugins.fakecloud import glance


@pytest.fixture
def headers(session):
    return {'X-Auth-Token': session.get_token()}


def test_version_documents(cloud):
    root = requests.get(cloud.base_url('image') + '/')
    assert root.status_code == 300
    versions = root.json()['versions']
    assert versions[0]['status'] == 'CURRENT'
    assert versions[0]['links'][0]['href'] == (
        cloud.base_url('image') + '/v2/')
    assert requests.get(cloud.base_url('image') + '/versions').json() == {
        'versions': versions}


def test_list_filter_and_show(cloud, headers):
    url = cloud.base_url('image') + '/v2/images'
    body = requests.get(url, params={'name': 'cirros'},
                        headers=headers).json()
    (image,) = body['images']
    assert image['id'] == glance.CIRROS_IMAGE_ID
    assert image['status'] == 'active' and image['min_ram'] == 0
    assert body['first'] == '/v2/images'
    assert requests.get(url, params={'name': 'ubuntu'},
                        headers=headers).json()['images'] == []
    shown = requests.get(url + '/' + glance.CIRROS_IMAGE_ID,
                         headers=headers)
    assert shown.json()['name'] == 'cirros'
    assert shown.headers['x-openstack-request-id'].startswith('req-')
    missing = requests.get(url + '/nope', headers=headers)
    assert missing.status_code == 404
    assert missing.headers['Content-Type'].startswith('text/html')
    assert requests.get(url).status_code == 401


def test_limit_and_marker(cloud, headers):
    url = cloud.base_url('image') + '/v2/images'
    body = requests.get(url, params={'limit': 1}, headers=headers).json()
    assert len(body['images']) == 1
    assert body['next'] == '/v2/images?limit=1&marker=%s' % (
        glance.CIRROS_IMAGE_ID)
    after = requests.get(cloud.base_url('image') + body['next'],
                         headers=headers).json()
    assert after['images'] == [] and 'next' not in after
    bad = requests.get(url, params={'marker': 'nope'}, headers=headers)
    assert bad.status_code == 400


def test_schemas(cloud, headers):
    schema = requests.get(cloud.base_url('image') + '/v2/schemas/image',
                          headers=headers).json()
    assert schema['name'] == 'image' and 'name' in schema['properties']


def test_glanceclient_finds_the_image_by_name_or_id(session):
    client = glance_client.Client('2', session=session)
    images = list(client.images.list(filters={'name': 'cirros'}))
    assert [i.id for i in images] == [glance.CIRROS_IMAGE_ID]
    assert client.images.get(glance.CIRROS_IMAGE_ID).name == 'cirros'
    with pytest.raises(glance_exc.HTTPNotFound):
        client.images.get('0d2e6a1c-2b4f-4d39-8a3b-2f6d2c1e0f00')

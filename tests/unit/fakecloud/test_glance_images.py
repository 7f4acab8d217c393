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

"""Glance image writes: create, patch, tags, (de)activation, delete."""

import io
import json

from glanceclient import client as glance_client
from glanceclient import exc as glance_exc
import pytest
import requests

from tests.unit.fakecloud import helpers

IMAGE_ID = '5a3c6d2e-8f41-4b7a-9c0d-1e2f3a4b5c6d'


def test_create_with_chosen_id_tags_and_properties_is_shown_and_listed(
        cloud, glance_v2):
    image = glance_v2.images.create(
        id=IMAGE_ID, name='web', disk_format='qcow2', container_format='bare',
        visibility='private', tags=['heat', 'heat'], os_distro='cirros',
        heat_token='t-1')
    assert (image.id, image.status, image.owner) == (
        IMAGE_ID, 'queued', cloud.project_id)
    shown = glance_v2.images.get(IMAGE_ID)
    assert shown.tags == ['heat'] and shown.heat_token == 't-1'
    assert shown.os_distro == 'cirros' and shown.size is None
    listed = list(glance_v2.images.list(filters={'heat_token': 't-1'}))
    assert [i.id for i in listed] == [IMAGE_ID]


def test_a_duplicate_id_is_a_conflict_and_names_are_not_unique(
        cloud, glance_v2):
    glance_v2.images.create(id=IMAGE_ID, name='same')
    with pytest.raises(glance_exc.HTTPConflict):
        glance_v2.images.create(id=IMAGE_ID, name='same')
    glance_v2.images.create(name='same')
    counters = cloud.counters()
    assert counters['created']['image'] == 2
    assert counters['live']['image'] == 2
    assert counters['duplicates']['image'] == 1


def test_update_patches_properties_and_tags(glance_v2):
    image = glance_v2.images.create(name='old', tags=['keep', 'drop'],
                                    os_version='1')
    updated = glance_v2.images.update(image.id, remove_props=['os_version'],
                                      name='new', min_ram=64,
                                      architecture='x86_64')
    assert (updated.name, updated.min_ram, updated.architecture) == (
        'new', 64, 'x86_64')
    assert 'os_version' not in updated
    glance_v2.image_tags.update(image.id, 'added')
    glance_v2.image_tags.delete(image.id, 'drop')
    assert glance_v2.images.get(image.id).tags == ['keep', 'added']
    with pytest.raises(glance_exc.HTTPNotFound):
        glance_v2.image_tags.delete(image.id, 'drop')


def test_patch_refuses_read_only_fields_and_other_media_types(
        cloud, auth_headers):
    url = cloud.base_url('image') + '/v2/images'
    image = requests.post(url, json={'name': 'p'}, headers=auth_headers).json()
    patch_type = {'Content-Type':
                  'application/openstack-images-v2.1-json-patch'}
    status = requests.patch(url + '/' + image['id'], headers=dict(
        auth_headers, **patch_type), data=json.dumps(
            [{'op': 'replace', 'path': '/status', 'value': 'active'}]))
    assert status.status_code == 403
    missing = requests.patch(url + '/' + image['id'], headers=dict(
        auth_headers, **patch_type), data=json.dumps(
            [{'op': 'remove', 'path': '/nothing'}]))
    assert missing.status_code == 409
    plain = requests.patch(url + '/' + image['id'], headers=auth_headers,
                           json=[{'op': 'add', 'path': '/a', 'value': 'b'}])
    assert plain.status_code == 415
    bad = requests.post(url, json={'name': 'q', 'min_ram': 'lots'},
                        headers=auth_headers)
    assert bad.status_code == 400
    assert requests.post(url, json={'status': 'active'},
                         headers=auth_headers).status_code == 403


def test_deactivate_reactivate_and_protected_delete(glance_v2):
    image = glance_v2.images.create(name='d', protected=True)
    glance_v2.images.upload(image.id, io.BytesIO(b'x'))
    glance_v2.images.deactivate(image.id)
    assert glance_v2.images.get(image.id).status == 'deactivated'
    glance_v2.images.reactivate(image.id)
    assert glance_v2.images.get(image.id).status == 'active'
    with pytest.raises(glance_exc.HTTPForbidden):
        glance_v2.images.delete(image.id)
    glance_v2.images.update(image.id, protected=False)
    glance_v2.images.delete(image.id)
    with pytest.raises(glance_exc.HTTPNotFound):
        glance_v2.images.get(image.id)


def test_drop_after_an_image_create_leaves_the_image(make_cloud):
    cloud = make_cloud(faults=[{
        'service': 'image', 'method': 'POST', 'path': '^/images$',
        'first': 1, 'fault': 'drop_after'}])
    client = glance_client.Client('2', session=helpers.make_session(cloud))
    with pytest.raises(glance_exc.CommunicationError):
        client.images.create(id=IMAGE_ID, name='orphan')
    assert [i['name'] for i in cloud.objects('image')] == ['orphan']
    assert client.images.get(IMAGE_ID).name == 'orphan'
    assert cloud.counters()['requests']['image POST /images'] == {
        'dropped': 1}


def test_a_503_on_an_image_create_creates_nothing(make_cloud):
    cloud = make_cloud(faults=[{
        'service': 'image', 'method': 'POST', 'path': '^/images$',
        'first': 1, 'fault': 503}])
    client = glance_client.Client('2', session=helpers.make_session(cloud))
    with pytest.raises(glance_exc.HTTPServiceUnavailable):
        client.images.create(name='never')
    assert cloud.objects('image') == []

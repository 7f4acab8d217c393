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

import io
import json

from glanceclient import client as glance_client
from glanceclient import exc as glance_exc
from keystoneauth1.identity import v3
from keystoneauth1 import session as ks_session
import pytest
import requests

from heat_retry_plugins.fakecloud import glance
from tests.unit.fakecloud import helpers


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


# -- writes through glanceclient ---------------------------------------------

IMAGE_ID = '5a3c6d2e-8f41-4b7a-9c0d-1e2f3a4b5c6d'


@pytest.fixture
def glance_v2(session):
    return glance_client.Client('2', session=session)


def other_project_session(cloud, keystone_client):
    project = keystone_client.projects.create(name='other',
                                              domain='default')
    keystone_client.roles.grant(keystone_client.roles.list(name='member')[0],
                                user=cloud.user_id, project=project)
    return project, ks_session.Session(auth=v3.Password(
        auth_url=cloud.auth_url, user_id=cloud.user_id,
        password=cloud.password, project_id=project.id))


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
    assert first.id not in names(visibility='public')


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
        cloud, headers):
    url = cloud.base_url('image') + '/v2/images'
    image = requests.post(url, json={'name': 'p'}, headers=headers).json()
    patch_type = {'Content-Type':
                  'application/openstack-images-v2.1-json-patch'}
    status = requests.patch(url + '/' + image['id'], headers=dict(
        headers, **patch_type), data=json.dumps(
            [{'op': 'replace', 'path': '/status', 'value': 'active'}]))
    assert status.status_code == 403
    missing = requests.patch(url + '/' + image['id'], headers=dict(
        headers, **patch_type), data=json.dumps(
            [{'op': 'remove', 'path': '/nothing'}]))
    assert missing.status_code == 409
    plain = requests.patch(url + '/' + image['id'], headers=headers,
                           json=[{'op': 'add', 'path': '/a', 'value': 'b'}])
    assert plain.status_code == 415
    bad = requests.post(url, json={'name': 'q', 'min_ram': 'lots'},
                        headers=headers)
    assert bad.status_code == 400
    assert requests.post(url, json={'status': 'active'},
                         headers=headers).status_code == 403


def test_upload_makes_the_image_active_and_the_data_readable(glance_v2):
    image = glance_v2.images.create(name='up', disk_format='raw',
                                    container_format='bare')
    glance_v2.images.upload(image.id, io.BytesIO(b'0123456789'))
    shown = glance_v2.images.get(image.id)
    assert (shown.status, shown.size) == ('active', 10)
    assert b''.join(glance_v2.images.data(image.id)) == b'0123456789'
    with pytest.raises(glance_exc.HTTPConflict):
        glance_v2.images.upload(image.id, io.BytesIO(b'again'))


def test_web_download_import_goes_importing_then_active(cloud, glance_v2):
    cloud.services['image'].import_seconds = 0.3
    image = glance_v2.images.create(name='web', disk_format='qcow2',
                                    container_format='bare')
    glance_v2.images.image_import(image.id, method='web-download',
                                  uri='http://example.com/cirros.img')
    assert glance_v2.images.get(image.id).status == 'importing'
    helpers.poll(lambda: glance_v2.images.get(image.id).status == 'active')
    assert glance_v2.images.get(image.id).size > 0
    with pytest.raises(glance_exc.HTTPConflict):
        glance_v2.images.image_import(image.id, method='web-download',
                                      uri='http://example.com/cirros.img')
    assert 'web-download' in glance_v2.images.get_import_info()[
        'import-methods']['value']


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


def test_members_of_a_shared_image_see_it(cloud, glance_v2):
    keystone_client = helpers.keystone(helpers.make_session(cloud))
    project, other_session = other_project_session(cloud, keystone_client)
    theirs = glance_client.Client('2', session=other_session)
    private = glance_v2.images.create(name='private', visibility='private')
    shared = glance_v2.images.create(name='shared', visibility='shared')
    with pytest.raises(glance_exc.HTTPForbidden):
        glance_v2.image_members.create(private.id, project.id)
    member = glance_v2.image_members.create(shared.id, project.id)
    assert member.status == 'pending'
    with pytest.raises(glance_exc.HTTPNotFound):
        theirs.images.get(private.id)
    assert theirs.images.get(shared.id).name == 'shared'
    assert 'shared' not in [i.name for i in theirs.images.list()]
    theirs.image_members.update(shared.id, project.id, 'accepted')
    assert 'shared' in [i.name for i in theirs.images.list()]
    with pytest.raises(glance_exc.HTTPForbidden):
        theirs.images.delete(shared.id)


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

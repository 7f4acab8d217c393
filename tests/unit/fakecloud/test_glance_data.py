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

"""Glance image data: upload, download, and the web-download import."""

import io

from glanceclient import exc as glance_exc
import pytest

from tests.unit.fakecloud import helpers


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

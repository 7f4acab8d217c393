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

"""Swift TempURLs, as Heat's SwiftClientPlugin.get_temp_url makes them."""

import time

import requests
from swiftclient import utils as swift_utils


def test_a_temp_url_signed_with_the_account_key_allows_its_method(
        cloud, swift):
    # What Heat's SwiftClientPlugin.get_temp_url does.
    swift.post_account({'x-account-meta-temp-url-key': 'k3y'})
    swift.put_container('signals')
    path = '/v1/AUTH_%s/signals/handle' % cloud.project_id
    base = cloud.base_url('object-store')
    put_url = base + swift_utils.generate_temp_url(path, 60, 'k3y', 'PUT')
    assert requests.put(put_url, data=b'{"ok": 1}').status_code == 201
    assert swift.get_object('signals', 'handle')[1] == b'{"ok": 1}'
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

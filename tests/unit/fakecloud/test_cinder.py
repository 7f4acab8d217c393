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

"""Cinder v3: versions, microversions, the two URL forms, types, errors."""

from cinderclient import api_versions
from cinderclient import client as cinder_client
from cinderclient import exceptions as cinder_exc
import pytest
import requests


def _cinder(session, version='3.70', **kwargs):
    return cinder_client.Client(version, session=session, **kwargs)


def test_versions_and_the_highest_microversion(cloud, cinder):
    root = requests.get(cloud.base_url('volumev3') + '/')
    assert root.status_code == 300
    (v3,) = root.json()['versions']
    assert (v3['id'], v3['min_version'], v3['version']) == (
        'v3.0', '3.0', '3.70')
    assert requests.get(cloud.base_url('volumev3') + '/v3/').json()[
        'versions'] == [v3]
    assert api_versions.get_highest_version(cinder).get_string() == '3.70'
    assert cloud.endpoint('volumev3') == cloud.base_url('volumev3') + '/v3'


def test_the_microversion_is_echoed_and_out_of_range_refused(cloud, session):
    token = session.get_token()
    url = cloud.endpoint('volumev3') + '/volumes'
    for asked, status, echoed in (('volume 3.59', 200, 'volume 3.59'),
                                  (None, 200, 'volume 3.0'),
                                  ('volume 3.71', 406, None),
                                  ('volume three', 400, None)):
        headers = {'X-Auth-Token': token}
        if asked:
            headers['OpenStack-API-Version'] = asked
        response = requests.get(url, headers=headers)
        assert response.status_code == status, asked
        if echoed:
            assert response.headers['OpenStack-API-Version'] == echoed


def test_the_legacy_project_url_is_served_for_the_token_project_only(
        cloud, session):
    legacy = _cinder(session, endpoint_override='%s/v3/%s' % (
        cloud.base_url('volumev3'), cloud.project_id))
    volume = legacy.volumes.create(1, name='legacy')
    assert _cinder(session).volumes.get(volume.id).name == 'legacy'
    other = _cinder(session, endpoint_override='%s/v3/%s' % (
        cloud.base_url('volumev3'), 'someone-else'))
    with pytest.raises(cinder_exc.BadRequest, match='Malformed'):
        other.volumes.list()


def test_types_zones_and_extensions(session):
    cinder = _cinder(session, extensions=cinder_client.discover_extensions(
        '3'))
    assert [t.name for t in cinder.volume_types.list()] == ['__DEFAULT__']
    assert cinder.volume_types.default().name == '__DEFAULT__'
    zones = cinder.availability_zones.list()
    assert [z.zoneName for z in zones] == ['nova']
    aliases = {e.alias for e in cinder.list_extensions.show_all()}
    assert {'os-quota-sets', 'os-availability-zone'} <= aliases


def test_errors_are_cinder_fault_bodies(cloud, session):
    response = requests.get(
        cloud.endpoint('volumev3') + '/volumes/missing',
        headers={'X-Auth-Token': session.get_token()})
    assert response.status_code == 404
    assert response.json() == {'itemNotFound': {
        'code': 404, 'message': 'Volume missing could not be found.'}}
    response = requests.get(cloud.endpoint('volumev3') + '/volumes')
    assert response.status_code == 401

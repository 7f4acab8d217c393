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

"""Nova v2.1: versions, microversions, flavors, keypairs, limits, zones.

Through python-novaclient, and requests for the raw details.
"""

import re

from cryptography.hazmat.primitives import serialization
import novaclient
from novaclient import api_versions
from novaclient import exceptions as nova_exc
import pytest
import requests

from heat_retry_plugins.fakecloud import glance
from heat_retry_plugins.fakecloud import keys
from tests.unit.fakecloud import helpers

IMAGE = glance.CIRROS_IMAGE_ID


def test_version_documents(cloud, nova):
    root = requests.get(cloud.base_url('compute') + '/').json()
    assert [v['id'] for v in root['versions']] == ['v2.0', 'v2.1']
    current = nova.versions.get_current()
    assert current.version == '2.96' and current.min_version == '2.1'
    assert api_versions.APIVersion(current.version) == (
        novaclient.API_MAX_VERSION)
    assert {v.id for v in nova.versions.list()} == {'v2.0', 'v2.1'}


def test_microversion_headers_are_echoed(cloud, session):
    url = cloud.endpoint('compute') + '/flavors'
    response = session.get(url)
    assert response.headers['OpenStack-API-Version'] == 'compute 2.1'
    assert response.headers['X-OpenStack-Nova-API-Version'] == '2.1'
    response = session.get(url, headers={
        'OpenStack-API-Version': 'compute 2.60'})
    assert response.headers['OpenStack-API-Version'] == 'compute 2.60'
    assert response.headers['X-OpenStack-Nova-API-Version'] == '2.60'
    response = session.get(url, headers={
        'X-OpenStack-Nova-API-Version': 'latest'})
    assert response.headers['X-OpenStack-Nova-API-Version'] == '2.96'
    request_id = response.headers['x-compute-request-id']
    assert re.fullmatch(r'req-[0-9a-f-]{36}', request_id)
    assert response.headers['x-openstack-request-id'] == request_id
    assert response.headers['Content-Type'] == 'application/json'
    for bad, status in (('2.100', 406), ('two', 400)):
        response = session.get(url, raise_exc=False, headers={
            'X-OpenStack-Nova-API-Version': bad})
        assert response.status_code == status
    # keystonemiddleware answers before the microversion is looked at.
    response = requests.get(url, headers={
        'X-OpenStack-Nova-API-Version': '2.100'})
    assert response.status_code == 401


def test_flavors(nova):
    names = [f.name for f in nova.flavors.list()]
    assert names[:2] == ['m1.tiny', 'm1.small']
    small = nova.flavors.get('2')
    assert (small.name, small.ram, small.vcpus) == ('m1.small', 2048, 1)
    with pytest.raises(nova_exc.NotFound):
        nova.flavors.get('m1.small')
    assert nova.flavors.find(name='m1.small').id == '2'
    assert small.get_keys() == {}
    assert [f.id for f in nova.flavors.list(detailed=False)][0] == '1'


def test_imported_keypair(cloud, session):
    nova = helpers.nova(session, '2.96')
    public_key = helpers.ed25519_public_key()
    keypair = nova.keypairs.create('mine', public_key=public_key)
    assert keypair.public_key == public_key
    assert keypair.fingerprint == keys.fingerprint(public_key)
    assert not hasattr(keypair, 'private_key')
    with pytest.raises(nova_exc.Conflict):
        nova.keypairs.create('mine', public_key=public_key)
    with pytest.raises(nova_exc.BadRequest):
        nova.keypairs.create('bad', public_key='ssh-rsa not-a-key')
    assert [k.name for k in nova.keypairs.list()] == ['mine']
    assert nova.keypairs.get('mine').type == 'ssh'
    nova.keypairs.delete('mine')
    with pytest.raises(nova_exc.NotFound):
        nova.keypairs.get('mine')
    assert cloud.counters()['created']['keypair'] == 1


def test_generated_keypair_private_key_matches_public_key(cloud, session):
    nova = helpers.nova(session, '2.91')
    keypair = nova.keypairs.create('gen')
    private = serialization.load_pem_private_key(
        keypair.private_key.encode(), password=None)
    derived = private.public_key().public_bytes(
        serialization.Encoding.OpenSSH,
        serialization.PublicFormat.OpenSSH).decode()
    assert keypair.public_key.split()[:2] == derived.split()
    assert keypair.fingerprint == keys.fingerprint(keypair.public_key)
    fetched = nova.keypairs.get('gen')
    assert not hasattr(fetched, 'private_key')
    assert fetched.public_key == keypair.public_key
    assert 'PRIVATE KEY' not in requests.get(
        cloud.base_url('identity') + '/_fake/objects/keypair').text


def test_keypair_generation_needs_a_public_key_from_2_92(cloud, session):
    response = session.post(cloud.endpoint('compute') + '/os-keypairs',
                            json={'keypair': {'name': 'k'}},
                            headers={'OpenStack-API-Version':
                                     'compute 2.92'},
                            raise_exc=False)
    assert response.status_code == 400
    assert 'badRequest' in response.json()
    old = helpers.nova(session, '2.1').keypairs.create('old')
    assert old.private_key and not hasattr(old, 'type')


def test_limits_and_availability_zones(cloud, nova):
    nova.servers.create('vm', IMAGE, '2')
    absolute = {limit.name: limit.value for limit in nova.limits.get(
    ).absolute}
    assert absolute['maxServerMeta'] == 128
    assert absolute['totalInstancesUsed'] == 1
    assert absolute['totalRAMUsed'] == 2048
    zones = nova.availability_zones.list(detailed=False)
    assert [z.zoneName for z in zones] == ['nova']


def test_a_public_key_is_stored_verbatim_with_its_comment(cloud, session):
    nova = helpers.nova(session, '2.96')
    blob = helpers.ed25519_public_key()
    sent = blob + ' heat-retry token=abc  two  spaces\n'
    created = nova.keypairs.create('verbatim', public_key=sent)
    assert created.public_key == sent
    assert nova.keypairs.get('verbatim').public_key == sent
    assert [k.public_key for k in nova.keypairs.list()] == [sent]
    raw = session.get(cloud.endpoint('compute') + '/os-keypairs/verbatim')
    assert raw.json()['keypair']['public_key'] == sent
    # The fingerprint is the key blob's alone.
    other = nova.keypairs.create('same-blob', public_key=blob + ' other')
    bare = nova.keypairs.create('bare', public_key=blob)
    assert created.fingerprint == other.fingerprint == bare.fingerprint
    assert created.fingerprint == keys.fingerprint(blob)

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

"""Nova v2.1 through python-novaclient (and requests for raw details)."""

import base64
import re

from cryptography.hazmat.primitives.asymmetric import ed25519
from cryptography.hazmat.primitives import serialization
from keystoneauth1.identity import v3
from keystoneauth1 import session as ks_session
import novaclient
from novaclient import api_versions
from novaclient import exceptions as nova_exc
import pytest
import requests

from heat_retry_plugins.fakecloud import glance
from heat_retry_plugins.fakecloud import keys
from tests.unit.fakecloud import helpers

IMAGE = glance.CIRROS_IMAGE_ID


def _ed25519_public_key():
    key = ed25519.Ed25519PrivateKey.generate().public_key()
    return key.public_bytes(serialization.Encoding.OpenSSH,
                            serialization.PublicFormat.OpenSSH).decode()


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
    public_key = _ed25519_public_key()
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


def test_server_lifecycle_with_build_time(make_cloud):
    cloud = make_cloud(server_build_seconds=1.0)
    nova = helpers.nova(helpers.make_session(cloud), '2.96')
    server = nova.servers.create('vm', IMAGE, '1', nics='none',
                                 userdata='#!/bin/sh\necho hi\n',
                                 meta={'role': 'web'})
    assert not hasattr(server, 'adminPass')
    assert nova.servers.get(server.id).status == 'BUILD'
    helpers.poll(lambda: nova.servers.get(server.id).status == 'ACTIVE')
    fetched = nova.servers.get(server.id)
    assert fetched.name == 'vm' and fetched.metadata == {'role': 'web'}
    assert fetched.addresses == {} and fetched.key_name is None
    assert fetched.flavor['original_name'] == 'm1.tiny'
    assert base64.b64decode(
        getattr(fetched, 'OS-EXT-SRV-ATTR:user_data')) == (
            b'#!/bin/sh\necho hi\n')
    assert fetched.interface_list() == []
    assert nova.volumes.get_server_volumes(server.id) == []
    nova.servers.delete(server.id)
    with pytest.raises(nova_exc.NotFound):
        nova.servers.get(server.id)
    with pytest.raises(nova_exc.NotFound):
        nova.servers.delete(server.id)


def test_server_create_options_and_validation(cloud, session):
    nova = helpers.nova(session, '2.96')
    public_key = _ed25519_public_key()
    nova.keypairs.create('key', public_key=public_key)
    server = nova.servers.create('vm', IMAGE, '2', key_name='key',
                                 nics='auto', admin_pass='pw')
    assert server.adminPass == 'pw'
    fetched = nova.servers.get(server.id)
    assert fetched.key_name == 'key' and fetched.addresses['private']
    for kwargs in ({'flavor': '99'}, {'image': 'nope'},
                   {'key_name': 'missing'}):
        args = dict({'name': 'x', 'image': IMAGE, 'flavor': '1',
                     'nics': 'none'}, **kwargs)
        with pytest.raises(nova_exc.BadRequest):
            nova.servers.create(**args)
    response = session.post(cloud.endpoint('compute') + '/servers', json={
        'server': {'name': 'x', 'imageRef': IMAGE, 'flavorRef': '1'}},
        headers={'OpenStack-API-Version': 'compute 2.37'}, raise_exc=False)
    assert response.status_code == 400
    assert helpers.nova(session, '2.1').servers.create('old', IMAGE, '1')


def test_server_name_filter_is_a_regex(cloud, nova):
    for name in ('web.1', 'webX1', 'db'):
        nova.servers.create(name, IMAGE, '1')
    names = sorted(s.name for s in nova.servers.list(
        search_opts={'name': 'web.1'}))
    assert names == ['web.1', 'webX1']
    names = [s.name for s in nova.servers.list(
        search_opts={'name': re.escape('web.1')})]
    assert names == ['web.1']
    assert [s.name for s in nova.servers.list(
        search_opts={'name': '^db$'})] == ['db']
    with pytest.raises(nova_exc.ClientException):
        nova.servers.list(search_opts={'name': 'web('})


def test_server_list_status_limit_and_marker(cloud, nova):
    ids = [nova.servers.create('s%d' % i, IMAGE, '1').id for i in range(5)]
    listed = [s.id for s in nova.servers.list()]
    assert listed == ids[::-1]
    assert [s.id for s in nova.servers.list(limit=2)] == ids[:-3:-1]
    assert [s.id for s in nova.servers.list(marker=ids[3])] == ids[2::-1]
    assert [s.id for s in nova.servers.list(limit=-1)] == ids[::-1]
    assert len(nova.servers.list(search_opts={'status': 'ACTIVE'})) == 5
    assert nova.servers.list(search_opts={'status': 'ERROR'}) == []
    summary = nova.servers.list(detailed=False)[0]
    assert set(summary.to_dict()) == {'id', 'name', 'links'}
    with pytest.raises(nova_exc.BadRequest):
        nova.servers.list(marker='nope')


def test_server_metadata_rename_and_tags(cloud, session):
    nova = helpers.nova(session, '2.96')
    server = nova.servers.create('vm', IMAGE, '1', nics='none',
                                 meta={'a': '1'})
    nova.servers.set_meta(server, {'b': '2'})
    nova.servers.set_meta_item(server, 'c', '3')
    nova.servers.delete_meta(server, ['a'])
    assert nova.servers.get(server.id).metadata == {'b': '2', 'c': '3'}
    nova.servers.update(server, name='renamed')
    assert nova.servers.get(server.id).name == 'renamed'
    nova.servers.set_tags(server, ['x', 'y'])
    assert nova.servers.tag_list(server) == ['x', 'y']


def test_limits_and_availability_zones(cloud, nova):
    nova.servers.create('vm', IMAGE, '2')
    absolute = {limit.name: limit.value for limit in nova.limits.get(
    ).absolute}
    assert absolute['maxServerMeta'] == 128
    assert absolute['totalInstancesUsed'] == 1
    assert absolute['totalRAMUsed'] == 2048
    zones = nova.availability_zones.list(detailed=False)
    assert [z.zoneName for z in zones] == ['nova']


def test_servers_of_other_projects_are_not_listed(cloud, nova, keystone):
    project = keystone.projects.create(name='other', domain='default')
    keystone.roles.grant(keystone.roles.list(name='member')[0],
                         user=cloud.user_id, project=project)
    other = helpers.nova(ks_session.Session(auth=v3.Password(
        auth_url=cloud.auth_url, user_id=cloud.user_id,
        password=cloud.password, project_id=project.id)))
    other.servers.create('theirs', IMAGE, '1')
    nova.servers.create('ours', IMAGE, '1')
    assert [s.name for s in nova.servers.list()] == ['ours']
    assert sorted(s.name for s in nova.servers.list(
        search_opts={'all_tenants': 1})) == ['ours', 'theirs']


def test_a_public_key_is_stored_verbatim_with_its_comment(cloud, session):
    nova = helpers.nova(session, '2.96')
    blob = _ed25519_public_key()
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


def test_server_metadata_is_returned_by_show_and_every_list(cloud, session):
    nova = helpers.nova(session, '2.96')
    meta = {'heat_retry_token': 'abc', 'role': 'web server'}
    server = nova.servers.create('tagged', IMAGE, '1', nics='none',
                                 meta=meta)
    assert nova.servers.get(server.id).metadata == meta
    assert [s.metadata for s in nova.servers.list()] == [meta]
    compute = cloud.endpoint('compute')
    detail = session.get(compute + '/servers/detail').json()['servers']
    assert [s['metadata'] for s in detail] == [meta]
    show = session.get(compute + '/servers/' + server.id).json()['server']
    assert show['metadata'] == meta


def test_detail_name_filter_is_a_regex_search(cloud, session):
    nova = helpers.nova(session, '2.96')
    for name in ('stack-web-1', 'stack-web-2', 'other-web', 'db'):
        nova.servers.create(name, IMAGE, '1', nics='none',
                            meta={'name': name})
    url = cloud.endpoint('compute') + '/servers/detail'

    def names(pattern):
        servers = session.get(url, params={'name': pattern}).json()
        return sorted(s['name'] for s in servers['servers'])

    assert names('web') == ['other-web', 'stack-web-1', 'stack-web-2']
    assert names('^stack-web-[0-9]$') == ['stack-web-1', 'stack-web-2']
    assert names('^web$') == []
    assert names('^d') == ['db']
    listed = nova.servers.list(search_opts={'name': '^stack-web-1$'})
    assert [(s.name, s.metadata) for s in listed] == [
        ('stack-web-1', {'name': 'stack-web-1'})]

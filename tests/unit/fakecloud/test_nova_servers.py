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

"""Nova servers through python-novaclient: create, list, show, delete.

And their metadata, names and tags; requests for the raw bodies.
"""

import base64
import re

from novaclient import exceptions as nova_exc
import pytest

from heat_retry_plugins.fakecloud import glance
from tests.unit.fakecloud import helpers

IMAGE = glance.CIRROS_IMAGE_ID


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
    public_key = helpers.ed25519_public_key()
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
    # Before 2.37 no network need be named.
    helpers.nova(session, '2.1').servers.create('old', IMAGE, '1')
    assert sorted(s['name'] for s in cloud.objects('server')) == ['old', 'vm']


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


def test_servers_of_other_projects_are_not_listed(cloud, nova):
    other = helpers.nova(helpers.project_session(cloud)[1])
    other.servers.create('theirs', IMAGE, '1')
    nova.servers.create('ours', IMAGE, '1')
    assert [s.name for s in nova.servers.list()] == ['ours']
    assert sorted(s.name for s in nova.servers.list(
        search_opts={'all_tenants': 1})) == ['ours', 'theirs']


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

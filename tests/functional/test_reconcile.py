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

"""Creates that never duplicate, over real HTTP: servers, keypairs,
projects and users under ambiguous faults on every POST.
"""

from cryptography.hazmat.primitives import serialization
import pytest

from heat_retry_plugins.fakecloud import CIRROS_IMAGE_ID
from heat_retry_plugins.fakecloud import keys
from tests.functional.conftest import AMBIGUOUS
from tests.functional.conftest import fault
from tests.functional.conftest import SELECTORS
from tests.unit.fakecloud import helpers

CREATES = 20


def on_posts(service, path, selector, kind='ambiguous_500'):
    """One kind of ambiguous fault on a POST route."""
    return fault(path, 'POST', {'kind': kind}, service=service, **selector)


def assert_nothing_duplicated_or_leaked(cloud, kind, returned, names,
                                        key='id'):
    """The cloud holds exactly the objects the calls returned."""
    assert cloud.counters()['duplicates'].get(kind, 0) == 0
    held = sorted(str(o[key]) for o in cloud.objects(kind)
                  if o['name'] in names)
    assert held == sorted(str(r) for r in returned)


def assert_keypairs_are_the_ones_returned(client, cloud, made, names):
    assert_nothing_duplicated_or_leaked(cloud, 'keypair',
                                        [m.name for m in made], names,
                                        key='name')
    for keypair in made:
        assert client.keypairs.get(keypair.name).fingerprint == \
            keypair.fingerprint


@pytest.mark.parametrize('selector', SELECTORS)
@pytest.mark.parametrize('kind', AMBIGUOUS)
def test_servers(nova_plugin, cloud, selector, kind):
    cloud.set_faults(on_posts('compute', '^/servers$', selector, kind))
    client = nova_plugin.client()
    names = ['web-%d' % i for i in range(CREATES)]
    made = [nova_plugin.call_with_retry_policy(
        'create', client.servers.create, name, CIRROS_IMAGE_ID, '1',
        nics='none') for name in names]
    assert [m.name for m in made] == names
    assert all(type(m) is type(made[0]) for m in made)
    assert_nothing_duplicated_or_leaked(cloud, 'server',
                                        [m.id for m in made], names)


def test_server_name_is_matched_exactly_not_as_a_pattern(nova_plugin, cloud):
    client = nova_plugin.client()
    for other in ('web-10', 'webX1', 'db[1]x'):
        client.servers.create(other, CIRROS_IMAGE_ID, '1', nics='none')
    cloud.set_faults([{'service': 'compute', 'method': 'POST',
                       'path': '^/servers$', 'first': 2,
                       'fault': {'kind': 'ambiguous_500'}}])
    for name in ('web-1', 'db[1]'):
        made = nova_plugin.call_with_retry_policy(
            'create', client.servers.create, name, CIRROS_IMAGE_ID, '1',
            nics='none')
        assert made.name == name
    assert cloud.counters()['duplicates_total'] == 0
    assert len(cloud.objects('server')) == 5


def test_a_same_named_server_made_before_the_call_is_never_adopted(
        nova_plugin, cloud):
    client = nova_plugin.client()
    # Another team's, made with a client of its own: it carries no token.
    other_team = helpers.nova(helpers.make_session(cloud), '2.37')
    theirs = other_team.servers.create('twin', CIRROS_IMAGE_ID, '1',
                                       nics='none')
    cloud.reset_counters()
    cloud.set_faults([{'service': 'compute', 'method': 'POST',
                       'path': '^/servers$', 'first': 1,
                       'fault': {'kind': 'ambiguous_500'}}])
    made = nova_plugin.call_with_retry_policy(
        'create', client.servers.create, 'twin', CIRROS_IMAGE_ID, '1',
        nics='none')
    assert made.id != theirs.id
    assert sorted(s['id'] for s in cloud.objects('server')) == sorted(
        [theirs.id, made.id])
    assert 'heat_retry_token' not in client.servers.get(theirs.id).metadata


@pytest.mark.parametrize('selector', SELECTORS)
def test_keypairs_with_a_public_key_are_adopted(nova_plugin, cloud,
                                                selector):
    cloud.set_faults(on_posts('compute', '^/os-keypairs$', selector))
    client = nova_plugin.client()
    public_key = keys.generate()[1]
    names = ['key-%d' % i for i in range(CREATES)]
    made = [nova_plugin.call_with_retry_policy(
        'create', client.keypairs.create, name, public_key=public_key)
        for name in names]
    assert [m.name for m in made] == names
    assert_keypairs_are_the_ones_returned(client, cloud, made, names)


def test_the_called_functions_own_name_keyword_passes_through(nova_plugin,
                                                              cloud):
    client = nova_plugin.client()
    made = nova_plugin.call_with_retry_policy(
        'create', client.keypairs.create, name='by-keyword',
        public_key=keys.generate()[1])
    assert made.name == 'by-keyword'
    assert nova_plugin.call_with_retry(
        client.keypairs.get, keypair='by-keyword').name == 'by-keyword'


def openssh_public_key(private_pem):
    private = serialization.load_pem_private_key(private_pem.encode(),
                                                 password=None)
    return private.public_key().public_bytes(
        serialization.Encoding.OpenSSH,
        serialization.PublicFormat.OpenSSH).decode()


@pytest.mark.parametrize('policy', ['create_cleanup', 'create'])
@pytest.mark.parametrize('selector', SELECTORS)
def test_generated_keypairs_are_cleaned_up_and_made_again(
        nova_plugin, cloud, selector, policy):
    cloud.set_faults(on_posts('compute', '^/os-keypairs$', selector))
    client = nova_plugin.client(version='2.91')
    names = ['gen-%d' % i for i in range(CREATES)]
    made = [nova_plugin.call_with_retry_policy(
        policy, client.keypairs.create, name) for name in names]
    for keypair in made:
        held = client.keypairs.get(keypair.name).public_key
        assert openssh_public_key(keypair.private_key).split()[:2] == \
            held.split()[:2]
    assert_keypairs_are_the_ones_returned(client, cloud, made, names)


def _project(plugin, client, cloud, name):
    return plugin.call_with_retry_policy('create', client.projects.create,
                                         name, cloud.domain_id)


def _user(plugin, client, cloud, name):
    return plugin.call_with_retry_policy('create', client.users.create,
                                         name, domain=cloud.domain_id,
                                         password='pw-' + name)


@pytest.mark.parametrize('selector', SELECTORS)
@pytest.mark.parametrize('kind, collection, call', [
    ('project', 'projects', _project), ('user', 'users', _user)])
def test_projects_and_users(keystone_plugin, cloud, selector, kind,
                            collection, call):
    cloud.set_faults(on_posts('identity', '^/%s$' % collection, selector))
    client = keystone_plugin.client().client
    names = ['%s-%d' % (kind, i) for i in range(CREATES)]
    made = [call(keystone_plugin, client, cloud, name) for name in names]
    assert [m.name for m in made] == names
    assert_nothing_duplicated_or_leaked(cloud, kind, [m.id for m in made],
                                        names)

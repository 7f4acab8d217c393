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

"""Heat's own Keystone creates: EC2 credentials and stack domain users.

Heat's real ``create_ec2_keypair`` and ``create_stack_domain_user*``
(heat_keystoneclient) through keystoneclient over real HTTP, under each
ambiguous fault on 1%, 5% and 30% of the POSTs and on the first attempts.
A credential is found by its access key and adopted only with its token;
another team's credential is never adopted nor touched. The fake Keystone
serves ``/v3/credentials`` as Keystone does (fakecloud.keystone_credentials).
"""

import json
import uuid

from keystoneauth1 import exceptions as ks_exceptions
import pytest

from tests.functional.conftest import AMBIGUOUS
from tests.functional.conftest import fault
from tests.functional.conftest import MARKER
from tests.functional.conftest import requests_to
from tests.functional.conftest import SELECTORS
from tests.unit.fakecloud import helpers

CREATES = 12
POST_CREDENTIALS = 'identity POST /credentials'


@pytest.fixture
def heat_keystone(keystone_plugin):
    """Heat's KeystoneClient (heat_keystoneclient), as resources use it."""
    return keystone_plugin.client()


@pytest.fixture
def other_team(cloud):
    return helpers.keystone(helpers.make_session(cloud))


def ec2_blob(access=None):
    return json.dumps({'access': access or uuid.uuid4().hex,
                       'secret': uuid.uuid4().hex})


def held_credentials(cloud):
    return sorted(c['id'] for c in cloud.objects('credential'))


def on_posts(path, selector, kind):
    return fault(path, 'POST', {'kind': kind}, service='identity',
                 **selector)


@pytest.mark.parametrize('selector', SELECTORS)
@pytest.mark.parametrize('kind', AMBIGUOUS)
def test_ec2_keypairs(heat_keystone, cloud, other_team, kind, selector):
    user_id = cloud.user_id
    with cloud.state.preexisting():
        theirs = other_team.credentials.create(
            user=user_id, type='ec2', blob=ec2_blob(),
            project=cloud.project_id)
    cloud.set_faults(on_posts('^/credentials$', selector, kind))
    made = [heat_keystone.create_ec2_keypair(user_id)
            for _ in range(CREATES)]
    assert held_credentials(cloud) == sorted(m.id for m in made)
    for keypair in made:
        stored = cloud.state.get('credential', keypair.id)
        assert json.loads(stored['blob']) == {'access': keypair.access,
                                              'secret': keypair.secret}
        assert stored[MARKER]
    kept = other_team.credentials.get(theirs.id)
    assert kept.blob == theirs.blob and not hasattr(kept, MARKER)
    assert cloud.state.seeded_summary()['preexisting_deleted_total'] == 0


def test_a_credential_of_the_access_key_without_the_token_is_not_ours(
        keystone_plugin, cloud, other_team):
    user_id = cloud.user_id
    blob = ec2_blob()
    with cloud.state.preexisting():
        theirs = other_team.credentials.create(
            user=user_id, type='ec2', blob=blob, project=cloud.project_id)
    cloud.reset_counters()
    # Processed (Keystone answers 409 inside), then a 500 instead.
    cloud.set_faults(fault('^/credentials$', 'POST',
                           {'kind': 'ambiguous_500'}, service='identity'))
    with pytest.raises(ks_exceptions.Conflict):
        keystone_plugin.client().client.credentials.create(
            user=user_id, type='ec2', blob=blob, project=cloud.project_id)
    assert requests_to(cloud, POST_CREDENTIALS) == {'500': 1, '409': 1}
    assert not hasattr(other_team.credentials.get(theirs.id), MARKER)
    assert cloud.state.seeded_summary()['preexisting_deleted_total'] == 0


def test_a_resend_that_meets_our_own_late_credential_adopts_it(
        heat_keystone, cloud, sleeps):
    user_id = cloud.user_id
    cloud.set_faults(fault('^/credentials$', 'POST',
                           {'kind': 'slow_create', 'seconds': 0.2},
                           service='identity'))
    sleeps.on_sleep = lambda: helpers.poll(
        lambda: cloud.objects('credential'))
    made = heat_keystone.create_ec2_keypair(user_id)
    assert requests_to(cloud, POST_CREDENTIALS) == {'504': 1, '409': 1}
    assert held_credentials(cloud) == [made.id]


# -- the stack domain ---------------------------------------------------------

@pytest.fixture
def stack_domain(cloud, heat_conf):
    """A stack user domain with its admin, configured as Heat's."""
    admin = helpers.keystone(helpers.make_session(cloud))
    with cloud.state.preexisting():
        domain = admin.domains.create('heat')
        domain_admin = admin.users.create('heat_domain_admin',
                                          domain=domain,
                                          password='domain-secret')
        admin.roles.grant(admin.roles.list(name='admin')[0],
                          user=domain_admin, domain=domain)
        admin.roles.create('heat_stack_user')
        project = admin.projects.create('stack-project', domain)
    heat_conf.set(stack_user_domain_id=domain.id,
                  stack_domain_admin='heat_domain_admin',
                  stack_domain_admin_password='domain-secret')
    return project


@pytest.mark.parametrize('kind', AMBIGUOUS)
def test_a_stack_domain_user_and_its_keypair_are_made_once(
        keystone_plugin, cloud, stack_domain, kind):
    cloud.set_faults(
        on_posts('^/users$', {'first': 2}, kind) +
        on_posts('^/credentials$', {'first': 2}, kind))
    heat_keystone = keystone_plugin.client()
    user_id = heat_keystone.create_stack_domain_user(
        'deployment-user', stack_domain.id, password='pw')
    keypair = heat_keystone.create_stack_domain_user_keypair(
        user_id, stack_domain.id)
    (user,) = cloud.objects('user')
    assert (user['id'], user['domain_id']) == (user_id,
                                               stack_domain.domain_id)
    assert user[MARKER]
    assert held_credentials(cloud) == [keypair.id]
    assert cloud.state.get('credential', keypair.id)['user_id'] == user_id

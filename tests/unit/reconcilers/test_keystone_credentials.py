"""Keystone EC2 credentials: the access key finds it, the token proves it."""

import json

import pytest

from heat_retry_plugins.reconcilers import keystone_credentials as creds
from heat_retry_plugins.session import ownership
from tests.unit.reconcilers import fakes

URL = 'http://keystone.example/v3/credentials'
MARKER = ownership.MARKER
Credential = creds.CredentialReconciler


def ec2(access='access-1', **extra):
    return dict({'user_id': 'user-1', 'project_id': 'project-1',
                 'type': 'ec2', 'blob': json.dumps({
                     'access': access, 'secret': 'secret-1'})}, **extra)


def test_an_ec2_credential_carries_the_token_as_an_extra_attribute():
    marked = Credential.mark(fakes.create(URL, {'credential': ec2()}))
    assert marked.body['credential'] == ec2(**{MARKER: fakes.TOKEN})


@pytest.mark.parametrize('credential', [
    ec2(type='totp'), dict(ec2(), user_id=None), ec2(blob='not json'),
    ec2(blob=json.dumps({'secret': 's'})), ec2(blob=json.dumps(['a']))])
def test_what_has_no_access_key_or_user_is_sent_under_never(credential):
    assert Credential.mark(fakes.create(URL, {'credential': credential})) \
        is None


def test_the_lookup_lists_the_users_ec2_credentials_of_the_access_key():
    marked = Credential.mark(fakes.create(URL, {'credential': ec2()}))
    reconciler, lookup = fakes.reconciler(Credential, marked, {
        'credentials': [dict(ec2(), id='ours', **{MARKER: fakes.TOKEN}),
                        dict(ec2('access-2'), id='other-key'),
                        dict(ec2(), id='theirs')]})
    found = reconciler.find()
    assert lookup.query() == ('/v3/credentials', {'user_id': 'user-1',
                                                  'type': 'ec2'})
    assert [f.member['id'] for f in found] == ['ours', 'theirs']
    assert [reconciler.is_ours(f) for f in found] == [True, False]


def test_log_lines_name_the_credential_by_type_and_user_not_its_keys():
    marked = Credential.mark(fakes.create(URL, {'credential': ec2()}))
    reconciler, _ = fakes.reconciler(Credential, marked)
    assert reconciler.name == 'ec2 of user user-1'

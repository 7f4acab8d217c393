"""Shared tokens and documents, without HTTP."""

import io
import json

import pytest
import requests

from heat_retry_plugins.session import sharing


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


class Access:
    def __init__(self, token):
        self.auth_token = token


class Auth:
    """keystoneauth's auth plugin interface, as SharedTokens uses it."""

    def __init__(self, principal):
        self.principal = principal
        self.auth_ref = None

    def get_cache_id(self):
        return self.principal

    def get_auth_state(self):
        return json.dumps({'token': self.auth_ref.auth_token})

    def set_auth_state(self, state):
        self.auth_ref = Access(json.loads(state)['token'])


def response(status=200, body=b'{"versions": []}'):
    made = requests.Response()
    made.status_code = status
    made.raw = io.BytesIO(body)
    return made


def test_a_token_is_lent_to_the_same_principal_only():
    tokens = sharing.SharedTokens()
    first = Auth('alice@p1')
    first.auth_ref = Access('t1')
    tokens.keep(first)
    same, other = Auth('alice@p1'), Auth('alice@p2')
    tokens.lend(same)
    tokens.lend(other)
    assert same.auth_ref.auth_token == 't1'
    assert other.auth_ref is None


def test_a_plugin_with_a_token_keeps_its_own():
    tokens = sharing.SharedTokens()
    first = Auth('alice')
    first.auth_ref = Access('t1')
    tokens.keep(first)
    second = Auth('alice')
    second.auth_ref = Access('t2')
    tokens.lend(second)
    assert second.auth_ref.auth_token == 't2'


def test_a_forgotten_token_is_lent_no_more_but_a_newer_one_stays():
    tokens = sharing.SharedTokens()
    first = Auth('alice')
    first.auth_ref = Access('t1')
    tokens.keep(first)
    stale = Auth('alice')
    stale.auth_ref = Access('t0')
    tokens.forget(stale)   # an older token: the shared one stays
    fresh = Auth('alice')
    tokens.lend(fresh)
    assert fresh.auth_ref.auth_token == 't1'
    tokens.forget(first)
    late = Auth('alice')
    tokens.lend(late)
    assert late.auth_ref is None


def test_plugins_without_a_cache_id_share_nothing():
    tokens = sharing.SharedTokens()
    first = Auth(None)
    first.auth_ref = Access('t1')
    tokens.keep(first)
    second = Auth(None)
    tokens.lend(second)
    assert second.auth_ref is None


@pytest.mark.parametrize('method, url, expected', [
    ('GET', '', True), ('GET', '/', True), ('GET', '/v2.1', True),
    ('GET', '/v2/schemas/image', True), ('GET', 'http://h:1/v3/', True),
    ('GET', '/servers', False), ('GET', '/?limit=1', False),
    ('POST', '/', False), ('GET', '/v2/images', False)])
def test_what_counts_as_a_static_document(method, url, expected):
    assert sharing.SharedDocuments.is_document(method, url) is expected


def test_documents_are_kept_for_their_ttl_only():
    clock = Clock()
    documents = sharing.SharedDocuments(clock=clock)
    documents.put('k', response())
    assert documents.get('k').json() == {'versions': []}
    clock.now += sharing.DOCUMENT_TTL + 1
    assert documents.get('k') is None


def test_error_responses_are_not_kept():
    documents = sharing.SharedDocuments(clock=Clock())
    documents.put('k', response(503))
    assert documents.get('k') is None


def test_the_stores_are_bounded():
    tokens = sharing.SharedTokens(limit=2)
    for name in ('a', 'b', 'c'):
        auth = Auth(name)
        auth.auth_ref = Access(name)
        tokens.keep(auth)
    oldest = Auth('a')
    tokens.lend(oldest)
    assert oldest.auth_ref is None

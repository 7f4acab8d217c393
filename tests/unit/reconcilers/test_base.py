"""The shared reconciler: wrapped and bare bodies, responses, lookups."""

import io
import json

import requests

from heat_retry_plugins.reconcilers import base
from heat_retry_plugins.session import ownership
from tests.unit.reconcilers import fakes


class Wrapped(base.JsonReconciler):
    service, route = 'test', r'/things$'
    member, collection = 'thing', 'things'


class Bare(base.JsonReconciler):
    service, route = 'test', r'/bare$'
    member, collection = None, 'bare'


def response(body, status=201):
    content = json.dumps(body).encode()
    made = requests.Response()
    made.status_code = status
    made.raw = io.BytesIO(content)
    made.headers['Content-Length'] = str(len(content))
    return made


def test_a_wrapped_create_is_marked_in_its_member():
    marked = Wrapped.mark(fakes.create('/things', {'thing': {'name': 'a'},
                                                   'other': 1}))
    assert marked.body == {'thing': {'name': 'a', ownership.MARKER:
                                     fakes.TOKEN}, 'other': 1}


def test_a_bare_create_is_marked_in_the_body_itself():
    marked = Bare.mark(fakes.create('/bare', {'name': 'a'}))
    assert marked.body == {'name': 'a', ownership.MARKER: fakes.TOKEN}


def test_member_of_a_body_without_the_member_is_empty():
    assert Wrapped.member_of({'thing': 'x'}) == {}
    assert Wrapped.member_of({}) == {}
    assert Bare.member_of({'id': 'x'}) == {'id': 'x'}


def test_respond_and_kept_id_follow_the_bodys_shape():
    wrapped = Wrapped(None, fakes.create('/things', {'thing': {}}))
    bare = Bare(None, fakes.create('/bare', {}))
    for reconciler, body in ((wrapped, {'thing': {'id': 'x'}}),
                             (bare, {'id': 'x'})):
        adopted = reconciler.respond(base.Found(response(body, 200),
                                                {'id': 'x'}))
        assert adopted.json() == body
        assert 'Content-Length' not in adopted.headers
        assert reconciler.kept_id(response(body)) == 'x'


def test_kept_id_of_a_body_that_is_no_object_is_none():
    reconciler = Wrapped(None, fakes.create('/things', {'thing': {}}))
    assert reconciler.kept_id(response(['x'])) is None
    assert reconciler.kept_id(response({'thing': 'x'})) is None


def test_complete_adds_the_secrets_and_keeps_the_rest_of_the_body():
    create = fakes.create('/things', {'thing': {'name': 'a'}})
    reconciler = Wrapped(None, create.__class__(
        create.method, create.url, create.body, create.token,
        secrets={'private_key': 'k'}))
    completed = reconciler.complete(response({'thing': {'id': 'x'},
                                              'other': 1}))
    assert completed.json() == {'thing': {'id': 'x', 'private_key': 'k'},
                                'other': 1}


def test_listed_keeps_what_the_filter_accepts_and_shown_maps_404_to_none():
    reconciler = Wrapped(fakes.RecordingLookup(
        {'things': [{'id': 'a'}, {'id': 'b'}, 'junk']}, None,
        {'thing': {'id': 'c'}}), fakes.create('/things', {'thing': {}}))
    assert [f.member['id'] for f in reconciler.listed(
        '/things', lambda m: m['id'] == 'b')] == ['b']
    assert reconciler.shown('/things/x') == []
    assert [f.member for f in reconciler.shown('/things/c')] == [
        {'id': 'c'}]

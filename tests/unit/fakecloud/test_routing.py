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

"""Routes, service paths and responses."""

import pytest

from heat_retry_plugins.fakecloud import routing


@pytest.mark.parametrize('path,prefix,expected', [
    ('/v2.1/servers/abc', '/v2.1', '/servers/abc'),
    ('/v2.1/servers/', '/v2.1', '/servers'),
    ('/v2.1', '/v2.1', '/v2.1'),
    ('/v2.1/', '/v2.1', '/v2.1'),
    ('/', '/v2.1', '/'),
    ('/v3/auth/tokens', '/v3', '/auth/tokens'),
    ('/v2/images', '/v2', '/images'),
    ('/v2.10/x', '/v2.1', '/v2.10/x'),
    ('/v3/users/a%20b', '/v3', '/users/a b'),
])
def test_split_path(path, prefix, expected):
    assert routing.split_path(path, prefix) == expected


def test_templates_match_one_segment_per_parameter():
    regex = routing.compile_template('/servers/{id}/metadata/{key}')
    assert regex.match('/servers/1/metadata/k').groupdict() == {
        'id': '1', 'key': 'k'}
    assert regex.match('/servers/1/2/metadata/k') is None
    assert routing.compile_template('/a.b').match('/aXb') is None


class _Service(routing.Service):
    name = 'test'

    def register(self):
        self.route('GET', '/things', lambda r: routing.Response(200, []))
        self.route('POST', '/things', self.create)
        self.route('GET', '/open', lambda r: routing.Response(200),
                   auth=False)

    def create(self, request):
        raise routing.HTTPError(409, 'taken')


class _Cloud:
    def __init__(self, state):
        self.state = state

    def endpoint(self, service):
        return 'http://keystone/v3'


class _State:
    def validate_token(self, token):
        return 'token' if token == 'good' else None


def _request(method, path, token='good'):
    headers = {'X-Auth-Token': token} if token else {}
    return routing.Request('test', method, path, {}, headers)


def test_dispatch_auth_errors_and_templates():
    service = _Service(_Cloud(_State()))
    assert service.match('GET', '/things')[2] == '/things'
    assert service.match('DELETE', '/things')[0] is None
    assert service.match('DELETE', '/things')[2] == '/things'
    assert service.match('GET', '/nothing')[2] == routing.UNKNOWN_ROUTE
    assert service.handle(_request('GET', '/things')).status == 200
    assert service.handle(_request('HEAD', '/things')).status == 200
    assert service.handle(_request('DELETE', '/things')).status == 405
    assert service.handle(_request('GET', '/nothing')).status == 404
    conflict = service.handle(_request('POST', '/things'))
    assert conflict.status == 409
    assert conflict.body['error']['message'] == 'taken'
    denied = service.handle(_request('GET', '/things', token='bad'))
    assert denied.status == 401
    assert denied.headers['WWW-Authenticate'] == (
        'Keystone uri="http://keystone/v3"')
    assert service.handle(_request('GET', '/open', token=None)).status == 200


def test_response_payloads_and_next_query():
    assert routing.Response(200, {'a': 1}).payload() == b'{"a": 1}'
    assert routing.Response(204).payload() == b''
    assert routing.Response(200, 'x').payload() == b'x'
    request = routing.Request('test', 'GET', '/images',
                              {'name': ['a b'], 'marker': ['old']}, {})
    assert routing.next_query(request, limit=2, marker='m') == (
        'name=a+b&limit=2&marker=m')
    assert routing.request_id().startswith('req-')

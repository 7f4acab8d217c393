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

"""Keystone v3 credentials, as Heat's signal transports make them.

As Keystone does: the id of an ``ec2`` credential is the SHA-256 of its
access key, so a second one of the same key answers 409; any attribute
Keystone does not know is kept and returned (an extra attribute); lists
filter on ``user_id`` and ``type``.
"""

import hashlib
import json
import uuid

from heat_retry_plugins.fakecloud import routing

HTTPError = routing.HTTPError
Request = routing.Request
Response = routing.Response


class IdentityCredentials:
    """``/v3/credentials``: a mixin of the fake Keystone."""

    def register_credentials(self) -> None:
        """Declare the routes."""
        self.route('POST', '/credentials', self.create_credential)
        self.route('GET', '/credentials', self.list_credentials)
        self.route('GET', '/credentials/{id}', self.show_credential)
        self.route('DELETE', '/credentials/{id}', self.delete_credential)

    def _render_credential(self, obj: dict) -> dict:
        return dict(obj, links={'self': self.link('credentials', obj['id'])})

    def create_credential(self, request: Request) -> Response:
        """``POST /v3/credentials``.

        :param request: the request.
        :returns: 201 with the credential; 400 for a bad body; 409 for an
            ec2 credential of an access key that exists.
        """
        ref = (request.json() or {}).get('credential')
        if not isinstance(ref, dict) or not all(
                isinstance(ref.get(k), str) for k in ('blob', 'type',
                                                      'user_id')):
            raise HTTPError(400, 'Invalid credential.')
        obj = dict(ref, id=uuid.uuid4().hex, name=None)
        if ref['type'] == 'ec2':
            try:
                access = json.loads(ref['blob'])['access']
            except (ValueError, TypeError, KeyError):
                raise HTTPError(400, 'Invalid blob in credential.')
            obj['id'] = hashlib.sha256(str(access).encode()).hexdigest()
        with self.state.lock:
            if self.state.get('credential', obj['id']) is not None:
                raise HTTPError(409, 'Conflict occurred attempting to store '
                                     'credential - Duplicate ID, %s.'
                                % obj['id'])
            self.state.add('credential', obj)
        return Response(201, {'credential': self._render_credential(obj)})

    def list_credentials(self, request: Request) -> Response:
        """``GET /v3/credentials``, filtered on user_id and type.

        :param request: the request.
        :returns: the response.
        """
        found = self.state.list('credential', user_id=request.arg('user_id'),
                                type=request.arg('type'))
        return Response(200, {
            'credentials': [self._render_credential(c) for c in found],
            'links': self.list_links('credentials')})

    def _credential(self, request: Request) -> dict:
        obj = self.state.get('credential', request.params['id'])
        if obj is None:
            raise HTTPError(404, 'Could not find credential: %s.'
                            % request.params['id'])
        return obj

    def show_credential(self, request: Request) -> Response:
        """``GET /v3/credentials/{id}``.

        :param request: the request.
        :returns: the response.
        """
        return Response(200, {'credential': self._render_credential(
            self._credential(request))})

    def delete_credential(self, request: Request) -> Response:
        """``DELETE /v3/credentials/{id}``.

        :param request: the request.
        :returns: 204.
        """
        self.state.remove('credential', self._credential(request)['id'])
        return Response(204)

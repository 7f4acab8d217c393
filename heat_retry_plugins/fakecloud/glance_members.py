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

"""Glance v2 image members: a ``shared`` image's projects.

A mixin of :class:`~heat_retry_plugins.fakecloud.glance.GlanceService`.
Memberships are stored as ``image_member`` objects (no name: never counted
as duplicates); a new one is ``pending`` until the member accepts it.
"""

import json
from typing import Optional

from heat_retry_plugins.fakecloud import routing

HTTPError = routing.HTTPError
Request = routing.Request
Response = routing.Response


def member_key(image_id: str, member_id: Optional[str]) -> str:
    """Name the stored membership of a project in an image.

    :param image_id: the image.
    :param member_id: the member project.
    :returns: the ``image_member`` object id.
    """
    return '%s/%s' % (image_id, member_id)


class ImageMembers:
    """Route handlers of image members (a Service mixin)."""

    def register_image_members(self) -> None:
        """Declare the routes."""
        self.route('GET', '/images/{id}/members', self.list_members)
        self.route('POST', '/images/{id}/members', self.add_member)
        self.route('GET', '/images/{id}/members/{member}', self.show_member)
        self.route('PUT', '/images/{id}/members/{member}',
                   self.update_member)
        self.route('DELETE', '/images/{id}/members/{member}',
                   self.delete_member)

    @staticmethod
    def _member_body(member: dict) -> dict:
        return {'image_id': member['image_id'],
                'member_id': member['member_id'],
                'status': member['status'],
                'created_at': member['created_at'],
                'updated_at': member['updated_at'],
                'schema': '/v2/schemas/member'}

    def _find_member(self, request: Request) -> dict:
        image = self.find_image(request)
        member = self.state.get('image_member', member_key(
            image['id'], request.params['member']))
        if member is None:
            raise HTTPError(404, '%s is not a member of image %s'
                            % (request.params['member'], image['id']))
        return member

    def list_members(self, request: Request) -> Response:
        """``GET /v2/images/{id}/members``.

        :param request: the request.
        :returns: the response.
        """
        image = self.find_image(request)
        members = self.state.list('image_member', image_id=image['id'])
        return Response(200, {'members': [self._member_body(m)
                                          for m in members],
                              'schema': '/v2/schemas/members'})

    def add_member(self, request: Request) -> Response:
        """``POST /v2/images/{id}/members``: share a ``shared`` image.

        :param request: the request.
        :returns: the response (200, the member, ``pending``).
        :raises HTTPError: 403 unless the image is ``shared``, 409 when the
            project is a member already.
        """
        body = request.json()
        member_id = body.get('member') if isinstance(body, dict) else None
        if not isinstance(member_id, str) or not member_id:
            raise HTTPError(400, 'Member to be added not specified')
        with self.state.lock:
            image = self.owned_image(request)
            if image['visibility'] != 'shared':
                raise HTTPError(403, 'Only shared images have members.')
            key = member_key(image['id'], member_id)
            if self.state.get('image_member', key) is not None:
                raise HTTPError(409, 'Member %s already associated with '
                                     'image %s.' % (member_id, image['id']))
            now = self.now()
            member = self.state.add('image_member', {
                'id': key, 'image_id': image['id'], 'member_id': member_id,
                'status': 'pending', 'created_at': now, 'updated_at': now})
        return Response(200, self._member_body(member))

    def show_member(self, request: Request) -> Response:
        """``GET /v2/images/{id}/members/{member}``.

        :param request: the request.
        :returns: the response.
        """
        return Response(200, self._member_body(self._find_member(request)))

    def update_member(self, request: Request) -> Response:
        """``PUT /v2/images/{id}/members/{member}``: accept or reject.

        :param request: the request.
        :returns: the response.
        :raises HTTPError: 400 on a bad status.
        """
        body = request.json()
        status = body.get('status') if isinstance(body, dict) else None
        if status not in ('pending', 'accepted', 'rejected'):
            raise HTTPError(400, 'Invalid status: %s' % json.dumps(status))
        with self.state.lock:
            member = self._find_member(request)
            member.update(status=status, updated_at=self.now())
        return Response(200, self._member_body(member))

    def delete_member(self, request: Request) -> Response:
        """``DELETE /v2/images/{id}/members/{member}``.

        :param request: the request.
        :returns: the response (204).
        """
        with self.state.lock:
            self.owned_image(request)
            self.state.remove('image_member',
                              self._find_member(request)['id'])
        return Response(204)

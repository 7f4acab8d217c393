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

"""Nova volume attachments: ``/servers/{id}/os-volume_attachments``.

A mixin of :class:`~heat_retry_plugins.fakecloud.nova.NovaService`, on the
Cinder volumes of the same cloud state (see
:mod:`heat_retry_plugins.fakecloud.cinder_lifecycle` for the statuses). The
attachment id is the volume id, as in Nova. Attaching a volume that is
already attached to the server, or that is not ``available``, is a 400
(``InvalidVolume``, as real Nova answers; tempest's
``test_attach_attached_volume_to_same_server`` expects BadRequest); a server
still building is a 409. Deleting a server detaches its volumes at once.
"""

from heat_retry_plugins.fakecloud import cinder_lifecycle as lifecycle
from heat_retry_plugins.fakecloud import microversions
from heat_retry_plugins.fakecloud import routing

HTTPError = routing.HTTPError
Request = routing.Request
Response = routing.Response

_DEVICE_LETTERS = 'bcdefghijklmnopqrstuvwxyz'


class ComputeVolumes:
    """Route handlers of server volume attachments (a Service mixin)."""

    def register_volumes(self) -> None:
        """Declare the volume attachment routes."""
        base = '/servers/{id}/os-volume_attachments'
        self.route('POST', base, self.attach_volume)
        self.route('GET', base, self.list_volume_attachments)
        self.route('GET', base + '/{volume_id}', self.show_volume_attachment)
        self.route('DELETE', base + '/{volume_id}', self.detach_volume)

    def _attach_delay(self) -> float:
        return self.cloud.services['volumev3'].attach_seconds

    def _attachments(self, server: dict) -> list:
        return [a for a in self.state.list('volume_attachment',
                                           server_id=server['id'])]

    def render_attachment(self, request: Request, attachment: dict) -> dict:
        """Render an attachment for the request's microversion.

        :param request: the request.
        :param attachment: the stored attachment.
        :returns: the API representation.
        """
        version = self.mv(request)
        body = {'volumeId': attachment['volume_id'],
                'serverId': attachment['server_id'],
                'device': attachment['device']}
        if version < (2, 89):
            body['id'] = attachment['volume_id']
        if version >= (2, 70):
            body['tag'] = attachment.get('tag')
        if version >= (2, 79):
            body['delete_on_termination'] = attachment.get(
                'delete_on_termination', False)
        if version >= (2, 89):
            body.update({'attachment_id': attachment['id'],
                         'bdm_uuid': attachment['bdm_uuid']})
        return body

    def _find_attachment(self, request: Request, server: dict) -> dict:
        volume_id = request.params['volume_id']
        attachment = self.state.find('volume_attachment', server_id=server[
            'id'], volume_id=volume_id)
        if attachment is None:
            raise HTTPError(404, 'Instance %s is not attached to volume %s'
                            % (server['id'], volume_id))
        return attachment

    def _device(self, server: dict, wanted: object) -> str:
        used = {a['device'] for a in self._attachments(server)}
        if wanted is not None:
            if not isinstance(wanted, str) or not wanted.startswith('/dev/'):
                raise HTTPError(400, 'The supplied device path (%s) is '
                                     'invalid.' % (wanted,))
            if wanted in used:
                raise HTTPError(409, 'The supplied device path (%s) is in '
                                     'use.' % wanted)
            return wanted
        for letter in _DEVICE_LETTERS:
            if '/dev/vd' + letter not in used:
                return '/dev/vd' + letter
        raise HTTPError(403, 'The maximum allowed number of disk devices '
                             '(26) to attach to a single instance has been '
                             'exceeded.')

    def _check_attachable(self, server: dict, volume: dict) -> None:
        if self.server_status(server) != 'ACTIVE':
            raise HTTPError(409, "Cannot 'attach_volume' instance %s while "
                                 "it is in vm_state building" % server['id'])
        current = lifecycle.attachment_of(self.state, volume['id'])
        if current is not None and current['server_id'] == server['id']:
            raise HTTPError(400, 'Invalid volume: volume %s already attached'
                            % volume['id'])
        status = lifecycle.status_of(self.state, volume)
        if status != 'available':
            raise HTTPError(400, 'Invalid volume: Volume %s status must be '
                                 'available or downloading to reserve, but '
                                 'the current status is %s.'
                            % (volume['id'], status))

    def attach_volume(self, request: Request) -> Response:
        """``POST /servers/{id}/os-volume_attachments``.

        :param request: the request.
        :returns: 200 with the attachment (the volume is ``attaching``).
        """
        ref = (request.json() or {}).get('volumeAttachment')
        if not isinstance(ref, dict) or not isinstance(ref.get('volumeId'),
                                                       str):
            raise HTTPError(400, "Invalid input for field/attribute "
                                 "volumeAttachment. 'volumeId' is a required"
                                 " property")
        lifecycle.settle(self.state)
        with self.state.lock:
            server = self.find_server(request)
            volume = self.state.get('volume', ref['volumeId'])
            if volume is None:
                raise HTTPError(404, 'Volume %s could not be found.'
                                % ref['volumeId'])
            self._check_attachable(server, volume)
            device = self._device(server, ref.get('device'))
            attachment = lifecycle.attach(self.state, volume, server,
                                          device, self._attach_delay())
            attachment['tag'] = ref.get('tag')
            attachment['delete_on_termination'] = bool(
                ref.get('delete_on_termination', False))
            body = {'id': volume['id'], 'serverId': server['id'],
                    'volumeId': volume['id'], 'device': device}
            body.update(microversions.since(self.mv(request), (
                ((2, 70), 'tag', attachment['tag']),
                ((2, 79), 'delete_on_termination',
                 attachment['delete_on_termination']))))
        return Response(200, {'volumeAttachment': body})

    def list_volume_attachments(self, request: Request) -> Response:
        """``GET /servers/{id}/os-volume_attachments``.

        :param request: the request.
        :returns: the response.
        """
        lifecycle.settle(self.state)
        with self.state.lock:
            server = self.find_server(request)
            return Response(200, {'volumeAttachments': [
                self.render_attachment(request, a)
                for a in self._attachments(server)]})

    def show_volume_attachment(self, request: Request) -> Response:
        """``GET /servers/{id}/os-volume_attachments/{volume_id}``.

        :param request: the request.
        :returns: the response, or 404 once detached.
        """
        lifecycle.settle(self.state)
        with self.state.lock:
            server = self.find_server(request)
            return Response(200, {'volumeAttachment': self.render_attachment(
                request, self._find_attachment(request, server))})

    def detach_volume(self, request: Request) -> Response:
        """``DELETE /servers/{id}/os-volume_attachments/{volume_id}``.

        :param request: the request.
        :returns: 202 (the volume is ``detaching``), or 404.
        """
        lifecycle.settle(self.state)
        with self.state.lock:
            server = self.find_server(request)
            if self.state.get('volume', request.params['volume_id']) is None:
                raise HTTPError(404, 'Volume %s could not be found.'
                                % request.params['volume_id'])
            attachment = self._find_attachment(request, server)
            lifecycle.detach(self.state, attachment, self._attach_delay())
        return Response(202)

    def detach_server_volumes(self, server: dict) -> None:
        """Detach every volume of a server being deleted, at once.

        Volumes attached with ``delete_on_termination`` are deleted.

        :param server: the stored server (the caller holds the lock).
        """
        for attachment in self._attachments(server):
            lifecycle.detach(self.state, attachment, 0)
            if attachment.get('delete_on_termination'):
                self.state.remove('volume', attachment['volume_id'])

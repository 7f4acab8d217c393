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

"""The lifecycle of a volume and its attachment, shared by Cinder and Nova.

Functions on the cloud state. A volume is ``creating`` until its
``_ready_at``, then ``available``. Nova attaches it (:func:`attach`, one
``volume_attachment`` object): ``attaching`` for the delay given, then
``in-use`` with the attachment listed; a detach is ``detaching`` for the
delay given, then the attachment is gone (settled by the next request that
reads volumes or attachments) and the volume ``available``.
"""

import time
from typing import Any
from typing import Optional
import uuid

from heat_retry_plugins.fakecloud import state as state_mod


def cinder_time() -> str:
    """Return a Cinder timestamp.

    :returns: e.g. ``'2024-05-01T12:00:00.000000'``.
    """
    return state_mod.isotime(state_mod.utcnow()).rstrip('Z')


def settle(state: Any) -> None:
    """Drop the attachments whose detach has finished.

    :param state: the CloudState.
    """
    now = time.monotonic()
    with state.lock:
        for attachment in state.list('volume_attachment'):
            if attachment['_detach_at'] is not None and (
                    attachment['_detach_at'] <= now):
                state.remove('volume_attachment', attachment['id'])


def attachment_of(state: Any, volume_id: str) -> Optional[dict]:
    """Find the attachment of a volume.

    :param state: the CloudState.
    :param volume_id: the volume.
    :returns: the stored attachment, or None.
    """
    return state.find('volume_attachment', volume_id=volume_id)


def status_of(state: Any, volume: dict) -> str:
    """Compute a volume's status from its clocks and attachment.

    :param state: the CloudState.
    :param volume: the stored volume.
    :returns: ``creating``, ``available``, ``attaching``, ``in-use``,
        ``detaching``, or a status set by an action.
    """
    now = time.monotonic()
    if now < volume['_ready_at']:
        return 'creating'
    attachment = attachment_of(state, volume['id'])
    if attachment is None:
        return volume['_status']
    if attachment['_detach_at'] is not None:
        return 'detaching' if now < attachment['_detach_at'] else (
            volume['_status'])
    return 'attaching' if now < attachment['_attach_at'] else 'in-use'


def attach(state: Any, volume: dict, server: dict, device: str,
           delay: float) -> dict:
    """Attach a volume to a server (Nova's side of the attach).

    :param state: the CloudState (the caller holds its lock and has checked
        that the volume is ``available``).
    :param volume: the stored volume.
    :param server: the stored server.
    :param device: the device path.
    :param delay: seconds the volume stays ``attaching``.
    :returns: the stored attachment.
    """
    return state.add('volume_attachment', {
        'id': str(uuid.uuid4()), 'volume_id': volume['id'],
        'server_id': server['id'], 'device': device,
        'project_id': server['project_id'], 'attached_at': cinder_time(),
        'bdm_uuid': str(uuid.uuid4()),
        '_attach_at': time.monotonic() + delay, '_detach_at': None})


def detach(state: Any, attachment: dict, delay: float) -> None:
    """Start detaching (or detach at once when ``delay`` is 0).

    :param state: the CloudState.
    :param attachment: the stored attachment.
    :param delay: seconds the volume stays ``detaching``.
    """
    if delay <= 0:
        state.remove('volume_attachment', attachment['id'])
    elif attachment['_detach_at'] is None:
        attachment['_detach_at'] = time.monotonic() + delay

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

"""The ``/metadata`` routes of Nova servers and Cinder volumes.

Both APIs treat a resource's metadata alike: ``GET .../metadata`` shows it,
``POST`` merges a ``{"metadata": {...}}`` into it, ``PUT`` replaces it;
``.../metadata/{key}`` shows one item, ``PUT`` sets it from a ``{"meta":
{key: value}}`` that names that key alone, ``DELETE`` removes it. What a
valid value is, and what a delete answers, is each service's own.
"""

from typing import Callable
from typing import Optional

from heat_retry_plugins.fakecloud import routing

HTTPError = routing.HTTPError
Request = routing.Request


def change_all(request: Request, obj: dict,
               checked: Callable[[object], dict]) -> bool:
    """Apply ``GET``, ``POST`` (merge) or ``PUT`` (replace) ``/metadata``.

    :param request: the request.
    :param obj: the stored resource (the caller holds the lock).
    :param checked: returns the body's metadata, or raises its 400.
    :returns: True when the metadata was written.
    :raises HTTPError: what ``checked`` raises.
    """
    if request.method == 'GET':
        return False
    metadata = checked((request.json() or {}).get('metadata'))
    if request.method == 'PUT':
        obj['metadata'] = {}
    obj['metadata'].update(metadata)
    return True


def change_item(request: Request, obj: dict,
                checked: Callable[[dict], dict]) -> Optional[dict]:
    """Apply ``GET``, ``PUT`` or ``DELETE /metadata/{key}``.

    :param request: the request.
    :param obj: the stored resource (the caller holds the lock).
    :param checked: returns the body's ``meta``, or raises its 400.
    :returns: the ``{"meta": {key: value}}`` body, or None after a delete.
    :raises HTTPError: 400 when the body names another key, 404 for an
        unknown key.
    """
    key = request.params['key']
    if request.method == 'PUT':
        meta = (request.json() or {}).get('meta')
        if not isinstance(meta, dict) or list(meta) != [key]:
            raise HTTPError(400, 'Request body and URI mismatch')
        obj['metadata'].update(checked(meta))
    elif key not in obj['metadata']:
        raise HTTPError(404, 'Metadata item was not found')
    elif request.method == 'DELETE':
        del obj['metadata'][key]
        return None
    return {'meta': {key: obj['metadata'][key]}}

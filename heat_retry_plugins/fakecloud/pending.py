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

"""Changes that end a while after they are answered.

Designate, Heat and Octavia answer a change at once, with the object
pending, and finish it later. A service *postpones* the end of a change by
its delay (the object is marked with the monotonic time the change ends),
or finishes it at once when the delay is 0; each request to the service
first finishes the changes that are :func:`due`. What finishing means
(``ACTIVE``, or gone after a delete) is each service's own.
"""

import time
from typing import Any

#: The key of the monotonic time at which an object's change ends.
UNTIL = '_until'


def postpone(obj: dict, seconds: float) -> bool:
    """Let the change of an object end ``seconds`` from now.

    :param obj: the stored object.
    :param seconds: the service's delay.
    :returns: False when the delay is 0 or less: the caller finishes the
        change at once.
    """
    if seconds > 0:
        obj[UNTIL] = time.monotonic() + seconds
        return True
    obj.pop(UNTIL, None)
    return False


def due(state: Any, kind: str) -> list:
    """Take the objects of a kind whose change has ended.

    :param state: the CloudState (the caller holds its lock).
    :param kind: the state kind.
    :returns: the objects to finish, their mark removed.
    """
    now = time.monotonic()
    ended = [obj for obj in state.list(kind)
             if obj.get(UNTIL) is not None and obj[UNTIL] <= now]
    for obj in ended:
        del obj[UNTIL]
    return ended

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

"""Heat's one-second stagger between the independent resources of a stack.

When the convergence engine starts a traversal (a stack create, a delete),
``heat.engine.stack.Stack._converge_create_or_update`` casts one
``check_resource`` message for every leaf of the dependency graph and
sleeps one second after each (``if scheduler.ENABLE_SLEEP:
time.sleep(1)``): N independent resources take at least N seconds to
start, in production too. That is what users get, so it stays on by
default; :func:`switched` turns it off for tests and short demos.

``scheduler.ENABLE_SLEEP = False`` is no way to do it: it also turns off
the waits of every ``TaskRunner``, so each resource's polling loop spins.
:func:`switched` instead gives ``heat.engine.stack`` (and only it) a
``time`` module whose ``sleep`` only yields, and puts the real one back
afterwards. The legacy engine has no stagger; the switch changes nothing
there.
"""

import contextlib
import time
from typing import Any
from typing import Iterator

from heat.engine import stack as stack_mod


class _Unstaggered:
    """The ``time`` module as ``heat.engine.stack`` sees it, stagger off."""

    @staticmethod
    def sleep(seconds: float) -> None:
        """Yield to other threads instead of sleeping ``seconds``."""
        time.sleep(0)

    def __getattr__(self, name: str) -> Any:
        return getattr(time, name)


_UNSTAGGERED = _Unstaggered()


def is_on() -> bool:
    """Tell whether Heat's leaf stagger is in force now.

    :returns: False inside ``switched(on=False)``, True otherwise.
    """
    return stack_mod.time is not _UNSTAGGERED


@contextlib.contextmanager
def switched(on: bool) -> Iterator[None]:
    """Run the ``with`` block with Heat's leaf stagger on or off.

    The ``time`` module ``heat.engine.stack`` had before the block is put
    back after it, so blocks nest. heatrun's runs are serialised, so no
    two blocks overlap otherwise.

    :param on: True for Heat's own behaviour, False for no stagger.
    """
    previous = stack_mod.time
    stack_mod.time = time if on else _UNSTAGGERED
    try:
        yield
    finally:
        stack_mod.time = previous

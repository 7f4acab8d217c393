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

"""Fixes of Heat 27 on Python 3.11, applied while heatrun runs the engine.

1. Heat's own ``heat.engine.service.ThreadGroup.add_thread`` replaces
oslo.service's and never removes a finished thread from the group (the
threading backend's ``add_thread`` does, through ``thread_done``). Every
event of a stack dispatches through its group, and a group holds at most
1000 threads: a convergence stack of some 250 resources or more hits
``RuntimeError: Maximum number of threads reached`` and never ends. The
same holds for a real heat-engine on the threading backend; this is
Heat's bug, not the retry plugins'. heatrun, which must run stacks of 500
resources, removes a thread from its group when it finishes, as
oslo.service does.
2. The convergence engine's ``heat.engine.sync_point`` reads the keys of
   its sync points with ``ast.literal_eval`` in every worker thread at
   once, and CPython before 3.11.8 (gh-106905) keeps the AST validator's
   recursion depth in global state: under that concurrency
   ``literal_eval`` fails now and then with "SystemError: AST constructor
   recursion depth mismatch", which fails the resource. heatrun lets one
   thread at a time parse there.

Both are Heat's (and CPython's) bugs, not the retry plugins'; both are in
force for as long as the engine runs: :func:`apply` and :func:`revert`.
"""

import ast
import threading

from heat.engine import service as service_mod
from heat.engine import sync_point

_original = None


class _SerialAst:
    """``ast`` for sync_point, whose literal_eval runs one at a time."""

    def __init__(self):
        self._lock = threading.Lock()

    def literal_eval(self, node_or_string):
        with self._lock:
            return ast.literal_eval(node_or_string)

    def __getattr__(self, name):
        return getattr(ast, name)


def _add_thread(group, func, *args, **kwargs):
    thread = _original(group, func, *args, **kwargs)
    thread.link(lambda finished, *a, **k: group.thread_done(finished))
    return thread


def apply() -> None:
    """Apply both fixes."""
    global _original
    if _original is None:
        _original = service_mod.ThreadGroup.add_thread
        service_mod.ThreadGroup.add_thread = _add_thread
        sync_point.ast = _SerialAst()


def revert() -> None:
    """Give Heat its own code back."""
    global _original
    if _original is not None:
        service_mod.ThreadGroup.add_thread = _original
        sync_point.ast = ast
        _original = None

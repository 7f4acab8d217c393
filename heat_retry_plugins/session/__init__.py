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

"""The request layer: every request of a Heat context, under its policy.

See :mod:`heat_retry_plugins.session.layer`.
"""

from heat_retry_plugins.retry import guards
from heat_retry_plugins.session import sharing
from heat_retry_plugins.session import sweeps


def reset_process_state() -> None:
    """Forget what the process keeps between calls.

    The guards (budgets, breakers), the pending sweeps and what contexts
    share (tokens, documents). For tests and benchmarks, which want each
    run to start as a fresh heat-engine would.
    """
    guards.reset_guards()
    sweeps.PENDING.clear()
    sharing.reset()

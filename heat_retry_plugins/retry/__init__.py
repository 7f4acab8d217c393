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

"""The retry engine: plain Python, no Heat, no oslo.config, no clients."""

from heat_retry_plugins.retry.breaker import CircuitBreaker  # noqa
from heat_retry_plugins.retry.budget import RetryBudget  # noqa
from heat_retry_plugins.retry.errors import CircuitOpen  # noqa
from heat_retry_plugins.retry.errors import ReconcileError  # noqa
from heat_retry_plugins.retry.errors import RetryError  # noqa
from heat_retry_plugins.retry.errors import UnknownPolicy  # noqa
from heat_retry_plugins.retry.guards import GuardKey  # noqa
from heat_retry_plugins.retry.guards import GuardSettings  # noqa
from heat_retry_plugins.retry.policies import OPERATION_POLICIES  # noqa
from heat_retry_plugins.retry.policies import operation_policy  # noqa
from heat_retry_plugins.retry.policies import OperationPolicy  # noqa
from heat_retry_plugins.retry.policies import RetryPolicy  # noqa
from heat_retry_plugins.retry.reconcile import Reconciler  # noqa
from heat_retry_plugins.retry.retrying import Attempt  # noqa
from heat_retry_plugins.retry.retrying import Retrier  # noqa
from heat_retry_plugins.retry.verdicts import Classification  # noqa
from heat_retry_plugins.retry.verdicts import Verdict  # noqa

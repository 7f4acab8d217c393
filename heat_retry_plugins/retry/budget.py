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

"""The retry budget: a token bucket of retries.

gRPC's retry throttling and the AWS SDKs' retry quota: each success earns a
fraction of a token, each retry spends one, and a floor refills it slowly so
that a quiet engine can still retry. Empty, it stops retries; first
attempts still go out. See :mod:`heat_retry_plugins.retry.guards` for who
shares one.
"""

import threading
import time
import typing


class RetryBudget:
    """A token bucket of retries.

    :param capacity: the most tokens it holds, and so the largest burst of
        retries; it starts full.
    :param ratio: the tokens a success earns (0.2: one retry per five
        successes in the long run).
    :param floor: tokens earned per second whatever happens, so that an
        engine that makes few calls can still retry.
    :param clock: a monotonic clock in seconds.
    """

    def __init__(self, capacity: float, ratio: float, floor: float,
                 clock: typing.Callable[[], float] = time.monotonic):
        self.capacity = float(capacity)
        self.ratio = float(ratio)
        self.floor = float(floor)
        self._clock = clock
        self._tokens = self.capacity
        self._refilled = clock()
        self._lock = threading.Lock()

    @property
    def tokens(self) -> float:
        """The tokens held now."""
        with self._lock:
            self._refill()
            return self._tokens

    def _refill(self):
        now = self._clock()
        self._tokens = min(self.capacity, self._tokens +
                           (now - self._refilled) * self.floor)
        self._refilled = now

    def try_spend(self) -> bool:
        """Take a token for one retry; False when there is none."""
        with self._lock:
            self._refill()
            if self._tokens < 1.0:
                return False
            self._tokens -= 1.0
            return True

    def deposit(self) -> None:
        """A call succeeded: earn ``ratio`` of a token."""
        # NOTE: under the lock although it runs after every successful
        # call: unlocked, it could overwrite a concurrent try_spend and
        # hand out a retry the budget does not hold.
        with self._lock:
            tokens = self._tokens + self.ratio
            self._tokens = tokens if tokens < self.capacity else self.capacity

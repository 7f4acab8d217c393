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

"""Counters of the requests the fake cloud served and the faults it made."""

import collections
import threading

#: The outcome of a request whose connection was closed without a response.
DROPPED = 'dropped'


class RequestCounters:
    """Thread-safe counts of requests per route and outcome, and of faults.

    A route key is ``"<service> <METHOD> <route template>"``, e.g.
    ``"compute POST /servers"``; an outcome is the status code as a string
    or ``'dropped'``.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._requests = collections.defaultdict(collections.Counter)
        self._faults = collections.Counter()

    def record_request(self, route_key: str, outcome: str) -> None:
        """Count one request.

        :param route_key: ``"<service> <METHOD> <template>"``.
        :param outcome: the status code as a string, or ``'dropped'``.
        """
        with self._lock:
            self._requests[route_key][outcome] += 1

    def record_fault(self, label: str) -> None:
        """Count one injected fault.

        :param label: the fault label (``'503'``, ``'drop_after'``...).
        """
        with self._lock:
            self._faults[label] += 1

    def snapshot(self) -> dict:
        """Copy the counts into plain, JSON-serialisable dicts.

        :returns: a dict with ``requests``, ``requests_total``, ``faults``
            and ``faults_total``.
        """
        with self._lock:
            requests = {key: dict(sorted(outcomes.items()))
                        for key, outcomes in sorted(self._requests.items())}
            faults = dict(sorted(self._faults.items()))
        return {
            'requests': requests,
            'requests_total': sum(sum(o.values()) for o in requests.values()),
            'faults': faults,
            'faults_total': sum(faults.values()),
        }

    def reset(self) -> None:
        """Set every count back to zero."""
        with self._lock:
            self._requests.clear()
            self._faults.clear()

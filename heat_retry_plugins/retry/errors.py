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

"""The exceptions this package raises itself, under one base.

Every other exception a call raises is the client library's own (the
original error of the last attempt, with ``retry_history`` attached).
"""


class RetryError(Exception):
    """Base of the exceptions raised by heat-retry-plugins itself."""


class UnknownPolicy(RetryError, ValueError):
    """A policy name that is not one of the named operation policies.

    :param name: the name asked for.
    :param known: the names there are.
    """

    def __init__(self, name, known):
        self.name = name
        super().__init__('Unknown retry policy %r: choose one of %s' % (
            name, ', '.join(sorted(known))))


class CircuitOpen(RetryError):
    """A call was not made: its service is failing and cooling down.

    :param service: the service.
    :param retry_in: seconds until a probe call is let through.
    """

    def __init__(self, service, retry_in):
        self.service = service
        self.retry_in = retry_in
        super().__init__('%s is failing: calls fail at once for %.1fs more '
                         '(circuit breaker open)' % (service, retry_in))


class ReconcileError(RetryError):
    """A lost create cannot be reconciled without guessing.

    Raised ``from`` the original failure of the create.

    :param kind: what the create makes.
    :param name: the name it was called with.
    :param resources: the ids of what the lookup found.
    :param reason: why nothing was adopted.
    """

    def __init__(self, kind, name, resources, reason):
        self.kind = kind
        self.name = name
        self.resources = list(resources)
        super().__init__('Cannot reconcile the %s named %r after its create '
                         'failed ambiguously: %s' % (kind, name, reason))

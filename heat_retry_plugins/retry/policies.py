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

"""Retry policies: how often and how long (numbers), and what is safe.

Two value objects, kept apart on purpose:

* :class:`RetryPolicy` holds the numbers an operator sets in heat.conf for
  a service: attempts, delays, jitter, deadline.
* :class:`OperationPolicy` says what is safe to repeat for a kind of
  operation (``default``, ``delete``, ``create``, ``create_cleanup``,
  ``never``); a caller picks one by name and never sets numbers.
"""

import dataclasses
import enum
import math
import typing

from heat_retry_plugins.retry import errors

DEFAULT_MAX_ATTEMPTS = 4
DEFAULT_INITIAL_DELAY = 0.5
DEFAULT_MAX_DELAY = 30.0
DEFAULT_BACKOFF_MULTIPLIER = 2.0
DEFAULT_JITTER = 'full'
DEFAULT_DEADLINE = 300.0

#: Jitter kinds, see :mod:`heat_retry_plugins.retry.backoff`.
JITTER_KINDS = ('full', 'equal', 'decorrelated', 'none')


@dataclasses.dataclass(frozen=True)
class RetryPolicy:
    """The numbers of a retry policy, as set in heat.conf for one service.

    :param max_attempts: attempts in all, the first one included; 1 means
        the call is made once and never retried.
    :param initial_delay: the backoff before the first retry, in seconds.
    :param max_delay: the cap on any one delay, Retry-After included.
    :param multiplier: the factor between consecutive backoff delays.
    :param jitter: one of :data:`JITTER_KINDS`.
    :param deadline: seconds from the start of the first attempt after
        which no retry is started.
    :raises ValueError: when a number is out of range.
    """

    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    initial_delay: float = DEFAULT_INITIAL_DELAY
    max_delay: float = DEFAULT_MAX_DELAY
    multiplier: float = DEFAULT_BACKOFF_MULTIPLIER
    jitter: str = DEFAULT_JITTER
    deadline: float = DEFAULT_DEADLINE

    def __post_init__(self):
        attempts = self.max_attempts
        if (isinstance(attempts, bool) or not isinstance(attempts, int) or
                attempts < 1):
            raise ValueError('max_attempts must be a whole number >= 1, '
                             'not %r' % (attempts,))
        for name in ('initial_delay', 'max_delay', 'deadline'):
            require_finite(name, getattr(self, name), 0)
        require_finite('multiplier', self.multiplier, 1)
        if self.jitter not in JITTER_KINDS:
            raise ValueError('jitter must be one of %s' %
                             ', '.join(JITTER_KINDS))


def require_finite(name: str, value: typing.Any, low: float) -> None:
    """Refuse a ``value`` that is not a finite number >= ``low``.

    A bool, a string or NaN is not a number here.

    :raises ValueError: naming ``name``.
    """
    if (isinstance(value, bool) or not isinstance(value, (int, float)) or
            not math.isfinite(value) or value < low):
        raise ValueError('%s must be a finite number >= %s, not %r'
                         % (name, low, value))


class OnAmbiguous(enum.Enum):
    """What to do when a request may have been processed."""

    #: Send it again: the call is idempotent.
    RETRY = 'retry'
    #: Look the resource up; adopt it if it carries the call's ownership
    #: token, or send the create again.
    RECONCILE = 'reconcile'
    #: Delete what the lost attempt made (only what carries the call's
    #: token), then send the create again.
    CLEANUP = 'cleanup'
    #: Raise the error: repeating the request is not safe.
    RAISE = 'raise'


@dataclasses.dataclass(frozen=True)
class OperationPolicy:
    """What may be repeated for one kind of operation.

    Failures that prove the request was not processed (TRANSIENT,
    THROTTLED, REAUTH) are retried under every policy; the policies differ
    in what they do with an AMBIGUOUS failure.

    :param name: the name callers use.
    :param on_ambiguous: an :class:`OnAmbiguous`.
    :param not_found_is_done: a 404 on a retry means the earlier attempt
        did the work (a delete): return None instead of raising.
    """

    name: str
    on_ambiguous: OnAmbiguous
    not_found_is_done: bool = False


DEFAULT = OperationPolicy('default', OnAmbiguous.RETRY)
DELETE = OperationPolicy('delete', OnAmbiguous.RETRY, not_found_is_done=True)
CREATE = OperationPolicy('create', OnAmbiguous.RECONCILE)
CREATE_CLEANUP = OperationPolicy('create_cleanup', OnAmbiguous.CLEANUP)
NEVER = OperationPolicy('never', OnAmbiguous.RAISE)

#: The AMBIGUOUS actions that look for what a lost create made.
RECONCILING = (OnAmbiguous.RECONCILE, OnAmbiguous.CLEANUP)

#: The named policies, by name.
OPERATION_POLICIES = {p.name: p for p in
                      (DEFAULT, DELETE, CREATE, CREATE_CLEANUP, NEVER)}


UnknownPolicy = errors.UnknownPolicy


def operation_policy(name: str) -> OperationPolicy:
    """Return the named :class:`OperationPolicy`.

    :param name: a key of :data:`OPERATION_POLICIES`.
    :returns: the policy.
    :raises UnknownPolicy: for any other name, before anything is called.
    """
    try:
        return OPERATION_POLICIES[name]
    except (KeyError, TypeError):
        raise UnknownPolicy(name, OPERATION_POLICIES) from None

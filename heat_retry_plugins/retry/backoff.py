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

"""Backoff delays: exponential, capped, with jitter.

Each jitter kind is a plain function of the capped exponential delay; see
https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/
for why full jitter is the default.
"""

import random

from heat_retry_plugins.retry import policies


def exponential(policy, retry):
    """The capped exponential delay before retry number ``retry`` (1-based)."""
    try:
        delay = policy.initial_delay * policy.multiplier ** (retry - 1)
    except OverflowError:
        return policy.max_delay
    return min(policy.max_delay, delay)


def no_jitter(base, previous, policy, rng):
    """Exactly the exponential delay."""
    return base


def full_jitter(base, previous, policy, rng):
    """Uniform between zero and the exponential delay."""
    return rng.uniform(0.0, base)


def equal_jitter(base, previous, policy, rng):
    """Half the exponential delay, plus uniform up to the other half."""
    return base / 2.0 + rng.uniform(0.0, base / 2.0)


def decorrelated_jitter(base, previous, policy, rng):
    """Uniform between the initial delay and three times the previous one."""
    low = policy.initial_delay
    high = max(low, 3.0 * (previous if previous is not None else low))
    return min(policy.max_delay, rng.uniform(low, high))


JITTERS = {
    'none': no_jitter,
    'full': full_jitter,
    'equal': equal_jitter,
    'decorrelated': decorrelated_jitter,
}


def backoff_delay(policy: 'policies.RetryPolicy', retry: int,
                  previous: float | None, rng: random.Random) -> float:
    """Return the delay before retry number ``retry``.

    :param policy: the :class:`~heat_retry_plugins.retry.policies.RetryPolicy`.
    :param retry: 1 for the first retry (the second attempt), and so on.
    :param previous: the delay slept before the previous retry, or None.
    :param rng: a :class:`random.Random`.
    :returns: a delay in ``[0, policy.max_delay]``.
    """
    base = exponential(policy, retry)
    delay = JITTERS[policy.jitter](base, previous, policy, rng)
    return min(policy.max_delay, max(0.0, delay))

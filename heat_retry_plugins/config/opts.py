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

"""The heat.conf options of the retry policies.

Heat's own convention: defaults in ``[clients]``, per-service overrides in
``[clients_<service>]``, where an option left unset falls back to
``[clients]``. Like keystoneauth, this module registers nothing on import:
it exposes the option lists and :func:`register_opts` for the caller.

Every value is checked by oslo.config's own type machinery when it is
read, so that a bad one raises ``ConfigFileValueError`` naming the option
and the file: integers and floats against their bounds, floats also for
being finite (:class:`FiniteFloat`), strings against their choices.
"""

import math

from oslo_config import cfg
from oslo_config import types

from heat_retry_plugins.retry import guards
from heat_retry_plugins.retry import policies

CLIENTS_GROUP = 'clients'

#: The suffix of a retry plugin's name in ``heat.clients``: ``nova_retry``
#: is the retry plugin of Heat's ``nova``. Kept here, away from Heat's
#: imports, so that the commands can use it without importing the plugins.
RETRY_SUFFIX = '_retry'

#: Every client plugin name of Heat 27; each gets a ``<name>_retry`` plugin
#: and a ``[clients_<name>]`` group.
SHIPPED_SERVICES = (
    'aodh', 'barbican', 'blazar', 'cinder', 'designate', 'glance', 'heat',
    'ironic', 'keystone', 'magnum', 'manila', 'mistral', 'neutron', 'nova',
    'octavia', 'openstack', 'swift', 'trove', 'zaqar', 'zun',
)

#: heat.conf option name -> RetryPolicy field.
POLICY_FIELDS = {
    'retry_max_attempts': 'max_attempts',
    'retry_initial_delay': 'initial_delay',
    'retry_max_delay': 'max_delay',
    'retry_backoff_multiplier': 'multiplier',
    'retry_jitter': 'jitter',
    'retry_deadline': 'deadline',
}

#: heat.conf option name -> GuardSettings field.
GUARD_FIELDS = {
    'retry_budget_capacity': 'budget_capacity',
    'retry_budget_ratio': 'budget_ratio',
    'retry_budget_floor': 'budget_floor',
    'retry_breaker_threshold': 'breaker_threshold',
    'retry_breaker_cooldown': 'breaker_cooldown',
    'retry_breaker_probe_timeout': 'breaker_probe_timeout',
}

#: The option read by :meth:`PolicyCache.marks_creates
#: <heat_retry_plugins.config.loading.PolicyCache.marks_creates>`.
OWNERSHIP_MARKER_OPTION = 'retry_ownership_marker'

#: Every option of a group, in the order they are listed.
OPTION_NAMES = (*POLICY_FIELDS, *GUARD_FIELDS, OWNERSHIP_MARKER_OPTION)

_MAX_SECONDS = 86400.0

_HELP = {
    'retry_max_attempts': (
        'How many times a call to the service is attempted in all, the '
        'first attempt included. 1 disables retrying. Only failures that '
        'are safe to repeat are retried: see the policy of each call.'),
    'retry_initial_delay': (
        'Seconds of backoff before the first retry. Each following delay '
        'is multiplied by retry_backoff_multiplier, up to retry_max_delay, '
        'and then jittered.'),
    'retry_max_delay': (
        'The longest delay, in seconds, between two attempts. A '
        'Retry-After header asking for longer is capped to this.'),
    'retry_backoff_multiplier': (
        'The factor between two consecutive backoff delays.'),
    'retry_jitter': (
        'How the backoff delay is randomised so that many engines do not '
        'retry in step: "full" (uniform between 0 and the delay), "equal" '
        '(half the delay plus uniform up to the other half), '
        '"decorrelated" (uniform between retry_initial_delay and three '
        'times the previous delay) or "none".'),
    'retry_deadline': (
        'Seconds, from the start of a call\'s first attempt, after which '
        'no retry is started; the call then fails with its last error. '
        'Delays, Retry-After included, never run past it.'),
    'retry_budget_capacity': (
        'The retry budget of the service, shared by every call of one '
        'heat-engine process: the most retries that can be made in a '
        'burst. Each retry spends a token; when none is left, calls are '
        'not retried (their first attempt is still made). 0 disables the '
        'budget.'),
    'retry_budget_ratio': (
        'The fraction of a retry token each successful call earns: 0.2 '
        'allows one retry per five successful calls in the long run.'),
    'retry_budget_floor': (
        'Retry tokens earned per second whatever happens, so that an '
        'engine that makes few calls can still retry.'),
    'retry_breaker_threshold': (
        'Consecutive failed attempts (refused or dropped connections, '
        'time-outs, 5xx other than 501 and 505; never a 429, which is an '
        'answer) on the service, across all calls of the process, that '
        'open its circuit '
        'breaker: calls then fail at once, without a request, until the '
        'cool-down has passed and a probe call succeeds. 0 disables the '
        'breaker.'),
    'retry_breaker_cooldown': (
        'Seconds the circuit breaker stays open before it lets one probe '
        'call through.'),
    'retry_breaker_probe_timeout': (
        'Seconds a probe call let through a half-open circuit breaker may '
        'take; past it the probe counts as failed and the breaker opens '
        'again.'),
    'retry_ownership_marker': (
        'Mark each create the plugins may have to reconcile with an '
        'ownership token that the resource carries (a metadata key, tag, '
        'extra attribute or public-key comment: see the policy guide), so '
        'that after an ambiguous failure only the resource that carries '
        'the call\'s token is adopted or cleaned up. Off, ambiguous '
        'creates on the service are not retried (they fail as in stock '
        'Heat).'),
}

_SERVICE_HELP = (' Unset, the value of the same option in [%s] is used.'
                 % CLIENTS_GROUP)


class FiniteFloat(types.Float):
    """oslo.config's float type, refusing nan and the infinities.

    ``types.Float`` checks ``min`` and ``max`` with comparisons, and every
    comparison with nan is False: ``nan`` passes any bounds, and would
    turn a budget or breaker off without a word. Conversion overflows
    (``1e400``) are infinities and are refused too.

    :param min: the smallest value allowed, or None.
    :param max: the largest value allowed, or None.
    """

    def __call__(self, value):
        if isinstance(value, str) and not value.strip():
            # NOTE: an empty value is unset, as for every oslo.config type.
            return super().__call__(value)
        number = float(value)
        if not math.isfinite(number):
            raise ValueError('Should be a finite number%s, but found %s'
                             % (self._range(), str(value).strip()))
        return super().__call__(number)

    def _range(self):
        if self.min is not None and self.max is not None:
            return ' from %g to %g' % (self.min, self.max)
        return ''


class FiniteFloatOpt(cfg.Opt):
    """An option whose value is a finite float: see :class:`FiniteFloat`.

    :param name: the option's name.
    :param min: the smallest value allowed.
    :param max: the largest value allowed.
    :param kwargs: the other arguments of :class:`oslo_config.cfg.Opt`.
    """

    def __init__(self, name, min=None, max=None, **kwargs):
        super().__init__(name, type=FiniteFloat(min, max), **kwargs)


#: Bounds of an option in seconds.
_SECONDS = {'min': 0.0, 'max': _MAX_SECONDS}

#: Every option of a group, in :data:`OPTION_NAMES` order: ``(Opt class,
#: name, default in [clients], bounds or choices)``; the help is in _HELP.
_OPTION_SPECS = (
    (cfg.IntOpt, 'retry_max_attempts', policies.DEFAULT_MAX_ATTEMPTS,
     {'min': 1, 'max': 100}),
    (FiniteFloatOpt, 'retry_initial_delay', policies.DEFAULT_INITIAL_DELAY,
     _SECONDS),
    (FiniteFloatOpt, 'retry_max_delay', policies.DEFAULT_MAX_DELAY,
     _SECONDS),
    (FiniteFloatOpt, 'retry_backoff_multiplier',
     policies.DEFAULT_BACKOFF_MULTIPLIER, {'min': 1.0, 'max': 100.0}),
    (cfg.StrOpt, 'retry_jitter', policies.DEFAULT_JITTER,
     {'choices': policies.JITTER_KINDS}),
    (FiniteFloatOpt, 'retry_deadline', policies.DEFAULT_DEADLINE, _SECONDS),
    (FiniteFloatOpt, 'retry_budget_capacity', guards.DEFAULT_BUDGET_CAPACITY,
     {'min': 0.0, 'max': 100000.0}),
    (FiniteFloatOpt, 'retry_budget_ratio', guards.DEFAULT_BUDGET_RATIO,
     {'min': 0.0, 'max': 1.0}),
    (FiniteFloatOpt, 'retry_budget_floor', guards.DEFAULT_BUDGET_FLOOR,
     {'min': 0.0, 'max': 10000.0}),
    (cfg.IntOpt, 'retry_breaker_threshold', guards.DEFAULT_BREAKER_THRESHOLD,
     {'min': 0, 'max': 100000}),
    (FiniteFloatOpt, 'retry_breaker_cooldown',
     guards.DEFAULT_BREAKER_COOLDOWN, _SECONDS),
    (FiniteFloatOpt, 'retry_breaker_probe_timeout',
     guards.DEFAULT_BREAKER_PROBE_TIMEOUT, _SECONDS),
    (cfg.BoolOpt, OWNERSHIP_MARKER_OPTION, True, {}),
)


def _make_opts(defaults):
    """Build one group's options; ``defaults`` is False for a service group."""
    suffix = '' if defaults else _SERVICE_HELP
    return [opt_class(name, default=default if defaults else None,
                      mutable=True, help=_HELP[name] + suffix, **limits)
            for opt_class, name, default, limits in _OPTION_SPECS]


#: The options of ``[clients]``: the defaults of every service.
clients_opts = _make_opts(defaults=True)

_service_opts = {}


def service_group(service: str) -> str:
    """The heat.conf group of a service's overrides: ``clients_<service>``."""
    return '%s_%s' % (CLIENTS_GROUP, service)


def service_opts(service: str) -> list[cfg.Opt]:
    """Return the option list of ``[clients_<service>]``.

    The same Opt objects are returned on every call, so that what
    :func:`list_opts` lists is what is registered.

    :param service: the service name, as in ``nova``.
    :returns: a list of :class:`oslo_config.cfg.Opt`.
    """
    try:
        return _service_opts[service]
    except KeyError:
        return _service_opts.setdefault(service, _make_opts(defaults=False))


def register_opts(conf: cfg.ConfigOpts, service: str | None = None) -> None:
    """Register ``[clients]`` and, if given, ``[clients_<service>]``.

    Registering again is harmless.

    :param conf: an :class:`oslo_config.cfg.ConfigOpts`, usually Heat's
        ``cfg.CONF``.
    :param service: a service name, or None for ``[clients]`` alone.
    """
    conf.register_opts(clients_opts, group=CLIENTS_GROUP)
    if service is not None:
        group = service_group(service)
        conf.register_opts(service_opts(service), group=group)
        _register_heat_client_opts(conf, group)


def _register_heat_client_opts(conf, group):
    """Give a group registered here the options Heat reads in it.

    NOTE: Heat registers ``[clients_<name>]`` with ``endpoint_type``,
    ``ca_file``, ``cert_file``, ``key_file`` and ``insecure`` for 16 of its
    20 plugins (not blazar, ironic, zun, openstack), and its
    ``get_client_option()`` falls back on ``[clients]`` only when the group
    does not exist: once this package made ``[clients_ironic]``, Heat's own
    ironic plugin raised NoSuchOptError. Heat's own Opt objects, so that
    registering them again where Heat did is a no-op.
    """
    try:
        from heat.common import config as heat_config
    except ImportError:
        return
    conf.register_opts(heat_config.clients_opts, group=group)


def list_opts():
    """The options for oslo-config-generator (``heat_retry_plugins``)."""
    yield CLIENTS_GROUP, clients_opts
    for service in SHIPPED_SERVICES:
        yield service_group(service), service_opts(service)

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

"""Loading retry policies from heat.conf, cheaply.

Options are read when a call is made, never frozen at import, but reading
six options of two groups on every call would cost far more than the call's
own bookkeeping. :class:`PolicyCache` builds each service's
:class:`~heat_retry_plugins.retry.policies.RetryPolicy` once and keeps it
until oslo.config's mutate hook says the configuration files changed.
"""

import dataclasses
import re
import threading

from oslo_config import cfg

from heat_retry_plugins.config import opts
from heat_retry_plugins.retry import errors
from heat_retry_plugins.retry import guards
from heat_retry_plugins.retry import policies

_LOCATION_DETAIL = re.compile(r"detail='([^']*)'")


class InvalidRetryOption(errors.RetryError, cfg.Error, ValueError):
    """A retry option in heat.conf has a value that is not allowed.

    :param group: the heat.conf group, as in ``clients_nova``.
    :param option: the option name.
    :param reason: what is wrong with the value.
    """

    def __init__(self, group, option, reason):
        self.group = group
        self.option = option
        self.reason = reason
        super().__init__('Invalid value for [%s] %s in heat.conf: %s' % (
            group, option, reason))


@dataclasses.dataclass(frozen=True)
class EffectiveValue:
    """One knob of a service's policy and where its value came from.

    :param option: the heat.conf option name.
    :param value: the value in force.
    :param source: ``default``, ``[clients]`` or ``[clients_<service>]``.
    """

    option: str
    value: object
    source: str


@dataclasses.dataclass(frozen=True)
class _ServiceSettings:
    """Everything built from one service's options, cached together."""

    policy: policies.RetryPolicy
    guards: guards.GuardSettings
    marks_creates: bool


class PolicyCache:
    """A cache of every service's retry settings, read from one ConfigOpts.

    One instance per ConfigOpts is shared by every plugin of the process
    (see :func:`for_conf`); its cache is dropped when the configuration
    files are mutated (SIGHUP with ``mutate_config_files``) and by
    :meth:`clear`.

    Each option of ``[clients_<service>]`` falls back on its own to the
    same option of ``[clients]``. A bad value is reported as
    :class:`InvalidRetryOption` naming the group it was set in. No
    combination of valid values is refused: a ``retry_max_delay`` below
    ``retry_initial_delay`` simply caps every delay.

    :param conf: the :class:`oslo_config.cfg.ConfigOpts` to read.
    """

    def __init__(self, conf):
        self._conf = conf
        self._settings = {}
        self._lock = threading.Lock()
        opts.register_opts(conf)
        conf.register_mutate_hook(self._mutated)

    def get(self, service: str) -> policies.RetryPolicy:
        """Return the :class:`RetryPolicy` of ``service``.

        :param service: the service name, as in ``nova``.
        :raises InvalidRetryOption: when heat.conf holds a value that is
            not allowed; the message names the group and the option.
        """
        return self._built(service).policy

    def guard_settings(self, service: str) -> guards.GuardSettings:
        """Return the GuardSettings of ``service``'s budget and breaker.

        Cached, and read again, with the policy of :meth:`get`.

        :raises InvalidRetryOption: as :meth:`get`.
        """
        return self._built(service).guards

    def marks_creates(self, service: str) -> bool:
        """Whether creates on ``service`` carry an ownership token.

        ``retry_ownership_marker`` of ``[clients_<service>]``, else of
        ``[clients]``. Cached, and read again, with the policy of
        :meth:`get`.

        :param service: the service name.
        :returns: True when an ambiguous create may be reconciled by its
            token; False when it must not be retried.
        :raises InvalidRetryOption: as :meth:`get`.
        """
        return self._built(service).marks_creates

    def _built(self, service):
        try:
            return self._settings[service]
        except KeyError:
            pass
        built = self._build(service)
        with self._lock:
            return self._settings.setdefault(service, built)

    def reload(self) -> None:
        """Forget the built policies: the next call reads heat.conf again.

        What oslo.config's mutate hook calls on a SIGHUP; call it after a
        ``set_override``, which runs no hook.
        """
        with self._lock:
            self._settings = {}

    def effective(self, service: str) -> list[EffectiveValue]:
        """Return every knob of ``service``'s policy and where it came from.

        :param service: the service name.
        :returns: a list of :class:`EffectiveValue`, in option order.
        :raises InvalidRetryOption: as :meth:`get`.
        """
        self.get(service)
        values = []
        for name in opts.OPTION_NAMES:
            value, group = self._value(service, name)
            source = '[%s]' % group
            if (group == opts.CLIENTS_GROUP and
                    self._conf.get_location(name, group).location
                    is cfg.Locations.opt_default):
                source = 'default'
            values.append(EffectiveValue(name, value, source))
        return values

    def _build(self, service):
        opts.register_opts(self._conf, service)
        read = {name: self._value(service, name) for name in opts.OPTION_NAMES}
        return _ServiceSettings(
            policy=self._make(service, policies.RetryPolicy,
                              opts.POLICY_FIELDS, read),
            guards=self._make(service, guards.GuardSettings,
                              opts.GUARD_FIELDS, read),
            marks_creates=read[opts.OWNERSHIP_MARKER_OPTION][0])

    def _make(self, service, value_type, fields, read):
        try:
            return value_type(**{field: read[name][0]
                                 for name, field in fields.items()})
        except ValueError as exc:
            # NOTE: the option types are at least as strict as the value
            # objects, whose errors start with the field's name; should
            # one refuse a value all the same, name its option and group.
            for name, field in fields.items():
                if str(exc).startswith(field + ' '):
                    group = read[name][1]
                    raise InvalidRetryOption(group, name, self._with_file(
                        str(exc), group, name)) from exc
            raise InvalidRetryOption(opts.service_group(service),
                                     ', '.join(fields), str(exc)) from exc

    def _value(self, service, name):
        """Return ``(value, group it came from)`` of one option."""
        group = opts.service_group(service)
        value = self._read(group, name)
        if value is None:
            group = opts.CLIENTS_GROUP
            value = self._read(group, name)
        if value is None:
            # NOTE: "retry_max_attempts =" in [clients]: oslo.config reads
            # an empty value as None, and there is nothing to fall back to.
            raise InvalidRetryOption(group, name, self._with_file(
                'Should not be empty: remove the line to use the default',
                group, name))
        return value, group

    def _read(self, group, name):
        try:
            return getattr(self._conf[group], name)
        except (cfg.ConfigFileValueError, ValueError) as exc:
            raise InvalidRetryOption(group, name,
                                     self._reason(exc, group, name)) from exc

    def _mutated(self, conf, fresh):
        self.reload()

    def _reason(self, exc, group, name):
        # NOTE: oslo.config says "Value for option X from LocationInfo(...)
        # is not valid: <why>"; keep the why and the file, drop the rest.
        text = str(exc)
        where = _LOCATION_DETAIL.search(text)
        if ' is not valid: ' in text:
            text = text.split(' is not valid: ', 1)[1]
        return '%s (from %s)' % (text, where.group(1)) if where else text

    def _with_file(self, text, group, name):
        detail = self._conf.get_location(name, group).detail
        return '%s (from %s)' % (text, detail) if detail else text


_by_conf = {}
_by_conf_lock = threading.Lock()


def for_conf(conf: cfg.ConfigOpts | None = None) -> PolicyCache:
    """Return the process-wide :class:`PolicyCache` of ``conf``.

    Deliberately shared state: one instance per ConfigOpts object, so that
    every plugin of an engine reads one cache and one mutate hook is
    registered.

    :param conf: a ConfigOpts; Heat's global ``cfg.CONF`` by default.
    """
    if conf is None:
        conf = cfg.CONF
    try:
        return _by_conf[id(conf)][1]
    except KeyError:
        pass
    with _by_conf_lock:
        entry = _by_conf.get(id(conf))
        if entry is None:
            # NOTE: ConfigOpts is a Mapping and so unhashable; key by id
            # and keep the object alive beside it so the id stays its own.
            entry = _by_conf[id(conf)] = (conf, PolicyCache(conf))
        return entry[1]


def reload(conf: cfg.ConfigOpts | None = None) -> None:
    """Read ``conf`` (Heat's ``cfg.CONF`` by default) again on next use.

    :param conf: the ConfigOpts whose policies to forget.
    """
    for_conf(conf).reload()

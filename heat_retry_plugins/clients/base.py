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

"""The base of every retrying client plugin.

A retrying plugin is a Heat client plugin (a subclass of Heat's
``ClientPlugin``, usually of the service's own Heat plugin, so that every
helper Heat's resources use keeps working) that adds
:meth:`RetryingClientPlugin.call_with_retry` and
:meth:`RetryingClientPlugin.call_with_retry_policy`. A subclass sets
``service`` (its heat.conf group is ``[clients_<service>]``) and implements
:meth:`RetryingClientPlugin.classify`.
"""

import abc
import time

from heat.engine.clients import client_plugin
from oslo_config import cfg
from oslo_log import log as logging

from heat_retry_plugins.config import policies
from heat_retry_plugins.engine import policy as policy_mod
from heat_retry_plugins.engine import retrying
from heat_retry_plugins.engine import verdicts

LOG = logging.getLogger(__name__)

_DEFAULT = policy_mod.OPERATION_POLICIES['default']
_NOT_FOUND = verdicts.Classification(verdicts.Verdict.FATAL, not_found=True)
_RECONCILING = (policy_mod.OnAmbiguous.RECONCILE,
                policy_mod.OnAmbiguous.CLEANUP)


def _key(function):
    # NOTE: novaclient's versioned methods are distinct function objects
    # per class but share a qualified name; key by module and qualname.
    return '%s.%s' % (function.__module__, function.__qualname__)


class RetryingClientPlugin(client_plugin.ClientPlugin, metaclass=abc.ABCMeta):
    """A Heat client plugin whose calls can be retried by policy.

    Registered in the ``heat.clients`` namespace as ``<service>_retry``, it
    is reached from a resource with ``self.client_plugin('nova_retry')``.
    """

    #: The service name: selects ``[clients_<service>]`` in heat.conf.
    service = None

    #: The qualified name of a create function (``module.Class.create``)
    #: -> a factory ``f(plugin) -> Reconciler`` that finds what a lost call
    #: of it made. Add to it with :meth:`register_reconciler`.
    reconcilers = {}

    #: The monotonic clock and the sleep of the retry loop; tests replace
    #: them on an instance.
    clock = staticmethod(time.monotonic)
    sleep = staticmethod(time.sleep)

    def __init__(self, context):
        super().__init__(context)
        self._policies = policies.for_conf(cfg.CONF)
        self._retrier = None

    @classmethod
    def is_available(cls):
        """Check the service's heat.conf options when Heat loads plugins.

        Heat calls this once, at start-up. A bad value is logged here with
        its group and option, and raised again by every call through the
        plugin, so nothing runs on a policy the operator did not write.
        """
        try:
            policies.for_conf(cfg.CONF).get(cls.service)
        except policies.InvalidRetryOption as exc:
            LOG.error('%(plugin)s: %(error)s',
                      {'plugin': cls.__name__, 'error': exc})
        return True

    @abc.abstractmethod
    def classify(self, exc):
        """Classify an exception raised by this plugin's client library.

        :param exc: the exception.
        :returns: a :class:`~heat_retry_plugins.engine.Classification`. It
            must not raise; an exception it does not recognise is FATAL.
        """

    def classify_unknown(self, exc):
        """Classify an exception the client library did not raise.

        Heat's own not-found (``EntityNotFound``, raised by helpers such as
        ``get_server``) is a FATAL not-found; anything else is a bug and
        FATAL.
        """
        if self.is_not_found(exc):
            return _NOT_FOUND
        return verdicts.UNKNOWN

    def reauthenticate(self):
        """Drop the session's token so the next request gets a new one.

        :returns: True when the auth plugin could be invalidated (a
            password or trust auth can; a bare token cannot).
        """
        return bool(self.context.keystone_session.invalidate())

    def retry_policy(self):
        """Return the service's current :class:`RetryPolicy`.

        :raises InvalidRetryOption: for a bad heat.conf value.
        """
        return self._policies.get(self.service)

    def call_with_retry(self, func, *args, **kwargs):
        """Call ``func(*args, **kwargs)`` under the ``default`` policy.

        The policy for GET, HEAD, PUT and other idempotent calls.

        :returns: what ``func`` returns.
        :raises: the original exception of the last attempt when retrying
            gives up; its ``retry_history`` holds the attempts.
        """
        return self._get_retrier().call(_DEFAULT, func, args, kwargs)

    def call_with_retry_policy(self, name, func, *args, **kwargs):
        """Call ``func(*args, **kwargs)`` under the named policy.

        :param name: ``default``, ``delete``, ``create``,
            ``create_cleanup`` or ``never``.
        :returns: what ``func`` returns (None for a ``delete`` that a
            retry found already done).
        :raises UnknownPolicy: for another name, before anything is called.
        """
        operation = policy_mod.operation_policy(name)
        return self._get_retrier().call(operation, func, args, kwargs,
                                        self.reconciler_for(operation, func))

    @classmethod
    def register_reconciler(cls, create, factory):
        """Teach this plugin class to reconcile a lost ``create``.

        :param create: the create function as found on its class, e.g.
            ``novaclient.v2.servers.ServerManager.create``; a call through
            a bound method of it (``client.servers.create``) matches.
        :param factory: ``factory(plugin)`` returns a new
            :class:`~heat_retry_plugins.engine.reconcile.Reconciler`.
        """
        # NOTE: copy, so that a subclass never adds to its parent's table.
        cls.reconcilers = dict(cls.reconcilers, **{_key(create): factory})

    def reconciler_for(self, operation, func):
        """Return a Reconciler for a call of ``func``, or None."""
        if operation.on_ambiguous not in _RECONCILING:
            return None
        factory = self.reconcilers.get(_key(getattr(func, '__func__', func)))
        return factory(self) if factory is not None else None

    def _get_retrier(self):
        policy = self._policies.get(self.service)
        retrier = self._retrier
        if retrier is None or retrier.policy is not policy:
            retrier = self._retrier = retrying.Retrier(
                service=self.service, policy=policy, classify=self.classify,
                reauthenticate=self.reauthenticate, clock=self.clock,
                sleep=self._sleep)
        return retrier

    def _sleep(self, seconds):
        self.sleep(seconds)

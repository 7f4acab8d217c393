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

A retrying plugin is a Heat client plugin (a subclass of the service's own
Heat plugin, so that every helper Heat's resources use keeps working; see
:mod:`heat_retry_plugins.clients.generated`) that adds
:meth:`RetryingClientPlugin.call_with_retry` and
:meth:`RetryingClientPlugin.call_with_retry_policy`. Its clients send
through the request context's keystoneauth session, which the plugin makes
a :class:`~heat_retry_plugins.session.layer.RetryingSession`: every request
they send is retried by the request layer, and a ``call_with_retry`` is
retried as a whole.
"""

import dataclasses
import typing

from heat.common import exception as heat_exception
from heat.engine.clients import client_plugin
from oslo_config import cfg
from oslo_log import log as logging

from heat_retry_plugins.config import loading
from heat_retry_plugins.retry import guards
from heat_retry_plugins.retry import policies
from heat_retry_plugins.retry import retrying
from heat_retry_plugins.retry import verdicts
from heat_retry_plugins.session import calls
from heat_retry_plugins.session import classify as classify_mod
from heat_retry_plugins.session import layer

LOG = logging.getLogger(__name__)

_NOT_FOUND = verdicts.Classification(verdicts.Verdict.FATAL, not_found=True)


class RetryingClientPlugin(client_plugin.ClientPlugin):
    """A Heat client plugin whose calls can be retried by policy.

    Registered in the ``heat.clients`` namespace as ``<service>_retry``, it
    is reached from a resource with ``self.client_plugin('nova_retry')``.
    Making one installs the request layer on the request context's session
    (as ``cloud_backend = heat_retry_plugins.clients.RetryingClients`` does
    for every context): the requests of that context are retried.

    :param context: the Heat request context.
    """

    #: The service name, as Heat names its plugin: selects
    #: ``[clients_<service>]`` in heat.conf.
    service = None

    def __init__(self, context):
        super().__init__(context)
        self._session = layer.install_on_context(context)
        self._policies = loading.for_conf(cfg.CONF)
        self._retriers = {}
        self._guard_key = None

    @classmethod
    def is_available(cls):
        """Check the service's heat.conf options when Heat loads plugins.

        Heat calls this once, at start-up. A bad value is logged here with
        its group and option, and raised again by every call through the
        plugin, so nothing runs on a policy the operator did not write.
        """
        try:
            loading.for_conf(cfg.CONF).get(cls.service)
        except loading.InvalidRetryOption as exc:
            LOG.error('%(plugin)s: %(error)s',
                      {'plugin': cls.__name__, 'error': exc})
        return True

    # -- the request layer's clock and sleep, for tests -------------------

    @property
    def clock(self) -> typing.Callable[[], float]:
        """The monotonic clock of this context's retry loops."""
        return self._session.timing.clock

    @clock.setter
    def clock(self, clock):
        self._session.timing = dataclasses.replace(self._session.timing,
                                                   clock=clock)

    @property
    def sleep(self) -> typing.Callable[[float], None]:
        """The sleep of this context's retry loops."""
        return self._session.timing.sleep

    @sleep.setter
    def sleep(self, sleep):
        self._session.timing = dataclasses.replace(self._session.timing,
                                                   sleep=sleep)

    # -- classification ---------------------------------------------------

    def classify(self, exc: BaseException) -> verdicts.Classification:
        """Classify an exception raised by a call through this plugin.

        :param exc: the exception.
        :returns: a :class:`~heat_retry_plugins.retry.Classification`. It
            never raises; an exception it does not recognise is FATAL.
        """
        return (classify_mod.classify_exception(exc) or
                self.classify_unknown(exc))

    def classify_unknown(self, exc: BaseException
                         ) -> verdicts.Classification:
        """Classify an exception the client library did not raise.

        Heat's own not-found (``EntityNotFound``, raised by helpers such as
        ``get_server``) is a FATAL not-found; anything else is a bug and
        FATAL.
        """
        # NOTE: Heat's Nova plugin's is_not_found() knows only novaclient's
        # and neutronclient's NotFound, not the EntityNotFound that its own
        # get_server raises.
        if (isinstance(exc, heat_exception.EntityNotFound) or
                self.is_not_found(exc)):
            return _NOT_FOUND
        return verdicts.UNKNOWN

    def reauthenticate(self) -> bool:
        """Drop the session's token so the next request gets a new one.

        :returns: True when the auth plugin could be invalidated (a
            password or trust auth can; a bare token cannot).
        """
        return bool(self._session.invalidate())

    def retry_policy(self) -> policies.RetryPolicy:
        """Return the service's current :class:`RetryPolicy`.

        :raises InvalidRetryOption: for a bad heat.conf value.
        """
        return self._policies.get(self.service)

    # -- calls ------------------------------------------------------------

    def call_with_retry(self, func: typing.Callable[..., typing.Any], /,
                        *args: typing.Any, **kwargs: typing.Any
                        ) -> typing.Any:
        """Call ``func(*args, **kwargs)`` under the ``default`` policy.

        The policy for GET, HEAD, PUT and other idempotent calls. The call
        is retried as a whole; the requests it makes to this plugin's
        service are sent once each underneath, except that a create request
        is still reconciled by the request layer and a request that may
        have been processed and is not safe to repeat (a POST) is never
        repeated: a call is never less safe than the bare request.

        :returns: what ``func`` returns.
        :raises: the original exception of the last attempt when retrying
            gives up; its ``retry_history`` holds the attempts.
        """
        return self._call(policies.DEFAULT, func, args, kwargs)

    def call_with_retry_policy(self, policy: str,
                               func: typing.Callable[..., typing.Any], /,
                               *args: typing.Any, **kwargs: typing.Any
                               ) -> typing.Any:
        """Call ``func(*args, **kwargs)`` under the named policy.

        Under ``create`` and ``create_cleanup``, ``func`` is called once and
        the create request it sends (a POST whose route has a reconciler)
        is retried and reconciled by its ownership token; a create with no
        reconciler is retried only when it was not processed.

        :param policy: ``default``, ``delete``, ``create``,
            ``create_cleanup`` or ``never``. It and ``func`` are
            positional-only, so that ``func``'s own keyword arguments
            (``name=...``) pass through.
        :returns: what ``func`` returns (None for a ``delete`` that a
            retry found already done).
        :raises UnknownPolicy: for another name, before anything is called.
        """
        operation = policies.operation_policy(policy)
        if operation.on_ambiguous not in policies.RECONCILING:
            return self._call(operation, func, args, kwargs)
        # NOTE: the request layer retries the POST and reconciles it: it
        # sees the request body, where the ownership token goes.
        self.retry_policy()
        with calls.plugin_call(self.service, create=operation,
                               sends_once=False):
            return func(*args, **kwargs)

    def retry_library_call(self, operation: policies.OperationPolicy,
                           func: typing.Callable[..., typing.Any],
                           args: tuple, kwargs: dict, label: str
                           ) -> typing.Any:
        """Retry one call of a client library that bypasses the session.

        For libraries that send with their own HTTP session (swiftclient):
        the call runs under this plugin's policy, budget and breaker.
        """
        return self._retrier().call(operation, func, args, kwargs,
                                    label=label)

    def _call(self, operation, func, args, kwargs):
        # NOTE: under `never` the caller forbids any repeat, so its creates
        # are not reconciled either; under the others they are.
        create = (policies.NEVER if operation is policies.NEVER
                  else policies.CREATE)
        with calls.plugin_call(self.service, create=create) as call:
            return self._retrier().call(operation, call.attempt,
                                        (func,) + args, kwargs,
                                        label=_name(func))

    def _classify_in_call(self, exc):
        found = self.classify(exc)
        call = calls.current()
        return found if call is None else call.classify(found)

    def _retrier(self):
        """Return this plugin's Retrier, cached until its parts change."""
        policy = self._policies.get(self.service)
        settings = self._policies.guard_settings(self.service)
        timing = self._session.timing
        kept = self._retriers.get(guards.REGISTRY.generation)
        # NOTE: compared by identity: the parts are rebuilt when they change.
        if kept is not None and kept[1] is policy and kept[2] is settings \
                and kept[3] is timing:
            return kept[0]
        found = guards.guards_for(self.guard_key(), settings,
                                  self.context.project_id,
                                  clock=timing.clock)
        retrier = retrying.Retrier(
            service=self.service, policy=policy,
            classify=self._classify_in_call,
            reauthenticate=self.reauthenticate, budget=found.budget,
            breaker=found.breaker, throttle=found.throttle,
            clock=timing.clock, sleep=timing.sleep)
        self._retriers = {guards.REGISTRY.generation: (retrier, policy,
                                                       settings, timing)}
        return retrier

    def guard_key(self) -> guards.GuardKey:
        """The key of this plugin's budget and breaker.

        The same as the request layer's for this service's endpoint: the
        cloud of the context's auth plugin and the plugin's region.
        """
        if self._guard_key is None:
            auth = self.context.keystone_session.auth
            region = ('' if self.service == 'keystone'
                      else self._get_region_name() or '')
            self._guard_key = guards.GuardKey(
                self.service, getattr(auth, 'auth_url', None) or '', region)
        return self._guard_key

    def guards(self) -> guards.Guards:
        """The budget, breaker and throttle this plugin's calls share.

        The same as the request layer's for this service's endpoint and the
        context's project: what an operator's tooling (and a test) reads
        to see a service's state.
        """
        return guards.guards_for(
            self.guard_key(), self._policies.guard_settings(self.service),
            self.context.project_id, clock=self._session.timing.clock)


def _name(func):
    return getattr(func, '__qualname__', None) or type(func).__name__

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
import re
import time
import typing
import weakref

from heat.common import exception as heat_exception
from heat.engine.clients import client_plugin
from oslo_config import cfg
from oslo_log import log as logging

from heat_retry_plugins.clients import adapters
from heat_retry_plugins.config import policies
from heat_retry_plugins.engine import guards
from heat_retry_plugins.engine import policy as policy_mod
from heat_retry_plugins.engine import retrying
from heat_retry_plugins.engine import verdicts

LOG = logging.getLogger(__name__)

_NOT_FOUND = verdicts.Classification(verdicts.Verdict.FATAL, not_found=True)


class RetryingClientPlugin(client_plugin.ClientPlugin, metaclass=abc.ABCMeta):
    """A Heat client plugin whose calls can be retried by policy.

    Registered in the ``heat.clients`` namespace as ``<service>_retry``, it
    is reached from a resource with ``self.client_plugin('nova_retry')``.
    """

    #: The service name: selects ``[clients_<service>]`` in heat.conf.
    service = None

    #: (compiled path pattern, factory) pairs: a POST whose URL path
    #: matches is a create, and ``factory(send)`` returns the
    #: :class:`~heat_retry_plugins.engine.reconcile.Reconciler` that finds
    #: what a lost one made, ``send(url, method, **kwargs)`` being the
    #: adapter's request without retries. See :meth:`register_reconciler`.
    reconcilers = ()

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
        # NOTE: Heat's Nova plugin's is_not_found() knows only novaclient's
        # and neutronclient's NotFound, not the EntityNotFound that its own
        # get_server raises.
        if (isinstance(exc, heat_exception.EntityNotFound) or
                self.is_not_found(exc)):
            return _NOT_FOUND
        return verdicts.UNKNOWN

    def reauthenticate(self):
        """Drop the session's token so the next request gets a new one.

        :returns: True when the auth plugin could be invalidated (a
            password or trust auth can; a bare token cannot).
        """
        return bool(self.context.keystone_session.invalidate())

    def retry_policy(self) -> policy_mod.RetryPolicy:
        """Return the service's current :class:`RetryPolicy`.

        :raises InvalidRetryOption: for a bad heat.conf value.
        """
        return self._policies.get(self.service)

    def call_with_retry(self, func: typing.Callable[..., typing.Any], /,
                        *args: typing.Any, **kwargs: typing.Any
                        ) -> typing.Any:
        """Call ``func(*args, **kwargs)`` under the ``default`` policy.

        The policy for GET, HEAD, PUT and other idempotent calls. The call
        is retried as a whole; the requests it makes are not retried again
        underneath.

        :returns: what ``func`` returns.
        :raises: the original exception of the last attempt when retrying
            gives up; its ``retry_history`` holds the attempts.
        """
        return self._call(policy_mod.DEFAULT, func, args, kwargs)

    def call_with_retry_policy(self, policy: str,
                               func: typing.Callable[..., typing.Any], /,
                               *args: typing.Any, **kwargs: typing.Any
                               ) -> typing.Any:
        """Call ``func(*args, **kwargs)`` under the named policy.

        Under ``create`` and ``create_cleanup``, ``func`` is called once and
        the create request it sends (a POST whose route has a reconciler)
        is retried and reconciled by name; a create with no reconciler is
        retried only when it was not processed.

        :param policy: ``default``, ``delete``, ``create``,
            ``create_cleanup`` or ``never``. It and ``func`` are
            positional-only, so that ``func``'s own keyword arguments
            (``name=...``) pass through.
        :returns: what ``func`` returns (None for a ``delete`` that a
            retry found already done).
        :raises UnknownPolicy: for another name, before anything is called.
        """
        operation = policy_mod.operation_policy(policy)
        if operation.on_ambiguous not in policy_mod.RECONCILING:
            return self._call(operation, func, args, kwargs)
        # NOTE: the request layer retries the POST and reconciles it: it
        # sees the request body, which holds the name to look for.
        token = adapters.CREATE_POLICY.set(operation)
        try:
            return func(*args, **kwargs)
        finally:
            adapters.CREATE_POLICY.reset(token)

    def _call(self, operation, func, args, kwargs):
        retrier = self._get_retrier()
        token = adapters.IN_RETRIED_CALL.set(True)
        try:
            return retrier.call(operation, func, args, kwargs)
        finally:
            adapters.IN_RETRIED_CALL.reset(token)

    def retry_request(self, send, url, method, kwargs):
        """Send one HTTP request under the policy its method allows.

        Called by the clients' adapters (see
        :mod:`heat_retry_plugins.clients.adapters`).

        :param send: the adapter's request, without retries.
        :param url: the request URL.
        :param method: the HTTP method.
        :param kwargs: the request's keyword arguments.
        :returns: what ``send`` returns.
        """
        method = method.upper()
        reconciler = None
        if method == 'POST':
            reconciler = self.reconciler_for(url, send)
            operation = (adapters.CREATE_POLICY.get() or
                         (policy_mod.CREATE if reconciler else
                          policy_mod.NEVER))
        else:
            operation = adapters.METHOD_POLICIES.get(method, policy_mod.NEVER)
        result = self._get_retrier().call(operation, send, (url, method),
                                          kwargs, reconciler)
        if result is None and operation.not_found_is_done:
            # NOTE: a retried DELETE met a 404: an earlier attempt did it.
            # The client library wants (response, body) all the same.
            return adapters.done_response(url), None
        return result

    @classmethod
    def register_reconciler(cls, path, factory):
        """Teach this plugin class to reconcile a lost create.

        :param path: a regular expression searched in the URL path of a
            POST, e.g. ``r'/servers$'``.
        :param factory: ``factory(send)`` returns a new
            :class:`~heat_retry_plugins.engine.reconcile.Reconciler`;
            ``send(url, method, **kwargs)`` sends a request once and
            returns ``(response, body)``.
        """
        # NOTE: a new tuple, so that a subclass never adds to its parent's.
        cls.reconcilers = tuple(cls.reconcilers) + (
            (re.compile(path), factory),)

    def reconciler_for(self, url, send):
        """Return a Reconciler for a POST to ``url``, or None."""
        path = adapters.url_path(url)
        for pattern, factory in self.reconcilers:
            if pattern.search(path):
                return factory(send)
        return None

    def wrap_adapter(self, adapter, retrying_class):
        """Make a client's adapter retry its requests under this plugin.

        :param adapter: the keystoneauth adapter the client library built.
        :param retrying_class: a subclass of the adapter's class and of
            :class:`~heat_retry_plugins.clients.adapters.RetryingAdapterMixin`
            that adds no state.
        :returns: the adapter.
        """
        # NOTE: the client libraries build their adapters themselves and
        # offer no hook; the subclass adds no state, so swapping the class
        # of the instance is safe.
        adapter.__class__ = retrying_class
        adapter.retry_plugin = weakref.ref(self)
        adapter.connect_retries = 0
        adapter.status_code_retries = 0
        return adapter

    def _get_retrier(self):
        policy = self._policies.get(self.service)
        retrier = self._retrier
        if retrier is None or retrier.policy is not policy:
            budget, breaker = guards.guards_for(
                self.service, self._policies.guard_settings(self.service))
            retrier = self._retrier = retrying.Retrier(
                service=self.service, policy=policy, classify=self.classify,
                reauthenticate=self.reauthenticate, clock=self.clock,
                sleep=self._sleep, budget=budget, breaker=breaker)
        return retrier

    def _sleep(self, seconds):
        self.sleep(seconds)

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

"""The request layer: every request of a Heat context, under its policy.

Every Heat client plugin builds its client on the request context's
keystoneauth session, so every request Heat makes to nova, cinder,
neutron, glance, heat, keystone, octavia, openstacksdk ... passes through
``Session.request``. :class:`RetryingSession` is that session with one
retry loop around each request:

* the service of the request is read from its endpoint filter or, for a
  full URL, from the catalog (:mod:`.targets`); its heat.conf policy,
  budget and breaker apply;
* the method and route choose what is safe (GET, HEAD, PUT: ``default``;
  DELETE: ``delete``; a POST to a create route with a reconciler:
  ``create``, its body marked with an ownership token; the token request:
  ``default``; any other POST or PATCH, and any streamed body: ``never``);
* keystoneauth's own ``connect_retries``, ``status_code_retries`` and
  re-authentication are off: one layer retries.

Inside a plugin's ``call_with_retry`` the requests to the plugin's service
are sent once each and the call is retried as a whole; see :mod:`.calls`.
"""

import dataclasses
import functools
import time
import typing

from keystoneauth1 import exceptions as ks_exceptions
from keystoneauth1 import session as ks_session
from oslo_config import cfg
from oslo_log import log as logging
import requests

from heat_retry_plugins.config import loading
from heat_retry_plugins import reconcilers
from heat_retry_plugins.reconcilers import base as reconciler_base
from heat_retry_plugins.retry import guards
from heat_retry_plugins.retry import policies
from heat_retry_plugins.retry import retrying
from heat_retry_plugins.retry import verdicts
from heat_retry_plugins.session import calls
from heat_retry_plugins.session import classify
from heat_retry_plugins.session import ownership
from heat_retry_plugins.session import sharing
from heat_retry_plugins.session import sweeps
from heat_retry_plugins.session import targets

LOG = logging.getLogger(__name__)

#: Methods that are safe to send again whatever happened.
IDEMPOTENT_METHODS = frozenset(['GET', 'HEAD', 'PUT', 'OPTIONS'])

_TOKEN_PATH = '/auth/tokens'
_NO_LIBRARY_RETRIES = {'raise_exc': False, 'connect_retries': 0,
                       'status_code_retries': 0, 'allow_reauth': False}
#: What a reconciler's lookups repeat from the create request.
_LOOKUP_KWARGS = ('endpoint_filter', 'endpoint_override', 'auth',
                  'authenticated', 'microversion',
                  'microversion_service_type', 'user_agent', 'allow',
                  'client_name', 'client_version', 'global_request_id')


@dataclasses.dataclass(frozen=True)
class Timing:
    """The clock and the sleep of the retry loops (tests inject theirs).

    :param clock: a monotonic clock in seconds.
    :param sleep: sleeps for the given seconds.
    """

    clock: typing.Callable[[], float] = time.monotonic
    sleep: typing.Callable[[float], None] = time.sleep


class RetryingSession(ks_session.Session):
    """A keystoneauth Session whose requests are retried by policy.

    Made from Heat's own session by :func:`install`; it adds no state but
    :attr:`timing`.
    """

    #: The clock and sleep of this session's retry loops.
    timing = Timing()
    #: The retriers of this session, by what they are made of (a cache:
    #: building one costs more than a first-time success).
    _retriers = None

    def request(self, url, method, **kwargs):
        """Send a request as keystoneauth does, under the retry policy."""
        return send(self, super().request, url, method, kwargs)

    # NOTE: every way keystoneauth gets a token goes through one of these:
    # a context's first request borrows its principal's token, and a token
    # it fetched is shared (see sharing.SharedTokens).

    def _sharing(self, method, auth, **kwargs):
        auth = auth or self.auth
        sharing.TOKENS.lend(auth)
        result = method(auth, **kwargs)
        sharing.TOKENS.keep(auth)
        return result

    def get_auth_headers(self, auth=None, **kwargs):
        return self._sharing(super().get_auth_headers, auth, **kwargs)

    def get_endpoint(self, auth=None, **kwargs):
        return self._sharing(super().get_endpoint, auth, **kwargs)

    def get_endpoint_data(self, auth=None, **kwargs):
        return self._sharing(super().get_endpoint_data, auth, **kwargs)

    def get_project_id(self, auth=None):
        return self._sharing(super().get_project_id, auth)

    def get_user_id(self, auth=None):
        return self._sharing(super().get_user_id, auth)

    def invalidate(self, auth=None):
        sharing.TOKENS.forget(auth or self.auth)
        return super().invalidate(auth)


def install(session: ks_session.Session) -> RetryingSession:
    """Make ``session`` a :class:`RetryingSession` (once; idempotent).

    :param session: a keystoneauth Session, such as a Heat request
        context's ``keystone_session``.
    :returns: the same object.
    """
    if not isinstance(session, RetryingSession):
        # NOTE: Heat makes the session inside RequestContext.__init__ and
        # offers no hook; the subclass adds no instance state, so changing
        # the class of the instance is safe.
        session.__class__ = RetryingSession
    # NOTE: one layer retries: Heat sets connect_retries from
    # client_retry_limit, which would re-send a POST whose connection
    # dropped after it was sent.
    session._connect_retries = 0
    # NOTE: what Session(discovery_cache=...) sets: version discovery is
    # the same for every context of a cloud.
    session._discovery_cache = sharing.DISCOVERY
    return session


def install_on_context(context) -> RetryingSession:
    """Install the layer on a Heat request context's session, lazily.

    :param context: a Heat ``RequestContext``.
    :returns: the context's session, a :class:`RetryingSession`.
    """
    # NOTE: RequestContext.keystone_session builds the context's auth
    # plugin (for a stored context, the trustee's, which raises
    # AuthorizationFailure when [trustee] cannot be loaded); Heat builds it
    # only when a client is made, never when context.clients or a plugin
    # is. The session object is the same; Heat offers no public way to it
    # that does not authenticate.
    session = getattr(context, '_keystone_session', None)
    if session is None:
        session = context.keystone_session
    return install(session)


def send(session, send_once, url, method, kwargs):
    """Send one request of ``session`` under its policy.

    :param session: the :class:`RetryingSession`.
    :param send_once: keystoneauth's own ``Session.request``, bound.
    :param url: the URL or path.
    :param method: the HTTP method.
    :param kwargs: the request's keyword arguments.
    :returns: the :class:`requests.Response`, as keystoneauth would; an
        error response the layer gave up on carries the attempts in its
        ``retry_history`` attribute.
    :raises: what keystoneauth raises, once retrying gave up, with the
        attempts in ``retry_history``. (A client library that asks for the
        response and raises its own exception, as novaclient does, raises
        one without it.)
    """
    method = method.upper()
    target = targets.target_of(session, url, kwargs)
    if target is None:
        return send_once(url, method, **kwargs)
    raise_exc = kwargs.pop('raise_exc', True)
    kwargs.update(_NO_LIBRARY_RETRIES)
    exchange = _Exchange(session, send_once, url, method, kwargs, target)
    document = exchange.document_key()
    response = document and sharing.DOCUMENTS.get(document)
    if not response:
        exchange.sweep_due()
        response = exchange.run(calls.current())
        exchange.after(response)
        if document:
            sharing.DOCUMENTS.put(document, response)
    if raise_exc and response.status_code >= 400:
        error = ks_exceptions.from_response(response, method, url)
        history = getattr(response, 'retry_history', None)
        if history is not None:
            error.retry_history = history
        raise error
    return response


class _Exchange:
    """One request, as the layer carries it out."""

    def __init__(self, session, send_once, url, method, kwargs, target):
        self.session = session
        self.send_once = send_once
        self.url = url
        self.method = method
        self.kwargs = kwargs
        self.target = target
        self.label = '%s %s' % (method, target.path)
        self.config = loading.for_conf(cfg.CONF)

    def document_key(self):
        """The key of a static document this GET asks for, or None."""
        if self.target.service == 'swift' or \
                not sharing.SharedDocuments.is_document(self.method,
                                                        self.url):
            return None
        return (self.target.key, self.url,
                tuple(sorted(_version_headers(self.kwargs).items())))

    def run(self, call):
        operation, reconciler = self._operation(call)
        same_service = call is not None and call.service == self.target.service
        if _streamed(self.kwargs):
            # NOTE: a stream is consumed by its first attempt: sent once,
            # whatever the failure.
            return self._once(call, operation)
        if same_service and call.sends_once and reconciler is None:
            return self._once(call, operation)
        retrier = self._retrier(nested=same_service)
        try:
            result = retrier.call(operation, self._attempt,
                                  reconciler=reconciler, label=self.label)
        except classify.ErrorResponse as exc:
            if call is not None:
                call.settle()
            exc.response.retry_history = exc.retry_history
            return exc.response
        except Exception:
            if call is not None:
                call.settle()
            raise
        if result is None:
            return _done_response(self.url)
        return reconciler.complete(result) if reconciler else result

    def _attempt(self):
        response = self.send_once(self.url, self.method, **self.kwargs)
        if response.status_code >= 400:
            raise classify.ErrorResponse(response)
        return response

    def _once(self, call, operation):
        """Send once: a stream, or a request of a call retried as a whole."""
        try:
            return self._attempt()
        except Exception as exc:
            if call is None:
                if isinstance(exc, classify.ErrorResponse):
                    return exc.response
                raise
            found = classify.classify_failure(exc)
            call.note(found)
            if (found.verdict is verdicts.Verdict.AMBIGUOUS and
                    operation.on_ambiguous is not
                    policies.OnAmbiguous.RETRY) or _streamed(self.kwargs):
                call.forbid_repeat()
            if isinstance(exc, classify.ErrorResponse):
                return exc.response
            raise

    def _operation(self, call):
        """Return the request's (OperationPolicy, Reconciler or None)."""
        method, path = self.method, self.target.path
        if _streamed(self.kwargs):
            return policies.NEVER, None
        if method in IDEMPOTENT_METHODS:
            return policies.DEFAULT, None
        if method == 'DELETE':
            return policies.DELETE, None
        if method == 'POST' and path.endswith(_TOKEN_PATH):
            # NOTE: a token request creates nothing that outlives it.
            return policies.DEFAULT, None
        operation = call.create if call else policies.CREATE
        reconciler = (None if operation is policies.NEVER
                      else self._reconciler())
        if reconciler is None:
            return policies.NEVER, None
        return operation, reconciler

    def _reconciler(self):
        service = self.target.service
        if not self.config.marks_creates(service):
            return None
        body = ownership.json_body(self.kwargs)
        if body is None:
            return None
        for cls in reconcilers.reconcilers_for(service, self.method,
                                               self.target.path):
            create = cls.mark(ownership.CreateRequest(
                self.method, self.url.split('?', 1)[0], body,
                ownership.new_token(), _version_headers(self.kwargs)))
            if create is not None:
                break
        else:
            return None
        reconciler = cls(self.lookup(), create,
                         on_settled=(self._watch if cls.sweeps or cls.orphans
                                     else None))
        if not self._claimable(reconciler):
            return None
        self.kwargs = ownership.with_body(self.kwargs, create.body)
        return reconciler

    def _claimable(self, reconciler):
        """Ask a reconciler, under the retry policy, if it can claim."""
        retrier = self._retrier(nested=False)
        try:
            return retrier.call(policies.DEFAULT, reconciler.claimable,
                                label='check %s' % reconciler.kind)
        except Exception as exc:
            # NOTE: a look that fails proves nothing: send the create once.
            LOG.info('Could not check whether a %(kind)s can be claimed '
                     '(%(error)s): sending it once', {
                         'kind': reconciler.kind,
                         'error': type(exc).__name__})
            return False

    def lookup(self):
        """A Lookup that sends to this request's endpoint."""
        base = {key: self.kwargs[key] for key in _LOOKUP_KWARGS
                if key in self.kwargs}
        base['headers'] = _version_headers(self.kwargs)
        base.update(_NO_LIBRARY_RETRIES)
        return reconciler_base.Lookup(self.send_once, base)

    def _retrier(self, nested):
        session, target = self.session, self.target
        policy = self.config.get(target.service)
        settings = self.config.guard_settings(target.service)
        token_request = (self.method == 'POST' and
                         target.path.endswith(_TOKEN_PATH))
        auth = self.kwargs.get('auth')
        timing = session.timing
        key = (target.key, target.project, guards.REGISTRY.generation,
               nested, token_request, id(auth))
        cache = session._retriers
        if cache is None or len(cache) > 64:
            cache = session._retriers = {}
        kept = cache.get(key)
        # NOTE: the parts compared by identity, not kept in the key: an id
        # may be reused once its object is gone.
        if kept is not None and \
                kept[1] is policy and kept[2] is settings and \
                kept[3] is timing:
            return kept[0]
        found = guards.guards_for(target.key, settings, target.project,
                                  clock=timing.clock)
        retrier = retrying.Retrier(
            service=target.service, policy=policy,
            classify=classify.classify_failure,
            reauthenticate=(None if token_request else functools.partial(
                _reauthenticate, session, auth)),
            budget=found.budget,
            # NOTE: inside a call to the same service, the call's own loop
            # holds the breaker's permit for this attempt.
            breaker=None if nested else found.breaker,
            throttle=found.throttle,
            clock=timing.clock, sleep=timing.sleep)
        cache[key] = (retrier, policy, settings, timing)
        return retrier

    # -- sweeps -----------------------------------------------------------

    def _watch(self, reconciler, result):
        """Sweep what the lost attempts of a call may still make.

        :param result: what the call returned; None when it gave up, and
            every resource with its token is an orphan.
        """
        if result is not None and not reconciler.sweeps:
            return
        kept_id = None if result is None else reconciler.kept_id(result)
        if kept_id or result is None:
            sweeps.PENDING.watch(sweeps.Pending(
                self.target.service, kept_id, type(reconciler),
                reconciler.create, lookup=self.lookup,
                retrier=functools.partial(self._retrier, nested=False),
                orphaned=result is None))

    def sweep_due(self):
        """Sweep the late duplicates of what this request names."""
        due = sweeps.PENDING.due(self.target.service, self.target.path)
        if not due:
            return
        call = calls.current()
        retrier = self._retrier(
            nested=call is not None and call.service == self.target.service)
        for pending in due:
            sweeps.sweep(pending, self.lookup(), retrier)

    def after(self, response):
        """Stop sweeping what this request deleted."""
        if self.method != 'DELETE' or not (
                response.status_code < 300 or response.status_code == 404):
            return
        last = self.target.path.rstrip('/').rsplit('/', 1)[-1]
        for pending in sweeps.PENDING.due(self.target.service, last):
            sweeps.PENDING.deleted(pending)


def _reauthenticate(session, auth):
    return bool(session.invalidate(auth))


def _streamed(kwargs):
    data = kwargs.get('data')
    return data is not None and not isinstance(data, (bytes, str, dict))


def _version_headers(kwargs):
    return {name: value for name, value in (kwargs.get('headers') or
                                            {}).items()
            if 'api-version' in str(name).lower()}


def _done_response(url):
    """A 204 for a DELETE whose retry found the resource already gone."""
    response = requests.Response()
    response.status_code = 204
    response.url = url
    response.reason = 'No Content'
    response._content = b''
    return response

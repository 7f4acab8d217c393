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

"""FakeCloud: the services, their listeners and their lifecycle."""

import copy
import logging
import secrets
import threading
from typing import Any
from typing import Iterable
from typing import Optional

from heat_retry_plugins.fakecloud import cinder
from heat_retry_plugins.fakecloud import control
from heat_retry_plugins.fakecloud import counters
from heat_retry_plugins.fakecloud import designate
# NOTE: aliased, because FakeCloud's public keyword ``faults`` (and its
# attribute) would hide the module in __init__.
from heat_retry_plugins.fakecloud import faults as faults_mod
from heat_retry_plugins.fakecloud import glance
from heat_retry_plugins.fakecloud import keystone
from heat_retry_plugins.fakecloud import listener
from heat_retry_plugins.fakecloud import neutron
from heat_retry_plugins.fakecloud import nova
from heat_retry_plugins.fakecloud import octavia
from heat_retry_plugins.fakecloud import orchestration
from heat_retry_plugins.fakecloud import pipeline
from heat_retry_plugins.fakecloud import state
from heat_retry_plugins.fakecloud import swift

LOG = logging.getLogger(__name__)

#: The service classes, in catalog (and port) order.
SERVICE_CLASSES = (keystone.KeystoneService, nova.NovaService,
                   glance.GlanceService, neutron.NeutronService,
                   cinder.CinderService, octavia.OctaviaService,
                   swift.SwiftService, designate.DesignateService,
                   orchestration.OrchestrationService)
#: The path each service's catalog endpoint ends with.
ENDPOINT_SUFFIX = {'identity': '/v3', 'compute': '/v2.1', 'image': '',
                   'network': '', 'volumev3': '/v3', 'load-balancer': '',
                   'object-store': '/v1/AUTH_%(project_id)s', 'dns': '',
                   'orchestration': '/v1/%(project_id)s'}


class FakeCloud:
    """A fake OpenStack cloud on 127.0.0.1 that injects faults on purpose.

    :param faults: the fault spec: a list of rules, a ``{'faults': [...]}``
        mapping, a YAML/JSON file path, or None for no faults.
    :param seed: the seed of the ``rate`` decisions.
    :param token_ttl: token lifetime in seconds.
    :param server_build_seconds: how long a new server stays in BUILD.
    :param host: the address every service binds.
    :param port_base: bind identity, compute, image and network to
        ``port_base`` .. ``port_base + 3``; None picks free ports.
    """

    username = 'admin'
    project_name = 'admin'
    domain_id = 'default'
    region = 'RegionOne'

    def __init__(self, faults: faults_mod.SpecLike = None, seed: int = 0,
                 token_ttl: float = 3600, server_build_seconds: float = 0.0,
                 host: str = '127.0.0.1',
                 port_base: Optional[int] = None) -> None:
        self.host = host
        self.server_build_seconds = server_build_seconds
        self.password = secrets.token_urlsafe(16)
        self.state = state.CloudState(token_ttl=token_ttl)
        self.faults = faults_mod.FaultInjector(faults, seed)
        self.request_counters = counters.RequestCounters()
        self._lock = threading.RLock()
        self._timers = []
        self._refused = set()
        self._started = False
        self.services = {}
        self._listeners = {}
        self.service_types = tuple(cls.name for cls in SERVICE_CLASSES)
        for index, service_class in enumerate(SERVICE_CLASSES):
            service = service_class(self)
            handler = type('%sHandler' % service_class.__name__,
                           (listener.RequestHandler,),
                           {'pipeline': pipeline.Pipeline(self, service)})
            port = 0 if port_base is None else port_base + index
            self.services[service.name] = service
            self._listeners[service.name] = listener.ServiceListener(
                service.name, handler, host, port)
        self.control = control.ControlService(self)
        user, project = self.services['identity'].seed(
            self.username, self.password, self.project_name)
        self.user_id, self.project_id = user['id'], project['id']
        for name in self.service_types[1:]:
            self.services[name].seed()

    # -- lifecycle --------------------------------------------------------

    def start(self) -> 'FakeCloud':
        """Bind every service and start serving (no-op when started).

        Fault windows count from here. If a port cannot be bound, the
        services already bound are closed again.

        :returns: self.
        :raises OSError: if a port cannot be bound.
        """
        with self._lock:
            if self._started:
                return self
            try:
                for service_listener in self._listeners.values():
                    service_listener.start()
            except Exception:
                for service_listener in self._listeners.values():
                    service_listener.stop()
                raise
            self._started = True
            self.faults.restart_clock()
            self._schedule_refusals()
        LOG.info('fakecloud started: %s', self.auth_url)
        return self

    def stop(self) -> None:
        """Close every listener and connection and join their threads."""
        with self._lock:
            self._started = False
        self._drain_timers()
        for service_listener in self._listeners.values():
            service_listener.stop()

    def __enter__(self) -> 'FakeCloud':
        return self.start()

    def __exit__(self, *exc_info: Any) -> None:
        self.stop()

    # -- addresses --------------------------------------------------------

    def port(self, service: str) -> int:
        """Return the port of a service.

        :param service: the catalog type (``'compute'``...).
        :returns: the port (0 before start when ports are picked).
        """
        return self._listener(service).port

    def base_url(self, service: str) -> str:
        """Return ``http://HOST:PORT`` of a service.

        :param service: the catalog type.
        :returns: the URL.
        """
        return 'http://%s:%d' % (self.host, self.port(service))

    def endpoint(self, service: str,
                 project_id: Optional[str] = None) -> str:
        """Return the catalog endpoint of a service.

        :param service: the catalog type.
        :param project_id: the project that ``%(project_id)s`` stands for,
            as Keystone fills it in for the token's project; the admin
            project by default.
        :returns: e.g. ``'http://127.0.0.1:PORT/v2.1'`` for compute.
        """
        return self.base_url(service) + ENDPOINT_SUFFIX[service] % {
            'project_id': project_id or self.project_id}

    @property
    def auth_url(self) -> str:
        """The Keystone v3 auth URL.

        :returns: ``'http://127.0.0.1:PORT/v3'``.
        """
        return self.endpoint('identity')

    def credentials(self) -> dict:
        """Return the admin credentials, as keystoneauth Password kwargs.

        :returns: auth_url, username, password, project_name,
            user_domain_id, project_domain_id.
        """
        return {'auth_url': self.auth_url, 'username': self.username,
                'password': self.password, 'project_name': self.project_name,
                'user_domain_id': self.domain_id,
                'project_domain_id': self.domain_id}

    def _listener(self, service: str) -> listener.ServiceListener:
        try:
            return self._listeners[service]
        except KeyError:
            raise ValueError('unknown service %r (expected one of %s)'
                             % (service, ', '.join(self.service_types)))

    # -- outages ----------------------------------------------------------

    def set_down(self, service: str) -> None:
        """Hard outage: close the listener and the open connections.

        New connections get ``ECONNREFUSED`` until :meth:`set_up`.

        :param service: the catalog type.
        """
        LOG.info('fakecloud: %s down', service)
        self._listener(service).stop()

    def set_up(self, service: str) -> None:
        """End an outage: listen on the same port again.

        :param service: the catalog type.
        """
        self._listener(service).start()
        LOG.info('fakecloud: %s up', service)

    def is_up(self, service: str) -> bool:
        """Tell whether a service is listening.

        :param service: the catalog type.
        :returns: True when up.
        """
        return self._listener(service).is_up

    def refuse_for(self, service: str, seconds: float) -> None:
        """Take a service down now and bring it up after a delay.

        :param service: the catalog type.
        :param seconds: the outage duration.
        """
        with self._lock:
            self._refused.add(service)
            self.start_timer(seconds, self._switch_refused, [[service], False])
        self.set_down(service)

    def _switch_refused(self, services: Iterable[str], refused: bool) -> None:
        # NOTE: a timer that fires after stop() must not listen again.
        with self._lock:
            if not self._started:
                return
            if refused:
                self._refused.update(services)
            else:
                self._refused.difference_update(services)
        switch = self.set_down if refused else self.set_up
        for service in services:
            switch(service)

    def start_timer(self, delay: float, func: Any, args: list) -> None:
        """Call a function later, on a timer the cloud stops with itself.

        :meth:`stop` and :meth:`set_faults` cancel the timers still pending
        and join the one running.

        :param delay: seconds from now (a negative delay is none).
        :param func: the function.
        :param args: its positional arguments.
        """
        timer = threading.Timer(max(0.0, delay), func, args)
        timer.daemon = True
        self._timers.append(timer)
        timer.start()

    def _drain_timers(self) -> None:
        with self._lock:
            timers, self._timers = self._timers, []
        for timer in timers:
            timer.cancel()
        for timer in timers:
            if timer is not threading.current_thread():
                timer.join(5.0)

    def _schedule_refusals(self) -> None:
        elapsed = self.faults.elapsed()
        for rule in self.faults.rules:
            if not rule.scheduled:
                continue
            services = (list(self.service_types) if rule.service == '*'
                        else [rule.service])
            start, end = rule.window
            if end <= elapsed:
                continue
            self.start_timer(start - elapsed, self._switch_refused,
                             [services, True])
            self.start_timer(end - elapsed, self._switch_refused,
                             [services, False])

    # -- faults, tokens, counters -----------------------------------------

    def set_faults(self, spec: faults_mod.SpecLike,
                   seed: Optional[int] = None) -> None:
        """Replace the fault spec; windows count from now.

        Services down because of the old spec's refusals come back up.

        :param spec: anything :func:`faults.load_spec` accepts.
        :param seed: a new seed, or None to keep the current one.
        :raises ValueError: if the spec is invalid (the old one stays).
        """
        self.faults.set_spec(spec, seed)
        self._drain_timers()
        with self._lock:
            refused, self._refused = sorted(self._refused), set()
            if self._started:
                for service in refused:
                    self.set_up(service)
                self._schedule_refusals()

    def expire_tokens(self) -> int:
        """Invalidate every issued token: the next use gets a 401.

        :returns: how many tokens were valid.
        """
        return self.state.expire_tokens()

    def counters(self) -> dict:
        """Take a JSON-serialisable snapshot of the counters.

        :returns: ``requests``, ``requests_total``, ``faults``,
            ``faults_total``, ``created``, ``live``, ``live_objects``,
            ``duplicates``, ``duplicates_total``.
        """
        snapshot = self.request_counters.snapshot()
        snapshot.update(self.state.object_summary())
        return snapshot

    def reset_counters(self) -> None:
        """Zero the request, fault and created counters.

        ``live`` and ``duplicates`` describe the objects that exist and are
        not reset.
        """
        self.request_counters.reset()
        self.state.reset_created()

    def objects(self, kind: str) -> list:
        """List the live objects of a kind created through the API.

        :param kind: ``'server'``, ``'keypair'``, ``'project'``, ``'user'``...
        :returns: copies of the stored objects (without passwords).
        """
        return [{k: copy.deepcopy(v) for k, v in obj.items()
                 if k != 'password'} for obj in self.state.live(kind)]

    def __repr__(self) -> str:
        return '<FakeCloud %s>' % ', '.join(
            repr(service_listener)
            for service_listener in self._listeners.values())

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

"""The fault specification and the seeded choice of the requests that fail.

A spec is a list of rules (or a mapping ``{faults: [...], seed: N}``). Each
rule says which requests it matches (``service``, ``method``, ``path``,
``project``), which of the matching requests fail (``rate``, ``first``,
``every``, ``window``, capped by ``max_faults``) and how they fail
(``fault``)::

    - service: compute          # identity|compute|image|network|'*'
      method: POST              # or a list; default: any method
      path: ^/servers$          # re.search on the path without the version
      project: team-a           # a project id or name, or a list of them
      first: 2                  # the first 2 matching requests fail
      fault: {status: 429, retry_after: 'http-date:+2'}

A rule with ``project`` only matches requests whose ``X-Auth-Token`` is a
valid token scoped to one of those projects (by id, or by name in any
domain); it never matches a request without a valid token.

Fault kinds (``fault: {kind: ..., ...}``; ``fault: 503`` is short for a
``status`` fault):

``status``
    an error response (``status``, 4xx or 5xx); the request is not processed.
``ambiguous`` (``ambiguous_502``, ``status_after: 502``)
    the request is processed, then an error response (500 by default).
``drop_before`` / ``drop_after``
    the connection is closed before / after the request is processed.
``slow``
    sleep ``seconds``, then process and answer. With a client read timeout
    shorter than ``seconds`` the client times out while the request still
    lands when the sleep ends: a create whose response was lost.
``slow_create`` (``slow_create_502``)
    answer at once with ``status`` (any 5xx, 504 by default), and process
    the request ``seconds`` later (1.0 by default) on a timer, as a load
    balancer that gives up on the backend but has forwarded the request: the
    object appears after the client got its error. The request is counted
    with its status and the fault as ``slow_create_504``; what the late
    request creates counts as created. ``FakeCloud.set_faults`` and
    ``FakeCloud.stop`` cancel the late requests still pending (they never
    land) and wait for one already running.
``refuse``
    the listener closes, so connections are refused, for ``seconds`` after a
    matching request, or during a ``window`` (a timer, not a request).

Every matching rule advances its own counters on every matching request, so
one rule's decisions do not depend on the traffic that other rules see; the
first rule (in spec order) that selects the request wins. ``rate`` draws from
a ``random.Random(seed + rule_index)``, so the same seed and the same request
sequence give the same decisions. The seed is a non-negative integer; a
mapping's ``seed`` applies when the caller gives none.

Specs are validated whole before they replace the current one: an unknown
key, a wrong type, a bad regex or a file that is not a list or a mapping is
a ``ValueError`` that says which rule and which key.
"""

import dataclasses
import email.utils
import random
import re
import threading
import time
from typing import Any
from typing import Callable
from typing import Optional
from typing import Union

from heat_retry_plugins.fakecloud import fault_spec
from heat_retry_plugins.fakecloud.fault_spec import count
from heat_retry_plugins.fakecloud.fault_spec import is_number
from heat_retry_plugins.fakecloud.fault_spec import number
from heat_retry_plugins.fakecloud.fault_spec import regex
from heat_retry_plugins.fakecloud.fault_spec import show
from heat_retry_plugins.fakecloud.fault_spec import strings
from heat_retry_plugins.fakecloud.fault_spec import unknown_keys
from heat_retry_plugins.fakecloud.fault_spec import window

SERVICES = ('identity', 'compute', 'image', 'network', 'volumev3',
            'load-balancer', 'object-store', 'dns', 'orchestration')

#: Fault kinds: what happens to a selected request.
STATUS = 'status'            # error response, request not processed
DROP_BEFORE = 'drop_before'  # connection closed, request not processed
DROP_AFTER = 'drop_after'    # request processed, connection closed
AMBIGUOUS = 'ambiguous'      # request processed, error response
SLOW = 'slow'                # sleep, then process normally
SLOW_CREATE = 'slow_create'  # error response now, request processed later
REFUSE = 'refuse'            # listener closed: connections are refused
KINDS = (STATUS, DROP_BEFORE, DROP_AFTER, AMBIGUOUS, SLOW, SLOW_CREATE,
         REFUSE)

#: The defaults of a ``slow_create`` fault.
SLOW_CREATE_STATUS = 504
SLOW_CREATE_SECONDS = 1.0

_RULE_KEYS = {'service', 'method', 'path', 'project', 'rate', 'first',
              'every', 'window', 'max_faults', 'fault', 'name'}
_FAULT_KEYS = {'kind', 'status', 'status_after', 'retry_after', 'seconds',
               'body'}
_BODIES = ('json', 'html', 'empty')
#: The keys that choose which matching requests fail (one at the most).
_SELECTORS = ('rate', 'first', 'every')

# NOTE: re-exported, so that callers find the whole spec API here.
LoadedSpec = fault_spec.LoadedSpec
SpecLike = fault_spec.SpecLike
load_spec = fault_spec.load_spec
read_spec = fault_spec.read_spec
validate_seed = fault_spec.validate_seed


@dataclasses.dataclass(frozen=True)
class Fault:
    """What happens to a request that a rule selects.

    :param kind: one of :data:`KINDS`.
    :param status: the HTTP status of ``status``, ``ambiguous`` and
        ``slow_create`` faults.
    :param retry_after: ``Retry-After`` header: seconds (int), the string
        ``'http-date:+N'`` (an HTTP date N seconds ahead) or any literal
        string, sent as it is.
    :param seconds: the delay of a ``slow`` or ``slow_create`` fault, or
        how long a ``refuse`` fault keeps the service down when a request
        triggers it.
    :param body: ``'json'`` (the service's own error body), ``'html'`` (a
        load balancer's page) or ``'empty'``.
    """

    kind: str
    status: Optional[int] = None
    retry_after: Union[int, str, None] = None
    seconds: float = 0.0
    body: str = 'json'

    @property
    def label(self) -> str:
        """The key of this fault in the ``faults`` counters.

        :returns: ``'503'`` for a status fault, ``'ambiguous_500'`` for an
            ambiguous one, ``'slow_create_504'`` for a slow create, else
            the kind (``'drop_after'``, ``'slow'``...).
        """
        if self.kind == STATUS:
            return str(self.status)
        if self.kind in (AMBIGUOUS, SLOW_CREATE):
            return '%s_%d' % (self.kind, self.status)
        return self.kind

    def retry_after_header(self, now: Optional[float] = None) -> Optional[str]:
        """Render the ``Retry-After`` header value.

        :param now: the current time (``time.time()``) for HTTP dates.
        :returns: the header value, or None for no header.
        """
        return render_retry_after(self.retry_after, now)


def render_retry_after(value: Union[int, str, None],
                       now: Optional[float] = None) -> Optional[str]:
    """Render a ``retry_after`` of a fault as the header value.

    :param value: seconds (int), ``'http-date:+N'`` (an HTTP date N seconds
        ahead), any other string (sent as it is) or None.
    :param now: the current time (``time.time()``) for HTTP dates.
    :returns: the header value, or None for no header.
    :raises ValueError: for a boolean.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError('retry_after must not be a boolean')
    if isinstance(value, (int, float)):
        return str(int(value))
    match = re.fullmatch(r'http-date:\+?(-?\d+(?:\.\d+)?)', value)
    if match:
        when = (time.time() if now is None else now) + float(match.group(1))
        return email.utils.formatdate(when, usegmt=True)
    return value


@dataclasses.dataclass
class FaultRule:
    """One rule of a spec, with its own counters and random generator.

    Build rules with :func:`parse_spec`; the fields mirror the spec keys
    (``projects`` holds the ids and names of ``project``).
    """

    fault: Fault
    service: str = '*'
    methods: Optional[frozenset] = None
    path: Optional[re.Pattern] = None
    projects: Optional[frozenset] = None
    rate: Optional[float] = None
    first: Optional[int] = None
    every: Optional[int] = None
    window: Optional[tuple] = None
    max_faults: Optional[int] = None
    name: str = ''
    matched: int = 0
    fired: int = 0
    rng: random.Random = dataclasses.field(default_factory=random.Random)

    @property
    def scheduled(self) -> bool:
        """A refuse rule with a window acts on a timer, not on requests."""
        return self.fault.kind == REFUSE and self.window is not None

    def matches(self, service: str, method: str, path: str,
                project: frozenset = frozenset()) -> bool:
        """Tell whether a request is one this rule looks at.

        :param service: the catalog type of the service.
        :param method: the HTTP method.
        :param path: the request path without the service's version prefix.
        :param project: the id and name of the project the request's valid
            token is scoped to; empty without one.
        :returns: True if service, method, path and project match.
        """
        if self.service != '*' and self.service != service:
            return False
        if self.methods is not None and method.upper() not in self.methods:
            return False
        if self.projects is not None and not self.projects & project:
            return False
        return self.path is None or self.path.search(path) is not None

    def select(self, elapsed: float) -> bool:
        """Advance the counters for a matching request and decide.

        :param elapsed: seconds since the spec took effect.
        :returns: True if this request gets the fault.
        """
        if self.window is not None and not (
                self.window[0] <= elapsed < self.window[1]):
            return False
        self.matched += 1
        if self.rate is not None:
            chosen = self.rng.random() < self.rate
        elif self.first is not None:
            chosen = self.matched <= self.first
        elif self.every is not None:
            chosen = self.matched % self.every == 0
        else:
            chosen = True
        if chosen and self.max_faults is not None:
            chosen = self.fired < self.max_faults
        if chosen:
            self.fired += 1
        return chosen


def _fault_mapping(raw: Any, where: str) -> dict:
    if isinstance(raw, int) and not isinstance(raw, bool):
        return {'status': raw}
    if isinstance(raw, str):
        return {'kind': raw}
    if not isinstance(raw, dict):
        raise ValueError('%s: fault must be a mapping, a status or a kind, '
                         'got %s' % (where, show(raw)))
    unknown = unknown_keys(raw, _FAULT_KEYS)
    if unknown:
        raise ValueError('%s: unknown fault keys: %s' % (where, unknown))
    return raw


def _fault_kind(raw: dict, where: str) -> tuple:
    kind, status = raw.get('kind'), raw.get('status')
    if kind is not None and not isinstance(kind, str):
        raise ValueError('%s: fault kind must be a string, got %s'
                         % (where, show(kind)))
    if raw.get('status_after') is not None:
        return AMBIGUOUS, raw['status_after']
    if kind is None:
        if status is None:
            raise ValueError('%s: fault needs a kind or a status' % where)
        return STATUS, status
    for prefix in (AMBIGUOUS, SLOW_CREATE):
        suffix = kind[len(prefix) + 1:]
        if kind.startswith(prefix + '_') and suffix.isdigit():
            return prefix, suffix
    if kind not in KINDS:
        raise ValueError('%s: unknown fault kind %s (expected one of %s)'
                         % (where, show(kind), ', '.join(KINDS)))
    if status is None:
        status = {AMBIGUOUS: 500, SLOW_CREATE: SLOW_CREATE_STATUS}.get(kind)
    return kind, status


def _fault_status(kind: str, status: Any, where: str) -> Optional[int]:
    if kind not in (STATUS, AMBIGUOUS, SLOW_CREATE):
        return None
    if isinstance(status, str) and status.isdigit():
        status = int(status)
    if isinstance(status, bool) or not isinstance(status, int) or not (
            400 <= status <= 599):
        raise ValueError('%s: fault status must be 4xx or 5xx, got %s'
                         % (where, show(status)))
    if kind == SLOW_CREATE and status < 500:
        raise ValueError('%s: a slow_create status must be 5xx, got %d'
                         % (where, status))
    return status


def _fault_body(raw: dict, where: str) -> str:
    body = raw.get('body', 'json')
    if not isinstance(body, str) or body not in _BODIES:
        raise ValueError("%s: fault body must be 'json', 'html' or 'empty', "
                         "got %s" % (where, show(body)))
    return body


def _fault_seconds(raw: dict, kind: str, where: str) -> float:
    seconds = raw.get('seconds')
    if seconds is None:
        seconds = SLOW_CREATE_SECONDS if kind == SLOW_CREATE else 0.0
    seconds = number(seconds, '%s: fault seconds' % where)
    if seconds < 0:
        raise ValueError('%s: fault seconds must not be negative' % where)
    return seconds


def _fault_retry_after(raw: dict, where: str) -> Union[int, str, None]:
    retry_after = raw.get('retry_after')
    if retry_after is not None and not (isinstance(retry_after, str) or
                                        is_number(retry_after)):
        raise ValueError('%s: retry_after must be seconds or a string, got '
                         '%s' % (where, show(retry_after)))
    try:
        render_retry_after(retry_after)
    except (OverflowError, OSError, ValueError) as exc:
        raise ValueError('%s: retry_after %s cannot be rendered: %s'
                         % (where, show(retry_after), exc))
    return retry_after


def _parse_fault(raw: Any, where: str) -> Fault:
    raw = _fault_mapping(raw, where)
    kind, status = _fault_kind(raw, where)
    # NOTE: keyword arguments are evaluated in order: the first bad key of
    # a fault is the one its error names.
    return Fault(kind=kind, status=_fault_status(kind, status, where),
                 body=_fault_body(raw, where),
                 seconds=_fault_seconds(raw, kind, where),
                 retry_after=_fault_retry_after(raw, where))


def _check_rule_mapping(raw: Any, where: str) -> None:
    if not isinstance(raw, dict):
        raise ValueError('%s must be a mapping, got %s' % (where, show(raw)))
    unknown = unknown_keys(raw, _RULE_KEYS)
    if unknown:
        raise ValueError('%s: unknown keys: %s' % (where, unknown))
    if 'fault' not in raw:
        raise ValueError('%s has no fault' % where)


def _rule_service(raw: dict, where: str) -> str:
    service = raw.get('service', '*')
    if not isinstance(service, str) or (service != '*' and
                                        service not in SERVICES):
        raise ValueError('%s: unknown service %s (expected one of %s or *)'
                         % (where, show(service), ', '.join(SERVICES)))
    return service


def _rule_strings(raw: dict, key: str, where: str) -> Optional[frozenset]:
    value = raw.get(key)
    if value is None:
        return None
    return strings(value, '%s: %s' % (where, key))


def _rule_methods(raw: dict, where: str) -> Optional[frozenset]:
    methods = _rule_strings(raw, 'method', where)
    if methods is None:
        return None
    return frozenset(method.upper() for method in methods)


def _rule_rate(raw: dict, where: str) -> Optional[float]:
    if sum(key in raw for key in _SELECTORS) > 1:
        raise ValueError('%s: use only one of rate, first, every' % where)
    rate = raw.get('rate')
    if rate is None:
        return None
    rate = number(rate, '%s: rate' % where)
    if not 0.0 <= rate <= 1.0:
        raise ValueError('%s: rate must be within [0, 1]' % where)
    return rate


def _rule_name(raw: dict, index: int, where: str) -> str:
    name = raw.get('name', 'rule%d' % index)
    if isinstance(name, bool) or not isinstance(name, (str, int)):
        raise ValueError('%s: name must be a string, got %s'
                         % (where, show(name)))
    return str(name)


def _check_refuse(rule: FaultRule, raw: dict, where: str) -> None:
    if rule.fault.kind != REFUSE:
        return
    if rule.scheduled and (any(key in raw for key in _SELECTORS) or
                           rule.methods or rule.path or rule.projects):
        raise ValueError('%s: a refuse window takes no selector, '
                         'method, path or project' % where)
    if not rule.scheduled and rule.fault.seconds <= 0:
        raise ValueError('%s: refuse needs a window or seconds' % where)


def parse_rule(raw: dict, index: int = 0, seed: int = 0) -> FaultRule:
    """Build one :class:`FaultRule` from its spec mapping.

    :param raw: the rule mapping.
    :param index: the position of the rule in the spec.
    :param seed: the spec seed; the rule draws from ``Random(seed + index)``.
    :returns: the rule.
    :raises ValueError: if the mapping is not a valid rule; the message
        names the rule and the key.
    """
    where = 'rule %d' % index
    _check_rule_mapping(raw, where)
    # NOTE: keyword arguments are evaluated in order: the first bad key of
    # a rule is the one its error names.
    rule = FaultRule(
        fault=_parse_fault(raw['fault'], where),
        service=_rule_service(raw, where),
        methods=_rule_methods(raw, where),
        projects=_rule_strings(raw, 'project', where),
        rate=_rule_rate(raw, where), name=_rule_name(raw, index, where),
        path=regex(raw, 'path', where),
        first=count(raw, 'first', where),
        every=count(raw, 'every', where, minimum=1),
        window=window(raw, 'window', where),
        max_faults=count(raw, 'max_faults', where),
        rng=random.Random(seed + index))
    _check_refuse(rule, raw, where)
    return rule


def parse_spec(source: SpecLike, seed: Optional[int] = None) -> list:
    """Load and validate a spec.

    :param source: anything :func:`read_spec` accepts.
    :param seed: the seed of the ``rate`` decisions; None for the spec's
        own ``seed``, else 0.
    :returns: a list of :class:`FaultRule`.
    :raises ValueError: if the spec, a rule or the seed is invalid.
    """
    loaded = read_spec(source)
    seed = validate_seed((loaded.seed or 0) if seed is None else seed)
    return [parse_rule(raw, index, seed)
            for index, raw in enumerate(loaded.rules)]


class FaultInjector:
    """Decide, thread-safely, which fault (if any) each request gets.

    :param spec: anything :func:`read_spec` accepts.
    :param seed: the seed of the ``rate`` decisions; None for the spec's
        own ``seed``, else 0.
    :param clock: a monotonic clock, for ``window`` rules.
    :raises ValueError: if the spec or the seed is invalid.
    """

    def __init__(self, spec: SpecLike = None, seed: Optional[int] = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._lock = threading.Lock()
        self._clock = clock
        loaded = read_spec(spec)
        self.seed = validate_seed((loaded.seed or 0) if seed is None
                                  else seed)
        self._rules = parse_spec(loaded.rules, self.seed)
        self._epoch = clock()

    @property
    def rules(self) -> list:
        """The current rules (shared objects: do not modify).

        :returns: a list of :class:`FaultRule`.
        """
        with self._lock:
            return list(self._rules)

    def set_spec(self, spec: SpecLike, seed: Optional[int] = None) -> None:
        """Replace the rules and the seed together; windows count from now.

        Nothing changes unless the whole spec and the seed are valid.

        :param spec: anything :func:`read_spec` accepts.
        :param seed: a new seed; None for the spec's own ``seed``, or to
            keep the current one.
        :raises ValueError: if the spec or the seed is invalid.
        """
        loaded = read_spec(spec)
        if seed is None:
            seed = self.seed if loaded.seed is None else loaded.seed
        seed = validate_seed(seed)
        rules = parse_spec(loaded.rules, seed)
        with self._lock:
            self.seed = seed
            self._rules = rules
            self._epoch = self._clock()

    def restart_clock(self) -> None:
        """Make windows count from now (the cloud calls it on start)."""
        with self._lock:
            self._epoch = self._clock()

    def elapsed(self) -> float:
        """Seconds since the spec took effect.

        :returns: the elapsed time in seconds.
        """
        return self._clock() - self._epoch

    def decide(self, service: str, method: str, path: str,
               project: frozenset = frozenset()) -> Optional[Fault]:
        """Choose the fault of one request.

        :param service: the catalog type of the service.
        :param method: the HTTP method.
        :param path: the request path without the version prefix.
        :param project: the id and name of the project the request's valid
            token is scoped to; empty without one.
        :returns: the :class:`Fault`, or None to serve the request normally.
        """
        chosen = None
        with self._lock:
            elapsed = self._clock() - self._epoch
            for rule in self._rules:
                if rule.scheduled or not rule.matches(service, method, path,
                                                      project):
                    continue
                if rule.select(elapsed) and chosen is None:
                    chosen = rule.fault
        return chosen

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

A spec is a list of rules. Each rule says which requests it matches
(``service``, ``method``, ``path``), which of the matching requests fail
(``rate``, ``first``, ``every``, ``window``, capped by ``max_faults``) and how
they fail (``fault``)::

    - service: compute          # identity|compute|image|network|'*'
      method: POST              # or a list; default: any method
      path: ^/servers$          # re.search on the path without the version
      first: 2                  # the first 2 matching requests fail
      fault: {status: 503, retry_after: 'http-date:+2'}

Every matching rule advances its own counters on every matching request, so
one rule's decisions do not depend on the traffic that other rules see; the
first rule (in spec order) that selects the request wins. ``rate`` draws from
a ``random.Random(seed + rule_index)``, so the same seed and the same request
sequence give the same decisions.
"""

import dataclasses
import email.utils
import json
import os
import random
import re
import threading
import time
from typing import Any
from typing import Callable
from typing import Iterable
from typing import Optional
from typing import Union

SERVICES = ('identity', 'compute', 'image', 'network')

#: Fault kinds: what happens to a selected request.
STATUS = 'status'            # error response, request not processed
DROP_BEFORE = 'drop_before'  # connection closed, request not processed
DROP_AFTER = 'drop_after'    # request processed, connection closed
AMBIGUOUS = 'ambiguous'      # request processed, error response
SLOW = 'slow'                # sleep, then process normally
REFUSE = 'refuse'            # listener closed: connections are refused
KINDS = (STATUS, DROP_BEFORE, DROP_AFTER, AMBIGUOUS, SLOW, REFUSE)

_RULE_KEYS = {'service', 'method', 'path', 'rate', 'first', 'every',
              'window', 'max_faults', 'fault', 'name'}
_FAULT_KEYS = {'kind', 'status', 'status_after', 'retry_after', 'seconds',
               'body'}

SpecLike = Union[None, str, os.PathLike, dict, Iterable[dict]]


@dataclasses.dataclass(frozen=True)
class Fault:
    """What happens to a request that a rule selects.

    :param kind: one of :data:`KINDS`.
    :param status: the HTTP status for ``status`` and ``ambiguous`` faults.
    :param retry_after: ``Retry-After`` header: seconds (int), the string
        ``'http-date:+N'`` (an HTTP date N seconds ahead) or any literal
        string, sent as it is.
    :param seconds: the delay of a ``slow`` fault, or how long a ``refuse``
        fault keeps the service down when a request triggers it.
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
            ambiguous one, else the kind (``'drop_after'``, ``'slow'``...).
        """
        if self.kind == STATUS:
            return str(self.status)
        if self.kind == AMBIGUOUS:
            return 'ambiguous_%d' % self.status
        return self.kind

    def retry_after_header(self, now: Optional[float] = None) -> Optional[str]:
        """Render the ``Retry-After`` header value.

        :param now: the current time (``time.time()``) for HTTP dates.
        :returns: the header value, or None for no header.
        """
        value = self.retry_after
        if value is None:
            return None
        if isinstance(value, bool):
            raise ValueError('retry_after must not be a boolean')
        if isinstance(value, (int, float)):
            return str(int(value))
        match = re.fullmatch(r'http-date:\+?(-?\d+(?:\.\d+)?)', value)
        if match:
            when = (time.time() if now is None else now) + float(
                match.group(1))
            return email.utils.formatdate(when, usegmt=True)
        return value


@dataclasses.dataclass
class FaultRule:
    """One rule of a spec, with its own counters and random generator.

    Build rules with :func:`parse_spec`; the fields mirror the spec keys.
    """

    fault: Fault
    service: str = '*'
    methods: Optional[frozenset] = None
    path: Optional[re.Pattern] = None
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

    def matches(self, service: str, method: str, path: str) -> bool:
        """Tell whether a request is one this rule looks at.

        :param service: the catalog type of the service.
        :param method: the HTTP method.
        :param path: the request path without the service's version prefix.
        :returns: True if service, method and path match.
        """
        if self.service != '*' and self.service != service:
            return False
        if self.methods is not None and method.upper() not in self.methods:
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


def _parse_fault(raw: Any) -> Fault:
    if isinstance(raw, bool):
        raise ValueError('fault must be a mapping, a status or a kind')
    if isinstance(raw, int):
        raw = {'status': raw}
    elif isinstance(raw, str):
        raw = {'kind': raw}
    if not isinstance(raw, dict):
        raise ValueError('fault must be a mapping, got %r' % (raw,))
    unknown = set(raw) - _FAULT_KEYS
    if unknown:
        raise ValueError('unknown fault keys: %s' % ', '.join(sorted(unknown)))
    kind = raw.get('kind')
    status = raw.get('status')
    if raw.get('status_after') is not None:
        kind, status = AMBIGUOUS, raw['status_after']
    elif kind is None and status is not None:
        kind = STATUS
    elif kind and kind.startswith('ambiguous_'):
        kind, status = AMBIGUOUS, kind[len('ambiguous_'):]
    if kind == AMBIGUOUS and status is None:
        status = 500
    if kind not in KINDS:
        raise ValueError('unknown fault kind %r (expected one of %s)'
                         % (kind, ', '.join(KINDS)))
    if kind in (STATUS, AMBIGUOUS):
        try:
            status = int(status)
        except (TypeError, ValueError):
            raise ValueError('fault status must be an integer, got %r'
                             % (status,))
        if not 400 <= status <= 599:
            raise ValueError('fault status must be 4xx or 5xx, got %d'
                             % status)
    else:
        status = None
    body = raw.get('body', 'json')
    if body not in ('json', 'html', 'empty'):
        raise ValueError("fault body must be 'json', 'html' or 'empty'")
    seconds = float(raw.get('seconds', 0.0))
    if seconds < 0:
        raise ValueError('fault seconds must not be negative')
    fault = Fault(kind=kind, status=status,
                  retry_after=raw.get('retry_after'), seconds=seconds,
                  body=body)
    fault.retry_after_header()  # validate early
    return fault


def _positive_int(raw: dict, key: str) -> Optional[int]:
    value = raw.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError('%s must be a non-negative integer' % key)
    return value


def parse_rule(raw: dict, index: int = 0, seed: int = 0) -> FaultRule:
    """Build one :class:`FaultRule` from its spec mapping.

    :param raw: the rule mapping.
    :param index: the position of the rule in the spec.
    :param seed: the spec seed; the rule draws from ``Random(seed + index)``.
    :returns: the rule.
    :raises ValueError: if the mapping is not a valid rule.
    """
    if not isinstance(raw, dict):
        raise ValueError('rule %d must be a mapping' % index)
    unknown = set(raw) - _RULE_KEYS
    if unknown:
        raise ValueError('rule %d: unknown keys: %s'
                         % (index, ', '.join(sorted(unknown))))
    if 'fault' not in raw:
        raise ValueError('rule %d has no fault' % index)
    fault = _parse_fault(raw['fault'])
    service = raw.get('service', '*')
    if service != '*' and service not in SERVICES:
        raise ValueError('rule %d: unknown service %r' % (index, service))
    methods = raw.get('method')
    if methods is not None:
        if isinstance(methods, str):
            methods = [methods]
        methods = frozenset(m.upper() for m in methods)
    path = raw.get('path')
    if path is not None:
        path = re.compile(path)
    selectors = [k for k in ('rate', 'first', 'every') if k in raw]
    if len(selectors) > 1:
        raise ValueError('rule %d: use only one of rate, first, every'
                         % index)
    rate = raw.get('rate')
    if rate is not None:
        rate = float(rate)
        if not 0.0 <= rate <= 1.0:
            raise ValueError('rule %d: rate must be within [0, 1]' % index)
    every = _positive_int(raw, 'every')
    if every == 0:
        raise ValueError('rule %d: every must be at least 1' % index)
    window = raw.get('window')
    if window is not None:
        if len(window) != 2 or float(window[0]) > float(window[1]):
            raise ValueError('rule %d: window must be [start, end]' % index)
        window = (float(window[0]), float(window[1]))
    rule = FaultRule(fault=fault, service=service, methods=methods,
                     path=path, rate=rate, first=_positive_int(raw, 'first'),
                     every=every, window=window,
                     max_faults=_positive_int(raw, 'max_faults'),
                     name=str(raw.get('name', 'rule%d' % index)),
                     rng=random.Random(seed + index))
    if fault.kind == REFUSE:
        if rule.scheduled and (selectors or methods or path):
            raise ValueError('rule %d: a refuse window takes no selector, '
                             'method or path' % index)
        if not rule.scheduled and fault.seconds <= 0:
            raise ValueError('rule %d: refuse needs a window or seconds'
                             % index)
    return rule


def load_spec(source: SpecLike) -> list:
    """Load a spec into a plain list of rule mappings.

    :param source: None, a list of rule mappings, a mapping with a
        ``faults`` list, or the path of a YAML or JSON file holding either.
    :returns: the list of rule mappings (not validated).
    """
    if source is None:
        return []
    if isinstance(source, (str, os.PathLike)):
        with open(source, encoding='utf-8') as spec_file:
            text = spec_file.read()
        if str(source).endswith('.json'):
            source = json.loads(text)
        else:
            import yaml
            source = yaml.safe_load(text)
        if source is None:
            return []
    if isinstance(source, dict):
        source = source.get('faults') or []
    return list(source)


def parse_spec(source: SpecLike, seed: int = 0) -> list:
    """Load and validate a spec.

    :param source: anything :func:`load_spec` accepts.
    :param seed: the seed of the ``rate`` decisions.
    :returns: a list of :class:`FaultRule`.
    :raises ValueError: if a rule is invalid.
    """
    return [parse_rule(raw, index, seed)
            for index, raw in enumerate(load_spec(source))]


class FaultInjector:
    """Decide, thread-safely, which fault (if any) each request gets.

    :param spec: anything :func:`load_spec` accepts.
    :param seed: the seed of the ``rate`` decisions.
    :param clock: a monotonic clock, for ``window`` rules.
    """

    def __init__(self, spec: SpecLike = None, seed: int = 0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._lock = threading.Lock()
        self._clock = clock
        self.seed = seed
        self._rules = parse_spec(spec, seed)
        self._epoch = clock()

    @property
    def rules(self) -> list:
        """The current rules (shared objects: do not modify).

        :returns: a list of :class:`FaultRule`.
        """
        with self._lock:
            return list(self._rules)

    def set_spec(self, spec: SpecLike, seed: Optional[int] = None) -> None:
        """Replace the rules; windows count from now on.

        :param spec: anything :func:`load_spec` accepts.
        :param seed: a new seed, or None to keep the current one.
        """
        if seed is not None:
            self.seed = seed
        rules = parse_spec(spec, self.seed)
        with self._lock:
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

    def decide(self, service: str, method: str, path: str) -> Optional[Fault]:
        """Choose the fault of one request.

        :param service: the catalog type of the service.
        :param method: the HTTP method.
        :param path: the request path without the version prefix.
        :returns: the :class:`Fault`, or None to serve the request normally.
        """
        chosen = None
        with self._lock:
            elapsed = self._clock() - self._epoch
            for rule in self._rules:
                if rule.scheduled or not rule.matches(service, method, path):
                    continue
                if rule.select(elapsed) and chosen is None:
                    chosen = rule.fault
        return chosen

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

"""Reading a fault spec, and the checks of its values.

:func:`read_spec` turns a file path, a mapping or a list into the rules
(still raw mappings) and the seed the spec names;
:mod:`~heat_retry_plugins.fakecloud.faults` builds the rules. Every
problem is a ``ValueError`` whose message is one line, short enough to
print, that says where the problem is.
"""

import dataclasses
import json
import math
import os
import re
from typing import Any
from typing import Iterable
from typing import Optional
from typing import Union

SpecLike = Union[None, str, os.PathLike, dict, Iterable[dict]]

_SPEC_KEYS = {'faults', 'seed'}


def show(value: Any) -> str:
    """Render a spec value for an error message.

    :param value: any value from a spec.
    :returns: its repr, cut to 60 characters (one line: strings are
        quoted with their newlines escaped).
    """
    try:
        text = repr(value)
    except RecursionError:
        return '(a value nested too deeply)'
    return text if len(text) <= 60 else text[:57] + '...'


def is_number(value: Any) -> bool:
    """Tell whether a value is a finite int or float (a bool is not).

    :param value: the value.
    :returns: True for a finite number.
    """
    return (isinstance(value, (int, float)) and not isinstance(value, bool)
            and math.isfinite(value))


def number(value: Any, what: str) -> float:
    """Check a finite number.

    :param value: the value.
    :param what: where it is, for the message (``'rule 2: rate'``).
    :returns: the value as a float.
    :raises ValueError: unless :func:`is_number`.
    """
    if not is_number(value):
        raise ValueError('%s must be a finite number, got %s'
                         % (what, show(value)))
    return float(value)


def count(raw: dict, key: str, where: str,
          minimum: int = 0) -> Optional[int]:
    """Check an optional integer of a mapping.

    :param raw: the mapping.
    :param key: the key.
    :param where: where the mapping is, for the message (``'rule 2'``).
    :param minimum: the smallest value allowed.
    :returns: the value, or None when absent.
    :raises ValueError: unless an int (not a bool) of at least minimum.
    """
    value = raw.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or (
            value < minimum):
        raise ValueError('%s: %s must be an integer of at least %d, got %s'
                         % (where, key, minimum, show(value)))
    return value


def regex(raw: dict, key: str, where: str) -> Optional[re.Pattern]:
    """Check an optional regular expression of a mapping.

    :param raw: the mapping.
    :param key: the key.
    :param where: where the mapping is, for the message (``'rule 2'``).
    :returns: the compiled expression, or None when absent.
    :raises ValueError: unless a string that compiles.
    """
    pattern = raw.get(key)
    if pattern is None:
        return None
    if not isinstance(pattern, str):
        raise ValueError('%s: %s must be a regular expression string, got '
                         '%s' % (where, key, show(pattern)))
    try:
        return re.compile(pattern)
    except (re.error, OverflowError, RecursionError) as exc:
        raise ValueError('%s: %s %s is not a valid regular expression: %s'
                         % (where, key, show(pattern), exc))


def window(raw: dict, key: str, where: str) -> Optional[tuple]:
    """Check an optional ``[start, end]`` of a mapping, in seconds.

    :param raw: the mapping.
    :param key: the key.
    :param where: where the mapping is, for the message (``'rule 2'``).
    :returns: ``(start, end)`` as floats, or None when absent.
    :raises ValueError: unless two finite numbers, start <= end.
    """
    edges = raw.get(key)
    if edges is None:
        return None
    if not isinstance(edges, (list, tuple)) or len(edges) != 2 or not all(
            is_number(edge) for edge in edges) or edges[0] > edges[1]:
        raise ValueError('%s: %s must be [start, end] in seconds, got %s'
                         % (where, key, show(edges)))
    return float(edges[0]), float(edges[1])


def strings(value: Any, what: str) -> frozenset:
    """Check a string or a list of strings.

    :param value: the value.
    :param what: where it is, for the message.
    :returns: the strings.
    :raises ValueError: unless a non-empty string or a non-empty list of
        them.
    """
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, (list, tuple)) or not value or not all(
            isinstance(item, str) and item for item in value):
        raise ValueError('%s must be a string or a non-empty list of '
                         'strings, got %s' % (what, show(value)))
    return frozenset(value)


def unknown_keys(raw: dict, known: set) -> str:
    """Name the keys of a mapping that are not known.

    :param raw: the mapping.
    :param known: the keys allowed.
    :returns: the unknown keys, sorted and comma separated, or ``''``.
    """
    return ', '.join(sorted(str(key) for key in raw if key not in known))


def validate_seed(seed: Any) -> int:
    """Check the seed of the ``rate`` decisions.

    :param seed: the candidate seed.
    :returns: the seed.
    :raises ValueError: unless it is a non-negative integer (a boolean is
        not one).
    """
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError('seed must be a non-negative integer, got %s'
                         % show(seed))
    return seed


@dataclasses.dataclass(frozen=True)
class LoadedSpec:
    """A spec's rules (not validated yet) and the seed it names, if any."""

    rules: list
    seed: Optional[int] = None


def _read_file(path: Union[str, os.PathLike], where: str) -> Any:
    try:
        with open(path, 'rb') as spec_file:
            data = spec_file.read()
    except OSError as exc:
        raise ValueError('cannot read the %s: %s'
                         % (where, exc.strerror or exc))
    try:
        text = data.decode('utf-8')
    except UnicodeDecodeError as exc:
        raise ValueError('the %s is not UTF-8 text (byte %d)'
                         % (where, exc.start))
    if os.fspath(path).endswith('.json'):
        try:
            return json.loads(text)
        except ValueError as exc:
            raise ValueError('the %s is not valid JSON: %s'
                             % (where, ' '.join(str(exc).split())))
    import yaml
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, 'problem_mark', None)
        problem = getattr(exc, 'problem', None) or exc
        at = ('' if mark is None else ' (line %d, column %d)'
              % (mark.line + 1, mark.column + 1))
        raise ValueError('the %s is not valid YAML: %s%s'
                         % (where, ' '.join(str(problem).split()), at))


def read_spec(source: SpecLike) -> LoadedSpec:
    """Load a spec and check its outer shape.

    :param source: None, a list of rule mappings, a mapping with a
        ``faults`` list and an optional ``seed``, or the path of a YAML or
        JSON file (``.json``) holding either.
    :returns: the :class:`LoadedSpec`.
    :raises ValueError: if the file cannot be read or parsed, or what it
        holds is not a rule list or such a mapping.
    """
    where = 'fault spec'
    if isinstance(source, (str, os.PathLike)):
        where = 'fault spec %s' % os.fspath(source)
        source = _read_file(source, where)
    seed = None
    if isinstance(source, dict):
        unknown = unknown_keys(source, _SPEC_KEYS)
        if unknown:
            raise ValueError('%s: unknown keys: %s (expected faults, seed)'
                             % (where, unknown))
        if source.get('seed') is not None:
            try:
                seed = validate_seed(source['seed'])
            except ValueError as exc:
                raise ValueError('%s: %s' % (where, exc))
        source = source.get('faults', [])
        where += ': faults'
    if source is None:
        return LoadedSpec([], seed)
    if not isinstance(source, (list, tuple)):
        raise ValueError('%s must be a list of rules or a mapping with a '
                         'faults list, got %s' % (where, show(source)))
    return LoadedSpec(list(source), seed)


def load_spec(source: SpecLike) -> list:
    """Load a spec into a plain list of rule mappings.

    :param source: anything :func:`read_spec` accepts.
    :returns: the list of rule mappings (validated by :func:`parse_spec`).
    :raises ValueError: as :func:`read_spec`.
    """
    return read_spec(source).rules

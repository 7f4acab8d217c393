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

"""Quiet logging for an in-process Heat engine.

Heat logs a great deal at INFO and, on start-up, a warning for every
deprecated or hidden resource type in its registry. :func:`configure` sets
the level of the ``heat`` loggers (WARNING by default), keeps the
libraries Heat drives at WARNING or above and drops two known deprecation
warnings (:data:`KNOWN_NOISE`); :func:`registry_muted` silences
the registry's start-up report unless the caller asked for INFO or DEBUG.
No handler is added: where records go is the caller's choice.
"""

import contextlib
import logging
from typing import Iterator
from typing import Tuple
from typing import Union

#: Heat's own loggers: set to the caller's level.
HEAT_LOGGERS = ('heat',)
#: The libraries Heat drives: set to the caller's level, but not below
#: WARNING (their DEBUG output is every HTTP request and SQL statement).
LIBRARY_LOGGERS = ('alembic', 'glanceclient', 'keystoneauth', 'keystoneclient',
                   'neutronclient', 'novaclient', 'oslo_config', 'oslo_db',
                   'oslo_policy', 'oslo_messaging', 'oslo.messaging',
                   'stevedore', 'urllib3')
#: The logger of Heat's resource registry report.
REGISTRY_LOGGER = 'heat.engine.environment'

Level = Union[int, str]


#: Warnings that say nothing about a run: logger -> message fragments.
#: heat.conf must set ``deferred_auth_method`` and ``convergence_engine``,
#: both deprecated for removal, and Heat builds a neutronclient
#: (deprecated) to delete a Keystone project.
KNOWN_NOISE = {
    'oslo_config.cfg': ('Option "deferred_auth_method" from group '
                        '"DEFAULT" is deprecated',
                        'Option "convergence_engine" from group '
                        '"DEFAULT" is deprecated'),
    'neutronclient.v2_0.client': ('binding code in neutronclient is '
                                  'deprecated',),
}


class _NoiseFilter(logging.Filter):
    """Drop the records of one logger that hold a known fragment.

    :param fragments: the message fragments to drop.
    """

    def __init__(self, fragments: Tuple[str, ...]) -> None:
        super().__init__()
        self.fragments = fragments

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return not any(fragment in message for fragment in self.fragments)


_filters = {name: _NoiseFilter(fragments)
            for name, fragments in KNOWN_NOISE.items()}


def to_level(level: Level) -> int:
    """Convert a level name or number to a number.

    :param level: ``logging.INFO``, ``'info'``, ``'WARNING'``...
    :returns: the numeric level.
    :raises ValueError: for an unknown level name.
    """
    if isinstance(level, int):
        return level
    number = logging.getLevelName(str(level).upper())
    if not isinstance(number, int):
        raise ValueError('unknown log level %r' % (level,))
    return number


def configure(level: Level = logging.WARNING) -> int:
    """Set the level of Heat's loggers and of its libraries' loggers.

    :param level: the level of the ``heat`` loggers.
    :returns: the numeric level.
    """
    number = to_level(level)
    for name in HEAT_LOGGERS:
        logging.getLogger(name).setLevel(number)
    for name in LIBRARY_LOGGERS:
        logging.getLogger(name).setLevel(max(number, logging.WARNING))
    for name, noise_filter in _filters.items():
        logger = logging.getLogger(name)
        if noise_filter not in logger.filters:
            logger.addFilter(noise_filter)
    return number


@contextlib.contextmanager
def registry_muted(level: Level = logging.WARNING) -> Iterator[None]:
    """Silence the registry's report while Heat loads its resource types.

    :param level: the caller's level; INFO or DEBUG leaves the report on.
    """
    logger = logging.getLogger(REGISTRY_LOGGER)
    if to_level(level) < logging.WARNING:
        yield
        return
    previous = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(previous)

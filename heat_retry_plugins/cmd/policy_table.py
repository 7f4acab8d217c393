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

"""Reading the effective retry policies of a heat.conf, for operators.

Imports neither Heat nor the plugins (nothing from
:mod:`heat_retry_plugins.clients`): the services are found from the
installed entry points, and each file is checked before oslo.config parses
it, so that a file that cannot be a heat.conf is named in one line.
"""

import importlib.metadata
import os
import stat

from oslo_config import cfg

from heat_retry_plugins.config import loading
from heat_retry_plugins.config import opts

HEAT_CLIENTS_NAMESPACE = 'heat.clients'

#: What oslo.config may raise while it parses configuration files: its
#: own errors, and the OSError or UnicodeError of a file it cannot read.
PARSE_ERRORS = (cfg.Error, OSError, UnicodeError)


class UnusableConfigFile(Exception):
    """A configuration file that cannot be read as a heat.conf.

    The message names the file and what is wrong with it.
    """


def registered_services():
    """The services with a ``<name>_retry`` plugin in ``heat.clients``.

    Read from the installed entry points, without importing the plugins;
    every service of :data:`~heat_retry_plugins.config.opts.SHIPPED_SERVICES`
    is included.
    """
    suffix = opts.RETRY_SUFFIX
    names = {ep.name for ep in importlib.metadata.entry_points(
        group=HEAT_CLIENTS_NAMESPACE)}
    return sorted({name[:-len(suffix)] for name in names
                   if name.endswith(suffix)} |
                  set(opts.SHIPPED_SERVICES))


def check_config_file(path):
    """Check that ``path`` is a readable, non-empty UTF-8 regular file.

    An empty file is refused: it sets nothing, and is far more likely the
    wrong path than a heat.conf that heat-engine could run on.

    :param path: the file, as given on the command line.
    :raises UnusableConfigFile: naming the file and the problem.
    """
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise UnusableConfigFile('%s does not exist' % path) from None
    except OSError as exc:
        raise UnusableConfigFile('%s cannot be read: %s'
                                 % (path, exc.strerror)) from None
    if stat.S_ISDIR(info.st_mode):
        raise UnusableConfigFile('%s is a directory, not a file' % path)
    if not stat.S_ISREG(info.st_mode):
        raise UnusableConfigFile('%s is not a regular file' % path)
    try:
        with open(path, 'rb') as stream:
            data = stream.read()
    except OSError as exc:
        raise UnusableConfigFile('%s cannot be read: %s'
                                 % (path, exc.strerror)) from None
    try:
        text = data.decode('utf-8')
    except UnicodeDecodeError as exc:
        raise UnusableConfigFile(
            '%s is not UTF-8 text: byte 0x%02x at offset %d'
            % (path, data[exc.start], exc.start)) from None
    if not text.strip():
        raise UnusableConfigFile('%s is empty' % path)


def parse_failure(exc):
    """Return the :class:`UnusableConfigFile` for a parse error.

    :param exc: one of :data:`PARSE_ERRORS`, raised by oslo.config while
        it parsed the files.
    :returns: an :class:`UnusableConfigFile` whose message names the file
        where oslo.config's does.
    """
    if isinstance(exc, cfg.ConfigFileParseError):
        return UnusableConfigFile('%s is not an INI file: %s'
                                  % (exc.config_file, exc.msg))
    if isinstance(exc, UnicodeError):
        return UnusableConfigFile('a configuration file is not UTF-8 '
                                  'text: %s' % exc)
    return UnusableConfigFile(str(exc))


def load(config_files):
    """Parse heat.conf files into a new ConfigOpts with our options.

    :param config_files: paths of the files, as heat-engine is given them.
    :returns: ``(conf, PolicyCache)``.
    :raises UnusableConfigFile: for a file that is missing, not a regular
        file, not UTF-8, empty or not INI.
    """
    for path in config_files:
        check_config_file(path)
    conf = cfg.ConfigOpts()
    cache = loading.PolicyCache(conf)
    for service in registered_services():
        opts.register_opts(conf, service)
    # NOTE: one argument each, so that a path that starts with "-" is not
    # taken for an option.
    args = ['--config-file=%s' % path for path in config_files]
    try:
        conf(args, project='heat', default_config_files=[])
    except PARSE_ERRORS as exc:
        raise parse_failure(exc) from exc
    return conf, cache


def effective_policies(cache, services):
    """Return ``{service: [EffectiveValue, ...]}``.

    :param cache: the :class:`~heat_retry_plugins.config.loading.PolicyCache`
        of the ConfigOpts.
    :param services: the services to read.
    :raises InvalidRetryOption: for the first bad value met.
    """
    return {service: cache.effective(service) for service in services}


def format_table(effective):
    """Format the effective policies as a plain-text table."""
    rows = [('service', 'option', 'value', 'from')]
    for service, values in effective.items():
        for value in values:
            rows.append((service, value.option, str(value.value),
                         value.source))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = []
    for index, row in enumerate(rows):
        lines.append('  '.join(cell.ljust(width)
                               for cell, width in zip(row, widths)).rstrip())
        if index == 0:
            lines.append('  '.join('-' * width for width in widths))
    return '\n'.join(lines)

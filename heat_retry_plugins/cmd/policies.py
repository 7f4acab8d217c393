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

"""Reading the effective retry policies of a heat.conf, for operators."""

import importlib.metadata

from oslo_config import cfg

from heat_retry_plugins.clients import backend
from heat_retry_plugins.config import opts
from heat_retry_plugins.config import policies

HEAT_CLIENTS_NAMESPACE = 'heat.clients'


def registered_services():
    """The services with a ``<name>_retry`` plugin in ``heat.clients``.

    Read from the installed entry points, without importing the plugins.
    """
    names = {ep.name for ep in importlib.metadata.entry_points(
        group=HEAT_CLIENTS_NAMESPACE)}
    return sorted({name[:-len(backend.RETRY_SUFFIX)] for name in names
                   if name.endswith(backend.RETRY_SUFFIX)} |
                  set(opts.SHIPPED_SERVICES))


def load(config_files):
    """Parse heat.conf files into a new ConfigOpts with our options.

    :param config_files: paths of the files, as heat-engine is given them.
    :returns: ``(conf, RetryPolicies)``.
    """
    conf = cfg.ConfigOpts()
    retry = policies.RetryPolicies(conf)
    for service in registered_services():
        opts.register_opts(conf, service)
    args = []
    for path in config_files:
        args += ['--config-file', path]
    conf(args, project='heat', default_config_files=[])
    return conf, retry


def effective_policies(retry, services):
    """Return ``{service: [EffectiveValue, ...]}``.

    :raises InvalidRetryOption: for the first bad value met.
    """
    return {service: retry.effective(service) for service in services}


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

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

"""``heat-retry-plugins-status upgrade check``: is heat.conf usable?

The oslo.upgradecheck convention every OpenStack service follows: run it
before restarting heat-engine on a changed heat.conf.
"""

import argparse
import sys

from oslo_config import cfg
from oslo_upgradecheck import upgradecheck

from heat_retry_plugins.cmd import policy_table
from heat_retry_plugins.config import loading
from heat_retry_plugins.config import opts


class Checks(upgradecheck.UpgradeCommands):
    """The checks of heat-retry-plugins."""

    def _check_retry_policies(self):
        cache = loading.for_conf(cfg.CONF)
        services = policy_table.registered_services()
        for service in services:
            opts.register_opts(cfg.CONF, service)
        try:
            policy_table.effective_policies(cache, services)
        except loading.InvalidRetryOption as exc:
            return upgradecheck.Result(upgradecheck.Code.FAILURE, str(exc))
        return upgradecheck.Result(
            upgradecheck.Code.SUCCESS,
            'Valid retry policies for %s.' % ', '.join(services))

    _upgrade_checks = (('Retry policies', _check_retry_policies),)


def config_files(argv):
    """The files oslo.config will read for ``argv``, as heat-engine would.

    Those of ``--config-file``, else Heat's default files that exist.
    """
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument('--config-file', action='append', default=[])
    named = parser.parse_known_args(argv)[0].config_file
    return named or cfg.find_config_files(project='heat')


def main(argv=None):
    """Run ``upgrade check`` on Heat's configuration files.

    A file that cannot be read as a heat.conf is reported in one line on
    stderr, with the exit status of a failed check; a bad value is the
    check's failure, in oslo.upgradecheck's table.
    """
    argv = sys.argv[1:] if argv is None else list(argv)
    for service in policy_table.registered_services():
        opts.register_opts(cfg.CONF, service)
    try:
        for path in config_files(argv):
            policy_table.check_config_file(path)
        return upgradecheck.main(cfg.CONF, project='heat',
                                 upgrade_command=Checks(), argv=argv)
    except policy_table.UnusableConfigFile as exc:
        error = exc
    except policy_table.PARSE_ERRORS as exc:
        error = policy_table.parse_failure(exc)
    print('ERROR: %s' % error, file=sys.stderr)
    return int(upgradecheck.Code.FAILURE)


if __name__ == '__main__':
    sys.exit(main())

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

"""What ``nova_retry`` adds to Heat's Nova plugin besides retries."""

from oslo_config import cfg


class MicroversionFromConf:
    """Read ``max_nova_api_microversion`` when it is used.

    NOTE: Heat's ``NovaClientPlugin`` reads ``max_nova_api_microversion``
    into a class attribute when its module is imported, so a later
    configuration is never seen; this reads it on every use, and keeps
    what Heat discovered from the server per plugin instance.
    """

    _discovered_max_microversion = None

    @property
    def max_microversion(self):
        """The highest microversion: heat.conf's now, or the server's."""
        return (cfg.CONF.max_nova_api_microversion or
                self._discovered_max_microversion)

    @max_microversion.setter
    def max_microversion(self, value):
        self._discovered_max_microversion = value

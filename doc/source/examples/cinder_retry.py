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

"""``cinder_retry``, written out: the class ``clients/generated.py`` builds.

The package generates this class for each of Heat's client plugins; write
it by hand only for a Heat client plugin that Heat itself does not ship
(see "A plugin for another Heat client plugin" in the client plugin
guide), with that plugin in place of ``CinderClientPlugin``.
"""

from heat.engine.clients.os import cinder as heat_cinder

from heat_retry_plugins.clients import base

CLIENT_NAME = 'cinder'


class CinderRetryClientPlugin(base.RetryingClientPlugin,
                              heat_cinder.CinderClientPlugin):
    """Heat's ``CinderClientPlugin`` whose calls can be retried."""

    #: Heat's name of the plugin: selects [clients_cinder] in heat.conf,
    #: names the service in log lines and keys its budget and breaker.
    service = CLIENT_NAME

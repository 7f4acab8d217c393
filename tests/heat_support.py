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

"""Running Heat's client plugins in-process against the fake cloud."""

from heat.engine import clients
from oslo_config import cfg

from heat_retry_plugins.heatrun import engine


def heat_context(cloud, heat_conf):
    """Return a Heat RequestContext that authenticates to ``cloud``.

    :param cloud: a started FakeCloud.
    :param heat_conf: the ``heat_conf`` fixture, to point Heat at it.
    """
    cfg.CONF([], project='heat')
    heat_conf.set(group='clients_keystone', auth_uri=cloud.auth_url)
    heat_conf.set(region_name_for_services=cloud.region)
    clients.initialise()
    return engine.make_context(cloud)

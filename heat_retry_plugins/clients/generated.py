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

"""``<name>_retry``: one retrying plugin for every Heat client plugin.

Each is made, not written: a subclass of
:class:`~heat_retry_plugins.clients.base.RetryingClientPlugin` and of
Heat's own plugin of the service (so every helper Heat's resources call
keeps working), plus a mixin where the client library needs one
(:data:`MIXINS`). The classes are built when first asked for (stevedore
loads ``heat_retry_plugins.clients.generated:NovaRetryClientPlugin``), so
that a Heat plugin whose client library is missing fails alone, as Heat's
own does.
"""

import functools
import importlib

from heat_retry_plugins.clients import base

#: Heat 27's client plugins: name -> (module, class).
HEAT_PLUGINS = {
    'aodh': ('heat.engine.clients.os.aodh', 'AodhClientPlugin'),
    'barbican': ('heat.engine.clients.os.barbican', 'BarbicanClientPlugin'),
    'blazar': ('heat.engine.clients.os.blazar', 'BlazarClientPlugin'),
    'cinder': ('heat.engine.clients.os.cinder', 'CinderClientPlugin'),
    'designate': ('heat.engine.clients.os.designate',
                  'DesignateClientPlugin'),
    'glance': ('heat.engine.clients.os.glance', 'GlanceClientPlugin'),
    'heat': ('heat.engine.clients.os.heat_plugin', 'HeatClientPlugin'),
    'ironic': ('heat.engine.clients.os.ironic', 'IronicClientPlugin'),
    'keystone': ('heat.engine.clients.os.keystone', 'KeystoneClientPlugin'),
    'magnum': ('heat.engine.clients.os.magnum', 'MagnumClientPlugin'),
    'manila': ('heat.engine.clients.os.manila', 'ManilaClientPlugin'),
    'mistral': ('heat.engine.clients.os.mistral', 'MistralClientPlugin'),
    'neutron': ('heat.engine.clients.os.neutron', 'NeutronClientPlugin'),
    'nova': ('heat.engine.clients.os.nova', 'NovaClientPlugin'),
    'octavia': ('heat.engine.clients.os.octavia', 'OctaviaClientPlugin'),
    'openstack': ('heat.engine.clients.os.openstacksdk',
                  'OpenStackSDKPlugin'),
    'swift': ('heat.engine.clients.os.swift', 'SwiftClientPlugin'),
    'trove': ('heat.engine.clients.os.trove', 'TroveClientPlugin'),
    'zaqar': ('heat.engine.clients.os.zaqar', 'ZaqarClientPlugin'),
    'zun': ('heat.engine.clients.os.zun', 'ZunClientPlugin'),
}

#: Mixins for the libraries that need one: name -> (module, class).
MIXINS = {
    'ironic': ('heat_retry_plugins.clients.ironic', 'NoConflictRetries'),
    'nova': ('heat_retry_plugins.clients.nova', 'MicroversionFromConf'),
    'swift': ('heat_retry_plugins.clients.swift', 'RetryingConnections'),
}


def class_name(name: str) -> str:
    """The class name of ``<name>_retry``: ``NovaRetryClientPlugin``."""
    heat_class = HEAT_PLUGINS[name][1]
    for suffix in ('ClientPlugin', 'Plugin'):
        if heat_class.endswith(suffix):
            heat_class = heat_class[:-len(suffix)]
            break
    return '%sRetryClientPlugin' % heat_class


_BY_CLASS_NAME = {class_name(name): name for name in HEAT_PLUGINS}


def _load(path):
    module, attr = path
    return getattr(importlib.import_module(module), attr)


@functools.lru_cache(maxsize=None)
def plugin_class(name: str) -> type:
    """Return the retrying plugin class of Heat's plugin ``name``.

    :param name: a key of :data:`HEAT_PLUGINS`.
    :raises ImportError: when Heat's plugin (its client library) cannot be
        imported.
    """
    heat_class = _load(HEAT_PLUGINS[name])
    bases = (base.RetryingClientPlugin, heat_class)
    if name in MIXINS:
        bases = (_load(MIXINS[name]),) + bases
    return type(class_name(name), bases, {
        '__module__': __name__,
        '__doc__': ("Heat's ``%s`` whose calls can be retried: "
                    "``%s_retry``." % (heat_class.__name__, name)),
        'service': name,
    })


def __getattr__(attr):
    try:
        name = _BY_CLASS_NAME[attr]
    except KeyError:
        raise AttributeError(attr) from None
    return plugin_class(name)

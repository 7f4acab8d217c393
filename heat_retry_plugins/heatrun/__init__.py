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

"""Run the real Heat engine in-process against a FakeCloud.

Heat 27 runs on oslo.service's threading backend, which must be selected
before any Heat module imports oslo.service; importing this package does
it (a no-op if the threading backend is already selected), so import
``heat_retry_plugins.heatrun`` before Heat::

    from heat_retry_plugins.heatrun import engine
    from heat_retry_plugins.heatrun import templates

    engine.prepare(state_dir, cloud)            # convergence, stagger on
    result = engine.run_stack(cloud, templates.keypairs(10, public_key))
    result.create_status   # 'CREATE_COMPLETE'
    engine.reset()                              # EngineService stopped

    engine.prepare(state_dir, cloud, engine='legacy', stagger=False)

The convergence engine (Heat's default) runs as heat-engine's
EngineService in this process, driven over in-memory RPC as heat-api
drives it; the deprecated legacy engine runs a stack in one thread.

The modules, one concept each:

* :mod:`.conf`: the generated heat.conf and the layered config overrides;
* :mod:`.database`: Heat's sqlite database in the state directory;
* :mod:`.logs`: quiet logging for Heat and its libraries;
* :mod:`.service`: heat-engine's EngineService, started and stopped;
* :mod:`.stagger`: Heat's one-second stagger between independent
  resources, and the switch that turns it off;
* :mod:`.action`: a stack action under way, and waiting for its end;
* :mod:`.convergence`, :mod:`.legacy`: how each engine creates and
  deletes a stack;
* :mod:`.events`: resource events from Heat's database, for progress;
* :mod:`.result`: what one run reports;
* :mod:`.engine`: :func:`~.engine.prepare`, :func:`~.engine.run_stack`,
  :func:`~.engine.delete_stack` and :func:`~.engine.reset`;
* :mod:`.templates`: HOT templates as dicts.
"""

import warnings

# NOTE: futurist, which oslo.service's threading backend and Heat import,
# imports eventlet, which warns that it is deprecated; Heat 27 does not
# run on it (see above).
warnings.filterwarnings('ignore', message=r'\s*Eventlet is deprecated')

from oslo_service import backend  # noqa: E402

backend.init_backend(backend.BackendType.THREADING)

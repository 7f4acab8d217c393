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

"""prepare() and reset(): repeatable, re-pointable, nothing that leaks."""

import os
import threading

from heat.common import messaging
from oslo_config import cfg
from oslo_db import options as db_options
import pytest

from heat_retry_plugins.heatrun import engine
from heat_retry_plugins.heatrun import templates
from tests.heat import conftest

BACKEND = ('DEFAULT', 'cloud_backend')
MAX_OVERFLOW_DEFAULT = next(opt.default for opt in db_options.database_opts
                            if opt.name == 'max_overflow')
COUNTING = 'tests.heat.conftest.CountingClients'


def test_two_clouds_in_one_process(make_cloud, tmp_path, public_key):
    before = set(threading.enumerate())
    first = make_cloud(seed=1)
    engine.prepare(str(tmp_path / 'first'), first, stagger=False)
    try:
        one = engine.run_stack(first, templates.keypairs(2, public_key))
        first.stop()
        second = make_cloud(seed=2)
        assert second.auth_url != first.auth_url
        conf_path = engine.prepare(str(tmp_path / 'second'), second,
                                   stagger=False)
        two = engine.run_stack(second, templates.keypairs(3, public_key))
    finally:
        engine.reset()
    conftest.assert_nothing_left(before)

    assert (one.create_status, one.delete_status) == (
        'CREATE_COMPLETE', 'DELETE_COMPLETE'), one.create_reason
    assert (two.create_status, two.delete_status) == (
        'CREATE_COMPLETE', 'DELETE_COMPLETE'), two.create_reason
    assert two.counters['created']['keypair'] == 3
    assert first.counters()['created']['keypair'] == 2
    assert conf_path == str(tmp_path / 'second' / 'heat.conf')
    for name in ('first', 'second'):
        assert os.path.exists(tmp_path / name / 'heat.sqlite')


def test_run_needs_prepare_for_that_cloud(heat, make_cloud):
    other = make_cloud()
    with pytest.raises(RuntimeError, match='prepare'):
        heat.run_stack(other, templates.keypairs(0, 'unused'))


def test_heat_conf_points_at_the_cloud(heat, cloud):
    assert cfg.CONF.clients_keystone.auth_uri == cloud.auth_url
    assert cfg.CONF.region_name_for_services == cloud.region
    assert cfg.CONF.convergence_engine is True
    assert cfg.CONF.database.sqlite_synchronous is False
    assert cfg.CONF.deferred_auth_method == 'password'
    assert cfg.CONF.action_retry_limit == 0
    assert cfg.CONF.client_retry_limit == 2  # Heat's default
    assert cfg.CONF.cloud_backend == 'heat.engine.clients.OpenStackClients'


def test_legacy_heat_conf_turns_convergence_off(legacy_heat):
    assert cfg.CONF.convergence_engine is False
    assert engine.prepared_engine() == 'legacy'


def test_unknown_engine_is_refused_before_anything_changes(heat, cloud,
                                                           tmp_path):
    with pytest.raises(ValueError, match="not 'eventlet'"):
        engine.prepare(str(tmp_path / 'other'), cloud, engine='eventlet')

    assert engine.prepared_engine() == 'convergence'
    assert not (tmp_path / 'other').exists()


def test_reset_stops_the_engine_service_and_its_threads(cloud, tmp_path,
                                                        public_key):
    before = set(threading.enumerate())
    engine.prepare(str(tmp_path / 'heat'), cloud, stagger=False)
    try:
        # EngineService.start(): RPC servers, listener, report timer; it
        # also sizes the database pool to its executor.
        assert conftest.engine_threads(before)
        assert (cfg.CONF.database.max_overflow
                == cfg.CONF.executor_thread_pool_size)
        result = engine.run_stack(cloud, templates.keypairs(3, public_key))
    finally:
        engine.reset()

    assert result.delete_complete, result.summary()
    assert messaging.TRANSPORT is None
    assert cfg.CONF.database.max_overflow == MAX_OVERFLOW_DEFAULT
    conftest.assert_nothing_left(before)


def test_legacy_starts_no_engine_service(cloud, tmp_path):
    before = set(threading.enumerate())
    engine.prepare(str(tmp_path / 'heat'), cloud, engine='legacy')
    try:
        assert conftest.engine_threads(before) == []
    finally:
        engine.reset()


def test_run_overrides_last_one_run(heat, cloud, public_key):
    seen = []

    def progress(event, done, total):
        seen.append((cfg.CONF.client_retry_limit, cfg.CONF.cloud_backend))

    conftest.CountingClients.asked = []
    result = heat.run_stack(
        cloud, templates.keypairs(1, public_key), progress=progress,
        config_overrides={BACKEND: COUNTING,
                          ('DEFAULT', 'client_retry_limit'): 0})
    plain = heat.run_stack(cloud, templates.keypairs(1, public_key),
                           progress=progress)

    assert result.create_complete and plain.create_complete
    assert seen == [(0, COUNTING)] * 2 + [
        (2, 'heat.engine.clients.OpenStackClients')] * 2
    assert 'nova' in conftest.CountingClients.asked
    assert cfg.CONF.client_retry_limit == 2


def test_prepare_overrides_replace_the_previous_ones(cloud, tmp_path):
    try:
        engine.prepare(str(tmp_path / 'a'), cloud, engine='legacy',
                       config_overrides={
                           BACKEND: COUNTING,
                           ('clients_nova', 'retry_max_attempts'): 7})
        assert cfg.CONF.cloud_backend == COUNTING
        assert cfg.CONF.clients_nova.retry_max_attempts == 7

        engine.prepare(str(tmp_path / 'b'), cloud, engine='legacy',
                       config_overrides={
                           ('clients', 'retry_max_attempts'): 2})

        assert cfg.CONF.cloud_backend == (
            'heat.engine.clients.OpenStackClients')
        assert cfg.CONF.clients_nova.retry_max_attempts is None
        assert cfg.CONF.clients.retry_max_attempts == 2
    finally:
        engine.reset()
    assert cfg.CONF.clients.retry_max_attempts != 2


def test_invalid_override_is_refused_and_leaves_nothing(heat, cloud):
    with pytest.raises(ValueError, match='no_such_option'):
        heat.run_stack(cloud, templates.keypairs(0, 'unused'),
                       config_overrides={BACKEND: COUNTING,
                                         ('DEFAULT', 'no_such_option'): 1})
    assert cfg.CONF.cloud_backend == 'heat.engine.clients.OpenStackClients'

"""Test set-up shared by every test.

Heat 27 runs on oslo.service's threading backend; it must be selected
before any Heat module imports oslo.service, so it is done here, first.
"""

from oslo_service import backend

backend.init_backend(backend.BackendType.THREADING)

from oslo_config import cfg  # noqa: E402,I202
from oslo_config import fixture as config_fixture  # noqa: E402
import pytest  # noqa: E402

from heat_retry_plugins.config import loading  # noqa: E402
from heat_retry_plugins.config import opts  # noqa: E402
from heat_retry_plugins.fakecloud import server  # noqa: E402
from heat_retry_plugins import session  # noqa: E402


class HeatConf:
    """Sets heat.conf values on Heat's global CONF for one test."""

    def __init__(self, fixture, tmp_path):
        self._fixture = fixture
        self._path = tmp_path / 'heat.conf'

    def load(self, text):
        """Load ``text`` as Heat's config file, as heat-engine would."""
        self._path.write_text(text)
        cfg.CONF(['--config-file', str(self._path)], project='heat')
        loading.reload()

    def set(self, group=None, **values):
        for service in opts.SHIPPED_SERVICES:
            opts.register_opts(cfg.CONF, service)
        self._fixture.config(group=group, **values)
        # NOTE: set_override does not run mutate hooks; a test that changes
        # values drops the cached policies as a config reload would.
        loading.reload()


@pytest.fixture
def heat_conf(tmp_path):
    """Heat's global CONF with the test's values; restored afterwards."""
    fixture = config_fixture.Config(cfg.CONF)
    fixture.setUp()
    # NOTE: the budget and breaker are process-wide by design; each test
    # starts with its own.
    session.reset_process_state()
    try:
        yield HeatConf(fixture, tmp_path)
    finally:
        # NOTE: and ends with them, background sweeps included: one left
        # running would retry against this test's stopped cloud and log
        # into the next test (most tests ask for the cloud first, so this
        # runs before it stops).
        session.reset_process_state()
        fixture.cleanUp()
        cfg.CONF([], project='heat')
        loading.reload()


@pytest.fixture
def heat_conf_file(tmp_path):
    """Write a heat.conf file, text or bytes; return its path.

    Nothing is loaded: the tests of what reads the file (the commands, a
    PolicyCache of their own) load it themselves. ``heat_conf_file.path``
    is the file.
    """
    path = tmp_path / 'heat.conf'

    def write(content):
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
        return path

    write.path = path
    return write


@pytest.fixture
def make_cloud():
    """Start FakeClouds with any arguments; stop them after the test."""
    clouds = []

    def factory(**kwargs):
        cloud = server.FakeCloud(**kwargs)
        clouds.append(cloud)
        return cloud.start()

    yield factory
    for cloud in clouds:
        cloud.stop()

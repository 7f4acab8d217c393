"""A Heat request context for the plugins, with no cloud behind it."""

import pytest

from tests import heat_support


class NoCloud:
    """Enough of a cloud for a context that never sends a request."""

    auth_url = 'http://127.0.0.1:9/v3'
    username, password, user_id = 'admin', 'not-used', 'u'
    project_id, project_name = 'p', 'admin'
    domain_id, region = 'default', 'RegionOne'


@pytest.fixture
def context(heat_conf):
    """A Heat RequestContext; nothing it makes may send a request."""
    return heat_support.heat_context(NoCloud(), heat_conf)

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

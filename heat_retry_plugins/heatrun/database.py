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

"""Heat's database: an sqlite file in the state directory.

Heat's ``heat.db.api.context_manager`` is an oslo.db transaction context
that reads ``[database] connection`` once, when it starts, and keeps its
engine for the life of the process. To run against a new state directory
after the first run, :func:`use` patches in a new transaction factory
(``patch_factory``, the hook oslo.db gives test suites) and disposes of the
connections of the one in use.
"""

import threading
from typing import Optional

from heat.db import api as db_api
from heat.db import migration
from oslo_db.sqlalchemy import enginefacade

_lock = threading.Lock()


def url_for(path: str) -> str:
    """Return the SQLAlchemy URL of an sqlite file.

    :param path: an absolute file path.
    :returns: ``sqlite:///<path>``.
    """
    return 'sqlite:///%s' % path


def current_url() -> Optional[str]:
    """Return the URL Heat's database engine uses, if it has started.

    :returns: the URL, or None before Heat's first database access.
    """
    if not db_api.context_manager.is_started:
        return None
    return db_api.get_engine().url.render_as_string(hide_password=False)


def use(path: str) -> str:
    """Point Heat at an sqlite database file and create its schema.

    Before Heat's first database access, ``[database] connection`` (from
    heat.conf) is used as it is; afterwards a new factory is patched in
    when the file differs from the one in use.

    :param path: the absolute path of the database file.
    :returns: the URL in use.
    """
    url = url_for(path)
    with _lock:
        in_use = current_url()
        if in_use is not None and in_use != url:
            db_api.context_manager.dispose_pool()
            manager = enginefacade.transaction_context()
            manager.configure(connection=url)
            db_api.context_manager.patch_factory(manager)
        migration.db_sync(engine=db_api.get_engine())
    return url


def dispose() -> None:
    """Close the idle connections of Heat's database engine, if started."""
    with _lock:
        if db_api.context_manager.is_started:
            db_api.context_manager.dispose_pool()

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

The convergence engine writes from up to 64 worker threads at once. oslo.db
opens every sqlite transaction with a plain (deferred) ``BEGIN``: such a
transaction takes its write lock only at its first write, and when two of
them read and then both want to write, sqlite answers ``database is
locked`` at once instead of waiting (Heat logs "DB error" and moves on,
or fails the resource). :func:`serialise_writes` makes every transaction
start with ``BEGIN IMMEDIATE`` (it takes the write lock first, so
transactions queue instead of deadlocking) and sets a ``busy_timeout``
long enough for that queue. The legacy engine runs the same way; it has
one writer at a time anyway.
"""

import threading
from typing import Any
from typing import Optional

from heat.db import api as db_api
from heat.db import migration
from oslo_db.sqlalchemy import enginefacade
import sqlalchemy

#: How long a transaction waits for the write lock, in milliseconds.
BUSY_TIMEOUT_MS = 120000

_lock = threading.Lock()
# NOTE: set while Heat's migrations run: they hold one connection in a
# transaction while they open another, which BEGIN IMMEDIATE would make
# wait for the first.
_migrating = threading.Event()


def _set_busy_timeout(dbapi_connection: Any, connection_record: Any) -> None:
    dbapi_connection.execute('PRAGMA busy_timeout = %d' % BUSY_TIMEOUT_MS)


def _begin_immediate(conn: Any, cursor: Any, statement: str,
                     parameters: Any, context: Any,
                     executemany: bool) -> tuple:
    # NOTE: oslo.db's sqlite "begin" listener emits exactly 'BEGIN' (it
    # turns pysqlite's own transaction handling off); only that statement
    # is rewritten.
    if statement == 'BEGIN' and not _migrating.is_set():
        statement = 'BEGIN IMMEDIATE'
    return statement, parameters


def serialise_writes(engine: sqlalchemy.engine.Engine) -> None:
    """Make every transaction of an sqlite engine take the write lock first.

    Idempotent. Connections opened before the call are closed, so that
    every connection in use has the busy timeout.

    :param engine: the SQLAlchemy engine of Heat's database.
    """
    if engine.dialect.name != 'sqlite':
        return
    if not sqlalchemy.event.contains(engine, 'connect', _set_busy_timeout):
        sqlalchemy.event.listen(engine, 'connect', _set_busy_timeout)
    if not sqlalchemy.event.contains(engine, 'before_cursor_execute',
                                     _begin_immediate):
        sqlalchemy.event.listen(engine, 'before_cursor_execute',
                                _begin_immediate, retval=True)
    engine.dispose()


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
        engine = db_api.get_engine()
        serialise_writes(engine)
        _migrating.set()
        try:
            migration.db_sync(engine=engine)
        finally:
            _migrating.clear()
    return url


def dispose() -> None:
    """Close the idle connections of Heat's database engine, if started."""
    with _lock:
        if db_api.context_manager.is_started:
            db_api.context_manager.dispose_pool()

"""Whether an error means the database cannot be reached right now (down, restarting,
out of connections), as opposed to a fault of the request or of the code.

Such errors are worth retrying later: the API answers them with 503 and ``Retry-After``.
The driver reports them in three shapes: an ``OSError`` from connecting (asyncpg lets a
refused or reset connection through unwrapped; ``report_connect_failure`` wraps it for
engines made by ``backend.db.session``), SQLAlchemy's pool running out of time, and a
driver error whose SQLSTATE is a connection or server-availability state.
"""

from __future__ import annotations

import socket
from typing import Any

from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout

# SQLSTATE class 08 is "connection exception"; the others are the server shutting down
# (admin, crash), starting up, or refusing more connections.
_CONNECTION_CLASS = "08"
_UNAVAILABLE_STATES = frozenset({"57P01", "57P02", "57P03", "53300"})


def database_unavailable(error: BaseException) -> bool:
    """True when ``error`` says the database is unreachable, not that the request failed."""
    if isinstance(error, ConnectionError | socket.gaierror | PoolTimeout):
        return True
    if not isinstance(error, DBAPIError):
        return False
    if error.connection_invalidated or _refused(error.orig):
        return True
    sqlstate = _sqlstate(error.orig)
    return sqlstate is not None and (
        sqlstate.startswith(_CONNECTION_CLASS) or sqlstate in _UNAVAILABLE_STATES
    )


def report_connect_failure(
    dialect: Dialect, _record: Any, cargs: tuple[Any, ...], cparams: dict[str, Any]
) -> Any:
    """The engine's ``do_connect`` hook: a connection refused, reset or to an unknown host
    is raised as the driver's ``OperationalError`` (asyncpg raises a bare ``OSError``), so
    SQLAlchemy wraps it like any database error and every ``except SQLAlchemyError`` that
    retries (heartbeats, the recorder, taking requests) retries it too."""
    try:
        return dialect.connect(*cargs, **cparams)
    except (ConnectionError, socket.gaierror) as error:
        # The class only: the message names the host and port.
        message = f"cannot connect to the database ({type(error).__name__})"
        raise dialect.loaded_dbapi.OperationalError(message) from error


def _sqlstate(error: BaseException | None) -> str | None:
    # The SQLAlchemy adapter carries the code, or the asyncpg error it wraps does.
    while error is not None:
        if code := getattr(error, "sqlstate", None):
            return str(code)
        error = error.__cause__
    return None


def _refused(error: BaseException | None) -> bool:
    while error is not None:
        if isinstance(error, ConnectionError | socket.gaierror):
            return True
        error = error.__cause__
    return False

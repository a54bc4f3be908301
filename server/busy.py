"""503 `server_busy` with Retry-After when the database cannot take a request in time.

A request that waits too long for a pooled connection, or for SQLite's write lock, is told to
come back shortly instead of failing with a 500; nothing it asked for was done. So is one whose
database connection was dropped (PostgreSQL restarted, a failover): the pool replaces its
connections, and the retry (with the same Idempotency-Key for a send) is served.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from server.errors import problem_response

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 2
BUSY_DETAIL = "The server is busy; nothing was changed. Try again in a few seconds."
LOST_DETAIL = (
    "The server lost its connection to the database for a moment. Try again in a few seconds."
)
# Driver messages that mean "too many at once", not a broken database.
_BUSY_MARKS = (
    "database is locked",
    "database table is locked",
    "too many clients",
    "too many connections",
    "lock timeout",
    "could not obtain lock",
)


def is_busy(exc: BaseException) -> bool:
    if isinstance(exc, PoolTimeout):
        return True
    text = str(getattr(exc, "orig", exc)).lower()
    return isinstance(exc, OperationalError) and any(mark in text for mark in _BUSY_MARKS)


def busy_detail(exc: BaseException) -> str | None:
    """The sentence for a database that could not take the request (503), or None when the
    failure is something else."""
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        # Whether a COMMIT on the way got through is not known: no "nothing was changed".
        return LOST_DETAIL
    return BUSY_DETAIL if is_busy(exc) else None


def busy_response(detail: str = BUSY_DETAIL) -> JSONResponse:
    return problem_response(
        503, "server_busy", detail, {"Retry-After": str(RETRY_AFTER_SECONDS)}
    )


def install_busy_handlers(app: FastAPI) -> None:
    @app.exception_handler(PoolTimeout)
    async def _pool_timeout(_request: Request, _exc: PoolTimeout) -> JSONResponse:
        log.warning("no database connection free in time: answered 503")
        return busy_response()

    @app.exception_handler(DBAPIError)
    async def _database(_request: Request, exc: DBAPIError) -> JSONResponse:
        detail = busy_detail(exc)
        if detail is not None:
            log.warning("database busy or its connection lost: answered 503")
            return busy_response(detail)
        log.error("database error", exc_info=exc)
        return problem_response(500, "internal_error", "The server failed; nothing was changed.")

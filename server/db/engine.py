"""Engine and session factory for SQLite (WAL) or PostgreSQL."""

from __future__ import annotations

import time
from typing import Any, Protocol

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session, sessionmaker


def normalize_url(url: str) -> str:
    """Accept plain postgresql:// URLs and use psycopg 3 for them."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


class PoolSettings(Protocol):
    db_pool_size: int
    db_pool_overflow: int
    db_wait_seconds: float


class _DefaultPool:
    db_pool_size = 20
    db_pool_overflow = 20
    db_wait_seconds = 5.0


def make_engine(url: str, pool: PoolSettings | None = None) -> Engine:
    """The engine, its pool sized for the worker threads; it never logs SQL parameters.

    A request that waits `db_wait_seconds` for a connection (or, on SQLite, for the write
    lock) fails with a timeout that the app answers as 503 `server_busy`.
    """
    url = normalize_url(url)
    pool = pool or _DefaultPool()
    wait = pool.db_wait_seconds
    kwargs: dict[str, Any] = {
        "pool_size": pool.db_pool_size,
        "max_overflow": pool.db_pool_overflow,
        "pool_timeout": wait,
        "hide_parameters": True,
    }
    busy_ms = int(wait * 1000)
    if is_sqlite(url):
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": wait}
    else:
        # A row or table lock waited on longer than that is "busy" too, not a hang.
        kwargs["connect_args"] = {"options": f"-c lock_timeout={busy_ms}"}
    engine = create_engine(url, **kwargs)
    if is_sqlite(url):
        event.listen(engine, "connect", lambda conn, rec: _sqlite_pragmas(conn, rec, busy_ms))
        event.listen(engine, "begin", _sqlite_begin_immediate)
    else:
        event.listen(engine, "checkin", _note_returned)
        dialect = engine.dialect
        event.listen(engine, "checkout", lambda conn, rec, _: _ping_if_idle(dialect, conn, rec))
    return engine


PING_AFTER_IDLE_SECONDS = 10.0
_RETURNED_AT = "practice_returned_at"


def _note_returned(_dbapi_conn: Any, record: Any) -> None:
    record.info[_RETURNED_AT] = time.monotonic()


def _ping_if_idle(dialect: Any, dbapi_conn: Any, record: Any) -> None:
    """Check a PostgreSQL connection that sat idle in the pool (the server may have restarted
    or a firewall dropped it); raising DisconnectionError makes the pool connect afresh.

    A busy server reuses its connections within milliseconds: pinging each checkout (SQL
    Alchemy's `pool_pre_ping`) was one round trip in four of the long-poll path.
    """
    returned = record.info.get(_RETURNED_AT)
    if returned is None or time.monotonic() - returned < PING_AFTER_IDLE_SECONDS:
        return
    try:
        alive = dialect.do_ping(dbapi_conn)
    except Exception as exc:  # any failure: the connection is not usable
        raise DisconnectionError() from exc
    if not alive:
        raise DisconnectionError()


def _sqlite_pragmas(dbapi_conn: Any, _record: Any, busy_ms: int = 30000) -> None:
    # Let SQLAlchemy, not the driver, issue BEGIN (see _sqlite_begin_immediate).
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute(f"PRAGMA busy_timeout={busy_ms}")
    cur.close()


def _sqlite_begin_immediate(conn: Any) -> None:
    # Writers take the lock up front: no deadlock between two readers upgrading to writers.
    # Sessions that only read begin deferred: they see one snapshot and block no writer.
    if conn.get_execution_options().get(READ_ONLY):
        conn.exec_driver_sql("BEGIN")
    else:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


READ_ONLY = "practice_read_only"


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def make_read_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions for paths that never write (the change feed): one snapshot, no write lock."""
    return sessionmaker(engine.execution_options(**{READ_ONLY: True}), expire_on_commit=False)


def make_lookup_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions for reads that need no transaction around them: the token of a request, a
    page of the change feed.

    On PostgreSQL each statement runs on its own, which saves the BEGIN and ROLLBACK round
    trips; nothing is lost, because under READ COMMITTED every statement takes its own
    snapshot inside a transaction too. Never write in one: nothing would hold the writes
    together. On SQLite these are read sessions (one snapshot, no write lock).
    """
    if engine.dialect.name == "sqlite":
        return make_read_session_factory(engine)
    autocommit = engine.execution_options(isolation_level="AUTOCOMMIT", **{READ_ONLY: True})
    return sessionmaker(autocommit, expire_on_commit=False)

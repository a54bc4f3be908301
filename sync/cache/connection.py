"""Connections to the encrypted cache file: SQLCipher keyed with a raw 32-byte key, pooled.

Every connection gets the key before anything else, WAL journaling, `synchronous=FULL`
(the outbox must survive power loss; pulled pages opt out, see Cache.write), temporary
data kept in memory (never in plaintext temp files) and deleted content overwritten.

The cache speaks SQL text to the driver and reads rows as tuples; it needs no query builder.
This small pool and transaction wrapper stand where SQLAlchemy's engine stood: importing
SQLAlchemy was over a quarter of the inbox's 0.6 s start-up budget. `exec_driver_sql` keeps
SQLAlchemy's name and meaning, so the queries read the same: a list of parameter rows runs
the statement once per row (`executemany`), a tuple or dict runs it once.

The driver lets go of the GIL while SQLite steps to each row and takes it back for every row
it returns; while the GUI thread paints, each taking back can wait a whole switch interval.
Reads that return many rows to a waiting person (search, the thread list's blocks) therefore
have SQLite build the answer as one JSON array (`json_rows`): one step, one hand-over.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlcipher3 import dbapi2

Params = Sequence[Any] | dict[str, Any]

IDLE_KEPT = 4  # connections kept open between uses; more are opened when threads need them


class CacheUnreadable(Exception):
    """The cache file cannot be opened with this key (wrong key, or not a cache at all)."""


class Result:
    """The rows of one statement, as tuples."""

    __slots__ = ("_cursor",)

    def __init__(self, cursor: Any) -> None:
        self._cursor = cursor

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        return iter(self._cursor)

    def all(self) -> list[tuple[Any, ...]]:
        return list(self._cursor.fetchall())

    fetchall = all

    def first(self) -> tuple[Any, ...] | None:
        row = self._cursor.fetchone()
        self._cursor.close()
        return row

    def scalar(self) -> Any:
        """The first column of the first row, or None when there is no row."""
        row = self.first()
        return None if row is None else row[0]

    def scalar_one(self) -> Any:
        """The first column of the only row; raises when there is not exactly one."""
        rows = self._cursor.fetchmany(2)
        if len(rows) != 1:
            raise LookupError(f"expected one row, got {'none' if not rows else 'several'}")
        return rows[0][0]

    @property
    def lastrowid(self) -> int:
        return int(self._cursor.lastrowid)

    @property
    def rowcount(self) -> int:
        return int(self._cursor.rowcount)


class Connection:
    """One driver connection while it is borrowed from the pool."""

    __slots__ = ("raw",)

    def __init__(self, raw: Any) -> None:
        self.raw = raw

    def exec_driver_sql(self, sql: str, parameters: Params | list[Params] | None = None
                        ) -> Result:
        if isinstance(parameters, list):
            return Result(self.raw.executemany(sql, parameters))
        return Result(self.raw.execute(sql, () if parameters is None else parameters))

    def json_rows(self, sql: str, parameters: Params | None = None) -> list[list[Any]]:
        """The rows of a statement that selects one `json_group_array(json_array(...))`,
        as lists (an empty answer, NULL, is no rows). Blobs do not survive JSON: select text
        and numbers only."""
        answer = self.exec_driver_sql(sql, parameters).scalar()
        return json.loads(answer) if answer else []


def _connector(path: Path, key: bytes) -> Callable[[], Any]:
    if len(key) != 32:
        raise ValueError("the cache key must be 32 bytes")
    pragma_key = f"PRAGMA key = \"x'{key.hex()}'\""

    def connect() -> Any:
        conn = dbapi2.connect(str(path), check_same_thread=False, isolation_level=None,
                              timeout=30)
        conn.execute(pragma_key)
        conn.execute("PRAGMA busy_timeout = 30000")
        conn.execute("PRAGMA temp_store = MEMORY")
        conn.execute("PRAGMA secure_delete = ON")
        conn.execute("PRAGMA synchronous = FULL")
        # The first read of the file: a wrong key fails here.
        conn.execute("PRAGMA journal_mode = WAL")
        return conn

    return connect


class ConnectionPool:
    """Connections to one cache file, lent one per thread at a time and reused newest first
    (the connection used last has the warm page cache)."""

    def __init__(self, connect: Callable[[], Any]) -> None:
        self._connect = connect
        self._idle: list[Any] = []
        self._lock = threading.Lock()
        self._closed = False

    @contextmanager
    def connection(self) -> Iterator[Connection]:
        """A connection in autocommit mode; the caller begins any transaction itself."""
        with self._lock:
            raw = self._idle.pop() if self._idle else None
        if raw is None:
            raw = self._connect()
        try:
            yield Connection(raw)
        finally:
            self._give_back(raw, sound=not raw.in_transaction)

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """A connection inside one transaction: committed when the block ends, rolled back
        when it raises."""
        with self.connection() as conn, transaction_on(conn):
            yield conn

    def _give_back(self, raw: Any, *, sound: bool) -> None:
        with self._lock:
            if sound and not self._closed and len(self._idle) < IDLE_KEPT:
                self._idle.append(raw)
                return
        raw.close()

    def close(self) -> None:
        """Closes the idle connections; those lent out close when they come back. A use after
        this (a view finishing late) still works, on a connection closed after it."""
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for raw in idle:
            raw.close()


@contextmanager
def transaction_on(conn: Connection) -> Iterator[None]:
    conn.raw.execute("BEGIN")
    try:
        yield
    except BaseException:
        try:
            conn.raw.execute("ROLLBACK")
        except dbapi2.Error:
            pass  # SQLite has already rolled back (e.g. after a full disk)
        raise
    conn.raw.execute("COMMIT")


def open_pool(path: Path, key: bytes) -> ConnectionPool:
    """A pool over the encrypted file; raises CacheUnreadable on a wrong key."""
    pool = ConnectionPool(_connector(path, key))
    try:
        with pool.transaction() as conn:
            conn.exec_driver_sql("SELECT count(*) FROM sqlite_master").scalar_one()
    except Exception as exc:
        pool.close()
        if _is_not_a_database(exc):
            raise CacheUnreadable(str(exc)) from exc
        raise
    return pool


def _is_not_a_database(exc: BaseException) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    return code == dbapi2.SQLITE_NOTADB or "file is not a database" in str(exc)

"""Opening the encrypted cache file: SQLCipher connections keyed with a raw 32-byte key.

Every connection gets the key before anything else, WAL journaling, `synchronous=FULL`
(the outbox must survive power loss; pulled pages opt out, see Cache.write), temporary
data kept in memory (never in plaintext temp files) and deleted content overwritten.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.pool import QueuePool
from sqlcipher3 import dbapi2


class CacheUnreadable(Exception):
    """The cache file cannot be opened with this key (wrong key, or not a cache at all)."""


def _connector(path: Path, key: bytes) -> Any:
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


def open_engine(path: Path, key: bytes) -> Engine:
    """A SQLAlchemy engine over the encrypted file; raises CacheUnreadable on a wrong key."""
    engine = create_engine(
        "sqlite://",
        module=dbapi2,
        creator=_connector(path, key),
        poolclass=QueuePool,
        # The connection used last is used next: its page cache is the warm one.
        pool_use_lifo=True,
        pool_size=4,
        max_overflow=8,
    )

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        # The driver's own implicit transactions are off; SQLAlchemy's begin() is the one.
        conn.exec_driver_sql("BEGIN")

    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT count(*) FROM sqlite_master").scalar_one()
            conn.rollback()
    except Exception as exc:
        engine.dispose()
        original = getattr(exc, "orig", exc)
        if _is_not_a_database(original):
            raise CacheUnreadable(str(original)) from exc
        raise
    return engine


def _is_not_a_database(exc: BaseException) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    return code == dbapi2.SQLITE_NOTADB or "file is not a database" in str(exc)

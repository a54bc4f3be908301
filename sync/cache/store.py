"""The Cache: the encrypted local copy of one user's mailbox, and the reads the views need.

Reads run on any thread, each in its own snapshot (WAL). Writes are serialized by a lock
and each runs in one transaction; the engine does the writing (see sync.engine).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from sync import keys, outbox
from sync.cache import queries, schema, search
from sync.cache.connection import (
    CacheUnreadable,
    Connection,
    ConnectionPool,
    open_pool,
    transaction_on,
)
from sync.cache.rows import (
    Conversation,
    DraftRow,
    FolderRow,
    GroupRow,
    PersonRow,
    RowValues,
    SearchHit,
    ThreadPage,
    ThreadRow,
)
from sync.cache.set_aside import move_aside, remove_old_set_aside

Json = dict[str, Any]

WAL_PAGES = 1000  # SQLite's default: the WAL is copied into the file every 4 MB
WAL_PAGES_BULK = 20000  # while a whole mailbox loads: every 80 MB, far fewer checkpoints
# The writer's page cache, in KiB: the driver's default, and while a whole mailbox loads, room
# for the index pages a batch of pages touches (each one read back is decrypted again).
CACHE_KIB = 8000
CACHE_KIB_BULK = 32768


class Cache:
    """Open with `Cache.open(path, key)`; see the module docstring for threading."""

    def __init__(self, path: Path, key: bytes, pool: ConnectionPool,
                 rebuilt_reason: str | None = None) -> None:
        self.path = path
        self.key = key
        self.rebuilt_reason = rebuilt_reason
        self._pool = pool
        self._write_lock = threading.Lock()
        self._wal_pages = WAL_PAGES
        self._cache_kib = CACHE_KIB

    @classmethod
    def open(cls, path: Path | str, key: bytes, *, key_was_missing: bool = False) -> Cache:
        """Opens (or creates) the cache file; an unreadable one is moved aside and remade.

        `rebuilt_reason` then says why, and the new cache is empty (the engine refills it).
        Copies set aside more than a week ago are deleted (see sync.cache.set_aside).
        """
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        reason = None
        if path.exists() and key_was_missing:
            move_aside(path)
            reason = ("The key of the local copy was missing from the system keyring; the "
                      "copy was set aside and is being downloaded again.")
        try:
            pool = open_pool(path, key)
        except CacheUnreadable:
            move_aside(path)
            reason = ("The local copy could not be opened with the key in the system keyring; "
                      "it was set aside and is being downloaded again.")
            pool = open_pool(path, key)
        try:
            with pool.transaction() as conn:
                schema.migrate(conn)
        except Exception:
            pool.close()
            raise
        remove_old_set_aside(path)
        return cls(path, key, pool, reason)

    @classmethod
    def open_for_account(cls, path: Path | str, account: str) -> Cache:
        """Opens the account's cache with its key from the OS keyring (made if missing).

        A missing or wrong key never fails: the file is set aside and `rebuilt_reason`
        says so. Raises keys.KeyringUnavailable when there is no usable keyring.
        """
        existing = keys.existing_cache_key(account)
        key = existing or keys.cache_key(account)
        return cls.open(path, key, key_was_missing=existing is None)

    def close(self) -> None:
        self._pool.close()

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self._pool.transaction() as conn:
            yield conn

    @contextmanager
    def write(self, durable: bool = True) -> Iterator[Connection]:
        """One write transaction. Durable ones (the outbox) are on disk when they return;
        others (pulled pages, which the server can send again) may be lost to a power cut,
        never to a crash of the program."""
        with self._write_lock, self._pool.connection() as conn:
            raw = conn.raw
            raw.execute(f"PRAGMA wal_autocheckpoint = {self._wal_pages}")
            raw.execute(f"PRAGMA cache_size = -{self._cache_kib}")
            if not durable:
                raw.execute("PRAGMA synchronous = NORMAL")
            try:
                with transaction_on(conn):
                    yield conn
            finally:
                if not durable:
                    raw.execute("PRAGMA synchronous = FULL")

    @contextmanager
    def bulk_load(self) -> Iterator[None]:
        """While the initial sync writes page after page: checkpoint the WAL less often, and
        give the writer a larger page cache (given back by its next write after)."""
        self._wal_pages, self._cache_kib = WAL_PAGES_BULK, CACHE_KIB_BULK
        try:
            yield
        finally:
            self._wal_pages, self._cache_kib = WAL_PAGES, CACHE_KIB

    # -- local state --------------------------------------------------------------------

    @staticmethod
    def get_meta(conn: Connection, key: str) -> str | None:
        row = conn.exec_driver_sql("SELECT value FROM meta WHERE key = ?", (key,)).first()
        return None if row is None else row[0]

    @staticmethod
    def set_meta(conn: Connection, key: str, value: str | None) -> None:
        if value is None:
            conn.exec_driver_sql("DELETE FROM meta WHERE key = ?", (key,))
        else:
            conn.exec_driver_sql(
                "INSERT INTO meta (key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value", (key, value))

    def _meta_json(self, key: str) -> Any:
        with self.read() as conn:
            raw = self.get_meta(conn, key)
        return json.loads(raw) if raw else None

    def sync_position(self) -> tuple[str | None, bool]:
        """The change-feed cursor and whether an initial sync has completed."""
        with self.read() as conn:
            return self.get_meta(conn, "cursor"), self.get_meta(conn, "synced") == "1"

    def last_sync(self) -> datetime | None:
        with self.read() as conn:
            raw = self.get_meta(conn, "last_sync")
        return datetime.fromisoformat(raw) if raw else None

    def me_id(self) -> str | None:
        me = self.me()
        return me["id"] if me else None

    # -- reads for the views ------------------------------------------------------------

    def me(self) -> Json | None:
        session = self._meta_json("session")
        return session["user"] if session else None

    def limits(self) -> Json:
        session = self._meta_json("session")
        return dict(session["limits"]) if session else {}

    def capabilities(self) -> Json:
        """What the server lets the person signed in do, as its last /session said."""
        session = self._meta_json("session")
        return dict(session.get("capabilities") or {}) if session else {}

    def practice(self) -> Json:
        session = self._meta_json("session")
        return dict(session["practice"]) if session else {}

    def folders(self) -> list[FolderRow]:
        with self.read() as conn:
            return queries.folders(conn)

    def thread_ids(self, folder: str) -> list[str]:
        with self.read() as conn:
            return queries.thread_ids(conn, folder)

    def thread_page(self, folder: str, limit: int = 50,
                    before: tuple[float, str] | None = None) -> ThreadPage:
        with self.read() as conn:
            return queries.thread_page(conn, folder, limit, before)

    def thread_rows(self, ids: list[str]) -> list[ThreadRow]:
        me_id = self.me_id()
        with self.read() as conn:
            return queries.thread_rows(conn, list(ids), me_id)

    def thread_row_values(self, ids: list[str]) -> RowValues:
        """The list rows of `ids` as read, made into rows by `queries.thread_row`."""
        me_id = self.me_id()
        with self.read() as conn:
            return RowValues(queries.thread_row_values(conn, list(ids)), me_id)

    def thread_folders(self, ids: list[str]) -> dict[str, str]:
        with self.read() as conn:
            return queries.thread_folders(conn, list(ids))

    def conversation(self, thread_id: str) -> Conversation | None:
        with self.read() as conn:
            return queries.conversation(conn, thread_id)

    def search(self, text: str, limit: int = 200) -> list[SearchHit]:
        with self.read() as conn:
            return search.search(conn, text, limit)

    def people(self) -> list[PersonRow]:
        with self.read() as conn:
            return queries.people(conn)

    def groups(self) -> list[GroupRow]:
        with self.read() as conn:
            return queries.groups(conn)

    def drafts(self) -> list[DraftRow]:
        with self.read() as conn:
            return queries.drafts(conn)

    def resolve_id(self, ident: str) -> str:
        """The server's id for a local one the engine handed out (itself if not local)."""
        with self.read() as conn:
            row = conn.exec_driver_sql("SELECT server_id FROM id_map WHERE local_id = ?",
                                       (ident,)).first()
        return row[0] if row else ident

    def outbox_items(self) -> list[Json]:
        with self.read() as conn:
            return outbox.items(conn)

    def outbox_count(self) -> int:
        with self.read() as conn:
            return outbox.count(conn)

    def integrity_check(self) -> str:
        """"ok" when SQLite finds the file sound (and the search index matches its rows)."""
        with self.read() as conn:
            result = ", ".join(r[0] for r in conn.exec_driver_sql(
                "PRAGMA integrity_check").all())
        if result != "ok":
            return result
        with self.write() as conn:
            try:
                conn.exec_driver_sql(
                    "INSERT INTO message_fts(message_fts, rank) VALUES ('integrity-check', 1)")
            except Exception as exc:  # the index says what is wrong in its error
                return f"search index: {exc}"
        return "ok"

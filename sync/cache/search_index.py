"""Upkeep of the full-text index around a bulk load (the initial sync of a large mailbox).

During a bulk load FTS5's automatic merging is paused (it would merge the same index
segments over and over); afterwards the index is merged into one segment, so searches
read one doclist per term, and automatic merging resumes for everyday changes.
"""

from __future__ import annotations

from sync.cache.connection import Connection

DEFAULT_AUTOMERGE = 4
BULK_MESSAGES = 5000  # smaller loads are not worth a full merge afterwards


def _config(conn: Connection, name: str, value: int) -> None:
    conn.exec_driver_sql(
        "INSERT INTO message_fts(message_fts, rank) VALUES (?, ?)", (name, value))


def begin_bulk_load(conn: Connection) -> None:
    _config(conn, "automerge", 0)
    _config(conn, "crisismerge", 64)


def end_bulk_load(conn: Connection, messages: int) -> None:
    if messages >= BULK_MESSAGES:
        conn.exec_driver_sql("INSERT INTO message_fts(message_fts) VALUES ('optimize')")
    _config(conn, "automerge", DEFAULT_AUTOMERGE)
    _config(conn, "crisismerge", 16)

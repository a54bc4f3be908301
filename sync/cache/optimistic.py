"""What the optimistic effects of outbox commands share, and their undo.

Each command's effect (sync.commands) only touches the visible columns (or local rows, or
`hidden`); `reset` puts a row back to what the server last said. Effects are idempotent, so
after any reset the outbox can simply apply every pending command that touches the row again.
Keys name rows: "thread:<id>", "message:<id>", "draft:<id>", "folder:<id>", "person:<id>";
"thread:*" means every thread.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from sync.cache import mirror
from sync.cache.connection import Connection

Json = dict[str, Any]
ALL_THREADS = "thread:*"


def meta_value(conn: Connection, key: str) -> str | None:
    row = conn.exec_driver_sql("SELECT value FROM meta WHERE key = ?", (key,)).first()
    return None if row is None else row[0]


def me_person(conn: Connection) -> Json | None:
    raw = meta_value(conn, "session")
    return json.loads(raw)["user"] if raw else None


def row_keys(**named: Any) -> set[str]:
    """Keys of the rows named, such as row_keys(thread=[...], draft=...); empty ids are left
    out."""
    out: set[str] = set()
    for prefix, value in named.items():
        values = value if isinstance(value, list) else [value]
        out.update(f"{prefix}:{v}" for v in values if v)
    return out


def touches(targets: set[str], keys: set[str]) -> bool:
    """Whether a command with these `targets` changes any of the rows `keys` name."""
    if targets & keys:
        return True
    return ALL_THREADS in targets and any(k.startswith("thread:") for k in keys)


# -- resets: back to what the server said ---------------------------------------------------

def _reset_thread(conn: Connection, thread_id: str) -> set[str]:
    conn.exec_driver_sql("DELETE FROM messages WHERE thread_id = ? AND local = 1", (thread_id,))
    conn.exec_driver_sql("DELETE FROM threads WHERE id = ? AND local = 1", (thread_id,))
    conn.exec_driver_sql(
        "UPDATE threads SET folder = srv_folder, unread = coalesce(srv_unread, 0), "
        "starred = coalesce(srv_starred, 0), in_sent = coalesce(srv_in_sent, 0), "
        "sort_ts = last_message_ts, hidden = 0 WHERE id = ?",
        (thread_id,),
    )
    conn.exec_driver_sql("UPDATE messages SET hidden = 0 WHERE thread_id = ?", (thread_id,))
    return set()


def _reset_message(conn: Connection, message_id: str) -> set[str]:
    conn.exec_driver_sql("DELETE FROM messages WHERE id = ? AND local = 1", (message_id,))
    conn.exec_driver_sql("UPDATE messages SET hidden = 0 WHERE id = ?", (message_id,))
    return set()


def _reset_draft(conn: Connection, draft_id: str) -> set[str]:
    row = conn.exec_driver_sql("SELECT srv FROM drafts WHERE id = ?", (draft_id,)).first()
    if row is None:
        return set()
    if row[0] is None:
        conn.exec_driver_sql("DELETE FROM drafts WHERE id = ?", (draft_id,))
    else:
        mirror.upsert_drafts(conn, [json.loads(row[0])])
    return set()


def _reset_folder(conn: Connection, folder_id: str) -> set[str]:
    conn.exec_driver_sql("DELETE FROM folders WHERE id = ? AND srv_name IS NULL", (folder_id,))
    conn.exec_driver_sql("UPDATE folders SET name = srv_name, hidden = 0 WHERE id = ?",
                         (folder_id,))
    rows = conn.exec_driver_sql("SELECT id FROM threads WHERE srv_folder = ?",
                                (folder_id,)).all()
    conn.exec_driver_sql("UPDATE threads SET folder = srv_folder WHERE srv_folder = ?",
                         (folder_id,))
    return {f"thread:{r[0]}" for r in rows}


def _reset_person(conn: Connection, person_id: str) -> set[str]:
    conn.exec_driver_sql("UPDATE people SET status = srv_status WHERE id = ?", (person_id,))
    return set()


_RESETS: dict[str, Callable[[Connection, str], set[str]]] = {
    "thread": _reset_thread,
    "message": _reset_message,
    "draft": _reset_draft,
    "folder": _reset_folder,
    "person": _reset_person,
}


def reset(conn: Connection, keys: set[str]) -> set[str]:
    """Puts the named rows back to the server's values; returns every key that changed."""
    changed = set(keys)
    for key in keys:
        prefix, _, ident = key.partition(":")
        if key != ALL_THREADS and prefix in _RESETS:
            changed |= _RESETS[prefix](conn, ident)
    changed.discard(ALL_THREADS)
    return changed

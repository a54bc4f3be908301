"""Writing what the server sent into the cache: upserts of whole objects, and purges.

Every function takes an open cache connection inside the caller's transaction. Server
values go to both the `srv_*` and the visible columns; replaying pending commands on top is
the outbox's job (sync.outbox.replay).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sync.cache import derived
from sync.cache.connection import Connection
from sync.cache.schema import FTS_TRIGGER_NAMES, FTS_TRIGGERS
from sync.events import Change
from sync.shapes import timestamp

Json = dict[str, Any]
CHUNK = 500


def _dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _chunks(items: Sequence[Any], size: int = CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _marks(n: int) -> str:
    return ",".join("?" * n)


def upsert_sql(table: str, columns: Sequence[str], update: Sequence[str], key: str = "id") -> str:
    assignments = ", ".join(f"{c} = excluded.{c}" for c in update)
    return (
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({_marks(len(columns))}) "
        f"ON CONFLICT({key}) DO UPDATE SET {assignments}"
    )


def select_in(conn: Connection, sql: str, ids: Sequence[Any]) -> list[Any]:
    """Runs `sql` (with one `{ids}` placeholder for an IN list) over ids in chunks."""
    return _over_chunks(sql, ids, lambda part, params: conn.exec_driver_sql(part, params).all())


def select_in_json(conn: Connection, sql: str, ids: Sequence[Any]) -> list[list[Any]]:
    """`select_in` for a statement selecting one `json_group_array(json_array(...))` (see
    Connection.json_rows): its rows, as lists, in no particular order."""
    return _over_chunks(sql, ids, conn.json_rows)


def _over_chunks(sql: str, ids: Sequence[Any],
                 run: Callable[[str, tuple[Any, ...]], Sequence[Any]]) -> list[Any]:
    rows: list[Any] = []
    for part in _chunks(list(ids)):
        rows.extend(run(sql.format(ids=_marks(len(part))), tuple(part)))
    return rows


# -- people and groups ------------------------------------------------------------------

_PEOPLE_COLUMNS = ("id", "username", "name", "kind", "role", "status", "srv_status",
                   "has_portal_account")
_PEOPLE_SQL = upsert_sql("people", _PEOPLE_COLUMNS, _PEOPLE_COLUMNS[1:])


def upsert_people(conn: Connection, people: Sequence[Json]) -> None:
    if people:
        conn.exec_driver_sql(_PEOPLE_SQL, [
            (p["id"], p.get("username"), p["name"], p["kind"], p.get("role"), p.get("status"),
             p.get("status"), int(bool(p.get("has_portal_account", False))))
            for p in people
        ])


def replace_groups(conn: Connection, groups: Sequence[Json]) -> None:
    conn.exec_driver_sql("DELETE FROM groups")
    if groups:
        conn.exec_driver_sql(
            "INSERT INTO groups (id, name, member_ids) VALUES (?, ?, ?)",
            [(g["id"], g["name"], _dumps(list(g["member_ids"]))) for g in groups],
        )


# -- folders ----------------------------------------------------------------------------

_FOLDER_SQL = upsert_sql("folders", ("id", "name", "srv_name", "hidden"),
                         ("name", "srv_name", "hidden"))


def upsert_folders(conn: Connection, folders: Sequence[Json]) -> None:
    if folders:
        conn.exec_driver_sql(_FOLDER_SQL, [(f["id"], f["name"], f["name"], 0) for f in folders])


# -- threads and their per-user state -----------------------------------------------------

_THREAD_COLUMNS = (
    "id", "subject", "created_by", "created_at", "last_message_at", "last_message_ts",
    "client_count", "message_count", "participants", "can_reply", "reply_blocked_reason",
    "can_delete", "can_quick_note", "sort_ts", "hidden", "local",
)
_THREAD_SQL = upsert_sql("threads", _THREAD_COLUMNS, _THREAD_COLUMNS[1:])


def upsert_threads(conn: Connection, threads: Sequence[Json]) -> None:
    if not threads:
        return
    rows = []
    for t in threads:
        ts = timestamp(t["last_message_at"])
        rows.append((
            t["id"], t["subject"], t["created_by"], t["created_at"], t["last_message_at"], ts,
            t["client_count"], t["message_count"], _dumps(t["participants"]),
            int(t["can_reply"]), t.get("reply_blocked_reason"), int(t["can_delete"]),
            int(t["can_quick_note"]), ts, 0, 0,
        ))
    conn.exec_driver_sql(_THREAD_SQL, rows)


_STATE_COLUMNS = ("id", "srv_folder", "srv_unread", "srv_starred", "srv_in_sent",
                  "folder", "unread", "starred", "in_sent")
_STATE_SQL = upsert_sql("threads", _STATE_COLUMNS, _STATE_COLUMNS[1:])


def upsert_states(conn: Connection, states: Sequence[Json]) -> None:
    if not states:
        return
    rows = []
    for s in states:
        unread, starred, in_sent = int(s["unread"]), int(s["starred"]), int(s.get("in_sent", 0))
        rows.append((s["thread_id"], s["folder"], unread, starred, in_sent,
                     s["folder"], unread, starred, in_sent))
    conn.exec_driver_sql(_STATE_SQL, rows)


def set_state_if_unknown(conn: Connection, state: Json) -> None:
    """A state we can infer (our own new thread) unless the server already sent the real one."""
    conn.exec_driver_sql(
        "UPDATE threads SET srv_folder = ?, srv_unread = ?, srv_starred = ?, srv_in_sent = ?, "
        "folder = ?, unread = ?, starred = ?, in_sent = ? WHERE id = ? AND srv_folder IS NULL",
        (state["folder"], int(state["unread"]), int(state["starred"]), int(state["in_sent"]),
         state["folder"], int(state["unread"]), int(state["starred"]), int(state["in_sent"]),
         state["thread_id"]),
    )


# -- messages ---------------------------------------------------------------------------

_MESSAGE_COLUMNS = (
    "id", "thread_id", "sender_id", "sent_at", "sent_ts", "body_html", "body_text",
    "attachments", "attachment_count", "can_delete", "receipts", "attachment_names",
    "hidden", "local",
)
_MESSAGE_SQL = upsert_sql("messages", _MESSAGE_COLUMNS, _MESSAGE_COLUMNS[1:])


def upsert_messages(conn: Connection, messages: Sequence[Json]) -> set[str]:
    """Upserts messages; returns the ids that were not in the cache before."""
    if not messages:
        return set()
    messages = list({m["id"]: m for m in messages}.values())  # a repeated id: its last copy
    ids = [m["id"] for m in messages]
    known = {row[0] for row in select_in(conn, "SELECT id FROM messages WHERE id IN ({ids})", ids)}
    rows = []
    for m in messages:
        attachments = m["attachments"]
        receipts = m.get("receipts")
        rows.append((
            m["id"], m["thread_id"], m["sender_id"], m["sent_at"], timestamp(m["sent_at"]),
            m["body_html"], m["body_text"], _dumps(attachments), len(attachments),
            int(m["can_delete"]), None if receipts is None else _dumps(receipts),
            " ".join(a["filename"] for a in attachments), 0, int(m.get("local", 0)),
        ))
    conn.exec_driver_sql(_MESSAGE_SQL, rows)
    new_ids = set(ids) - known
    if new_ids:
        derived.add_new_messages(conn, [(row[1], row[4], row[6], row[8]) for row in rows
                                        if row[0] in new_ids])
        _index_new(conn, [m for m in messages if m["id"] in new_ids])
    return new_ids


def _index_new(conn: Connection, messages: Sequence[Json]) -> None:
    """Adds new message rows to the full-text index (those whose thread is known yet)."""
    subjects = dict(select_in(
        conn, "SELECT id, subject FROM threads WHERE subject IS NOT NULL AND id IN ({ids})",
        list({m["thread_id"] for m in messages})))
    indexable = [m for m in messages if m["thread_id"] in subjects]
    if not indexable:
        return
    names = dict(select_in(conn, "SELECT id, name FROM people WHERE id IN ({ids})",
                           list({m["sender_id"] for m in indexable})))
    seqs = dict(select_in(conn, "SELECT id, seq FROM messages WHERE id IN ({ids})",
                          [m["id"] for m in indexable]))
    conn.exec_driver_sql(
        "INSERT INTO message_fts (rowid, subject, body_text, sender_name, attachment_names) "
        "VALUES (?, ?, ?, ?, ?)",
        [(seqs[m["id"]], subjects[m["thread_id"]], m["body_text"],
          names.get(m["sender_id"], ""), " ".join(a["filename"] for a in m["attachments"]))
         for m in indexable])


# -- drafts -----------------------------------------------------------------------------

_DRAFT_COLUMNS = ("id", "to_json", "subject", "body_html", "attachment_ids", "thread_id",
                  "updated_at", "srv", "hidden")
_DRAFT_SQL = upsert_sql("drafts", _DRAFT_COLUMNS, _DRAFT_COLUMNS[1:])


def draft_row(d: Json, srv: Json | None) -> tuple[Any, ...]:
    return (d["id"], _dumps(list(d.get("to") or [])), d.get("subject") or "",
            d.get("body_html") or "", _dumps(list(d.get("attachment_ids") or [])),
            d.get("thread_id"), d.get("updated_at") or "",
            None if srv is None else _dumps(srv), 0)


def upsert_drafts(conn: Connection, drafts: Sequence[Json]) -> None:
    if drafts:
        conn.exec_driver_sql(_DRAFT_SQL, [draft_row(d, d) for d in drafts])


# -- purges -----------------------------------------------------------------------------

def _attachment_ids(rows: Iterable[Any]) -> list[str]:
    out: list[str] = []
    for (attachments,) in rows:
        out.extend(a["id"] for a in json.loads(attachments or "[]"))
    return out


def purge_messages(conn: Connection, ids: Sequence[str]) -> list[str]:
    """Removes messages (and their index entries); returns their attachment ids."""
    if not ids:
        return []
    gone = _attachment_ids(select_in(
        conn, "SELECT attachments FROM messages WHERE id IN ({ids}) AND attachment_count > 0",
        ids))
    for part in _chunks(list(ids)):
        conn.exec_driver_sql(f"DELETE FROM messages WHERE id IN ({_marks(len(part))})",
                             tuple(part))
    return gone


def purge_threads(conn: Connection, ids: Sequence[str]) -> list[str]:
    if not ids:
        return []
    message_ids = [r[0] for r in select_in(
        conn, "SELECT id FROM messages WHERE thread_id IN ({ids})", ids)]
    gone = purge_messages(conn, message_ids)
    for part in _chunks(list(ids)):
        conn.exec_driver_sql(f"DELETE FROM threads WHERE id IN ({_marks(len(part))})",
                             tuple(part))
    return gone


def purge_drafts(conn: Connection, ids: Sequence[str]) -> None:
    for part in _chunks(list(ids)):
        conn.exec_driver_sql(f"DELETE FROM drafts WHERE id IN ({_marks(len(part))})",
                             tuple(part))


def purge_folders(conn: Connection, ids: Sequence[str]) -> None:
    # The server moves a deleted folder's threads to the archive and will say so; until
    # then they must not vanish from every list.
    for part in _chunks(list(ids)):
        marks, values = _marks(len(part)), tuple(part)
        conn.exec_driver_sql(f"DELETE FROM folders WHERE id IN ({marks})", values)
        conn.exec_driver_sql(
            f"UPDATE threads SET srv_folder = 'archive' WHERE srv_folder IN ({marks})", values)
        conn.exec_driver_sql(
            f"UPDATE threads SET folder = 'archive' WHERE folder IN ({marks})", values)


# -- a whole page of the change feed --------------------------------------------------------

@dataclass
class PageOutcome:
    """What applying one page changed; the engine turns it into events."""

    kinds: set[Change] = field(default_factory=set)
    thread_ids: set[str] = field(default_factory=set)
    keys: set[str] = field(default_factory=set)  # "thread:<id>", "message:<id>", ...
    new_messages: list[Json] = field(default_factory=list)
    purged_attachments: list[str] = field(default_factory=list)
    message_count: int = 0


def apply_page(conn: Connection, page: Json, me_id: str | None) -> PageOutcome:
    """Applies one checked page (see sync.shapes.check_page); the cursor is the caller's."""
    out = PageOutcome()
    people = page["people"]
    if people:
        upsert_people(conn, people)
        out.kinds.add(Change.PEOPLE)
        out.keys.update(f"person:{p['id']}" for p in people)
    if page["folders"]:
        upsert_folders(conn, page["folders"])
        out.kinds.add(Change.FOLDERS)
        out.keys.update(f"folder:{f['id']}" for f in page["folders"])
    threads = page["threads"]
    if threads:
        upsert_threads(conn, threads)
        out.kinds.add(Change.THREADS)
        out.thread_ids.update(t["id"] for t in threads)
    if page["states"]:
        upsert_states(conn, page["states"])
        out.kinds.add(Change.STATES)
        out.thread_ids.update(s["thread_id"] for s in page["states"])
    messages = page["messages"]
    if messages:
        new_ids = upsert_messages(conn, messages)
        out.kinds.add(Change.MESSAGES)
        out.thread_ids.update(m["thread_id"] for m in messages)
        out.keys.update(f"message:{m['id']}" for m in messages)
        out.message_count = len(messages)
        fresh = [m for m in messages if m["id"] in new_ids and m["sender_id"] != me_id]
        if fresh:
            rows = {r[0]: (r[1], r[2]) for r in select_in(
                conn, "SELECT m.id, coalesce(p.name, ''), coalesce(t.subject, '') "
                "FROM messages m LEFT JOIN people p ON p.id = m.sender_id "
                "LEFT JOIN threads t ON t.id = m.thread_id WHERE m.id IN ({ids})",
                [m["id"] for m in fresh])}
            for m in fresh:
                sender_name, subject = rows.get(m["id"], ("", ""))
                out.new_messages.append({"thread_id": m["thread_id"], "message_id": m["id"],
                                         "sender_name": sender_name, "subject": subject})
    if page["drafts"]:
        upsert_drafts(conn, page["drafts"])
        out.kinds.add(Change.DRAFTS)
        out.keys.update(f"draft:{d['id']}" for d in page["drafts"])
    deleted = page["deleted"]
    if deleted["threads"]:
        out.purged_attachments += purge_threads(conn, deleted["threads"])
        out.kinds.update({Change.THREADS, Change.MESSAGES})
        out.thread_ids.update(deleted["threads"])
    if deleted["messages"]:
        thread_rows = select_in(conn, "SELECT DISTINCT thread_id FROM messages WHERE id IN ({ids})",
                                deleted["messages"])
        out.thread_ids.update(r[0] for r in thread_rows)
        out.purged_attachments += purge_messages(conn, deleted["messages"])
        out.kinds.add(Change.MESSAGES)
    if deleted["drafts"]:
        purge_drafts(conn, deleted["drafts"])
        out.kinds.add(Change.DRAFTS)
    if deleted["folders"]:
        purge_folders(conn, deleted["folders"])
        out.kinds.update({Change.FOLDERS, Change.STATES})
    out.keys.update(f"thread:{t}" for t in out.thread_ids)
    out.keys.update(f"draft:{d}" for d in deleted["drafts"])
    out.keys.update(f"folder:{f}" for f in deleted["folders"])
    return out


def clear(conn: Connection) -> None:
    """Empties every mirrored table (not the outbox) for a sync from scratch."""
    # Dropping the index (and derived values') triggers turns 100,000 per-row index
    # deletions (and summaries and counts computed again) into one.
    for name in (*FTS_TRIGGER_NAMES, *derived.TRIGGER_NAMES):
        conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}")
    for table in ("messages", "threads", "drafts", "folders", "people", "groups"):
        conn.exec_driver_sql(f"DELETE FROM {table}")
    conn.exec_driver_sql("INSERT INTO message_fts(message_fts) VALUES ('delete-all')")
    derived.clear_thread_counts(conn)
    for statement in (*FTS_TRIGGERS, *derived.TRIGGERS):
        conn.exec_driver_sql(statement)
    for key in ("cursor", "synced"):
        conn.exec_driver_sql("DELETE FROM meta WHERE key = ?", (key,))

"""What each outbox command does to the cache before the server has answered, and its undo.

A command's effect only touches the visible columns (or local rows, or `hidden`); `reset`
puts a row back to what the server last said. Effects are idempotent, so after any reset
the outbox can simply apply every pending command that touches the row again.
Keys name rows: "thread:<id>", "message:<id>", "draft:<id>", "folder:<id>", "person:<id>";
"thread:*" means every thread.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from sqlalchemy.engine import Connection

from sync.body_text import visible_text
from sync.cache import mirror
from sync.shapes import timestamp

Json = dict[str, Any]
ALL_THREADS = "thread:*"


def meta_value(conn: Connection, key: str) -> str | None:
    row = conn.exec_driver_sql("SELECT value FROM meta WHERE key = ?", (key,)).first()
    return None if row is None else row[0]


def me_person(conn: Connection) -> Json | None:
    raw = meta_value(conn, "session")
    return json.loads(raw)["user"] if raw else None


def _people_by_id(conn: Connection, ids: list[str]) -> dict[str, Json]:
    rows = mirror.select_in(
        conn, "SELECT id, username, name, kind, role, status, has_portal_account FROM people "
        "WHERE id IN ({ids})", ids)
    return {r[0]: {"id": r[0], "username": r[1], "name": r[2], "kind": r[3], "role": r[4],
                   "status": r[5], "has_portal_account": bool(r[6])} for r in rows}


def expand_recipients(conn: Connection, to: list[str]) -> list[str]:
    """Person ids of addresses ("person:<id>", "group:<id>"), in order, without repeats."""
    ids: list[str] = []
    for address in to:
        kind, _, value = str(address).partition(":")
        if kind == "person":
            ids.append(value)
        elif kind == "group":
            row = conn.exec_driver_sql("SELECT member_ids FROM groups WHERE id = ?",
                                       (value,)).first()
            ids.extend(json.loads(row[0]) if row else [])
    return list(dict.fromkeys(ids))


def _local_message(payload: Json, thread_id: str, me_id: str) -> Json:
    return {
        "id": payload["local_message_id"],
        "thread_id": thread_id,
        "sender_id": me_id,
        "sent_at": payload["sent_at"],
        "body_html": payload["body_html"],
        "body_text": visible_text(payload["body_html"]),
        "attachments": payload.get("attachments") or [],
        "can_delete": False,
        "local": 1,
    }


def _hide_draft(conn: Connection, draft_id: str | None) -> None:
    if draft_id:
        conn.exec_driver_sql("UPDATE drafts SET hidden = 1 WHERE id = ?", (draft_id,))


# -- effects ----------------------------------------------------------------------------

def _send_new(conn: Connection, p: Json) -> None:
    me = me_person(conn) or {"id": "", "name": "Me", "kind": "staff"}
    others = [i for i in expand_recipients(conn, p["to"]) if i != me["id"]]
    known = _people_by_id(conn, others)
    participants = [me] + [known.get(i, {"id": i, "name": "Unknown person", "kind": "staff"})
                           for i in others]
    ts = timestamp(p["sent_at"])
    conn.exec_driver_sql(
        mirror.upsert_sql("threads", _LOCAL_THREAD, _LOCAL_THREAD[1:]),
        (p["local_thread_id"], p["subject"], me["id"], p["sent_at"], p["sent_at"], ts,
         sum(1 for x in participants if x.get("kind") == "client"), 1,
         json.dumps(participants), 1, None, 0, 0, "sent", 0, 0, 1, ts, 0, 1),
    )
    mirror.upsert_messages(conn, [_local_message(p, p["local_thread_id"], me["id"])])
    _hide_draft(conn, p.get("draft_id"))


_LOCAL_THREAD = (
    "id", "subject", "created_by", "created_at", "last_message_at", "last_message_ts",
    "client_count", "message_count", "participants", "can_reply", "reply_blocked_reason",
    "can_delete", "can_quick_note", "folder", "unread", "starred", "in_sent", "sort_ts",
    "hidden", "local",
)


def _reply(conn: Connection, p: Json) -> None:
    me = me_person(conn) or {"id": "", "name": "Me"}
    mirror.upsert_messages(conn, [_local_message(p, p["thread_id"], me["id"])])
    conn.exec_driver_sql(
        "UPDATE threads SET in_sent = 1, sort_ts = max(coalesce(sort_ts, 0), ?) WHERE id = ?",
        (timestamp(p["sent_at"]), p["thread_id"]),
    )
    _hide_draft(conn, p.get("draft_id"))


def _set_state(conn: Connection, p: Json) -> None:
    sets, values = [], []
    for column in ("folder", "unread", "starred"):
        if p.get(column) is not None:
            sets.append(f"{column} = ?")
            values.append(p[column] if column == "folder" else int(p[column]))
    if not sets:
        return
    ids = list(p["thread_ids"])
    for part in mirror._chunks(ids):
        conn.exec_driver_sql(
            f"UPDATE threads SET {', '.join(sets)} WHERE id IN ({mirror._marks(len(part))})",
            (*values, *part),
        )


def _mark_read(conn: Connection, p: Json) -> None:
    conn.exec_driver_sql("UPDATE threads SET unread = 0 WHERE id = ?", (p["thread_id"],))


# Saved without attachment details (by an older caller), a draft keeps those it had.
_SAVE_DRAFT_SQL = (
    "INSERT INTO drafts (id, to_json, subject, body_html, attachment_ids, thread_id, "
    "updated_at, hidden, attachments) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT(id) DO UPDATE SET to_json = excluded.to_json, subject = excluded.subject, "
    "body_html = excluded.body_html, attachment_ids = excluded.attachment_ids, "
    "thread_id = excluded.thread_id, updated_at = excluded.updated_at, hidden = 0, "
    "attachments = coalesce(excluded.attachments, drafts.attachments)"
)


def _save_draft(conn: Connection, p: Json) -> None:
    draft = p["draft"]
    row = mirror.draft_row(draft, None)
    attachments = draft.get("attachments")
    details = None if attachments is None else json.dumps(attachments, ensure_ascii=False)
    conn.exec_driver_sql(_SAVE_DRAFT_SQL, row[:7] + (0, details))


def _delete_draft(conn: Connection, p: Json) -> None:
    conn.exec_driver_sql("UPDATE drafts SET hidden = 1 WHERE id = ?", (p["draft_id"],))


def _delete_message(conn: Connection, p: Json) -> None:
    conn.exec_driver_sql("UPDATE messages SET hidden = 1 WHERE id = ?", (p["message_id"],))


def _delete_thread(conn: Connection, p: Json) -> None:
    conn.exec_driver_sql("UPDATE threads SET hidden = 1 WHERE id = ?", (p["thread_id"],))
    conn.exec_driver_sql("UPDATE messages SET hidden = 1 WHERE thread_id = ?", (p["thread_id"],))


def _set_client_status(conn: Connection, p: Json) -> None:
    conn.exec_driver_sql("UPDATE people SET status = ? WHERE id = ?",
                         (p["status"], p["client_id"]))


def _create_folder(conn: Connection, p: Json) -> None:
    conn.exec_driver_sql(
        "INSERT INTO folders (id, name, srv_name, hidden) VALUES (?, ?, NULL, 0) "
        "ON CONFLICT(id) DO UPDATE SET name = excluded.name, hidden = 0",
        (p["local_folder_id"], p["name"]),
    )


def _rename_folder(conn: Connection, p: Json) -> None:
    conn.exec_driver_sql("UPDATE folders SET name = ? WHERE id = ?", (p["name"], p["folder_id"]))


def _delete_folder(conn: Connection, p: Json) -> None:
    conn.exec_driver_sql("UPDATE folders SET hidden = 1 WHERE id = ?", (p["folder_id"],))
    conn.exec_driver_sql("UPDATE threads SET folder = 'archive' WHERE folder = ?",
                         (p["folder_id"],))


def _nothing(conn: Connection, p: Json) -> None:
    return None


Effect = Callable[[Connection, Json], None]
Targets = Callable[[Json], set[str]]


def _keys(**named: Any) -> set[str]:
    out: set[str] = set()
    for prefix, value in named.items():
        values = value if isinstance(value, list) else [value]
        out.update(f"{prefix}:{v}" for v in values if v)
    return out


EFFECTS: dict[str, tuple[Effect, Targets]] = {
    "send_new": (_send_new, lambda p: _keys(thread=p["local_thread_id"],
                                            message=p["local_message_id"],
                                            draft=p.get("draft_id"))),
    "reply": (_reply, lambda p: _keys(thread=p["thread_id"], message=p["local_message_id"],
                                      draft=p.get("draft_id"))),
    "set_state": (_set_state, lambda p: _keys(thread=list(p["thread_ids"]))),
    "mark_read": (_mark_read, lambda p: _keys(thread=p["thread_id"])),
    "save_draft": (_save_draft, lambda p: _keys(draft=p["draft"]["id"])),
    "delete_draft": (_delete_draft, lambda p: _keys(draft=p["draft_id"])),
    "delete_message": (_delete_message, lambda p: _keys(message=p["message_id"],
                                                        thread=p.get("thread_id"))),
    "delete_thread": (_delete_thread, lambda p: _keys(thread=p["thread_id"])),
    "quick_note": (_nothing, lambda p: set()),
    "set_client_status": (_set_client_status, lambda p: _keys(person=p["client_id"])),
    "create_folder": (_create_folder, lambda p: _keys(folder=p["local_folder_id"])),
    "rename_folder": (_rename_folder, lambda p: _keys(folder=p["folder_id"])),
    "delete_folder": (_delete_folder, lambda p: _keys(folder=p["folder_id"]) | {ALL_THREADS}),
    "upload": (_nothing, lambda p: set()),
    "delete_upload": (_nothing, lambda p: set()),
}


def apply(conn: Connection, kind: str, payload: Json) -> None:
    EFFECTS[kind][0](conn, payload)


def targets(kind: str, payload: Json) -> set[str]:
    return EFFECTS[kind][1](payload)


def touches(kind: str, payload: Json, keys: set[str]) -> bool:
    mine = targets(kind, payload)
    if mine & keys:
        return True
    return ALL_THREADS in mine and any(k.startswith("thread:") for k in keys)


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

"""Read queries for the inbox views: folders with counts, thread lists, a conversation.

All results are plain dicts built from rows, typed in sync.cache.rows; nothing here holds a
connection afterwards.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any, cast

from sync.cache.connection import Connection
from sync.cache.mirror import select_in, select_in_json
from sync.cache.rows import (
    AttachmentRow,
    Conversation,
    ConversationThread,
    DraftRow,
    FolderRow,
    GroupRow,
    MessageRow,
    ParticipantRow,
    PersonRow,
    ThreadPage,
    ThreadRow,
    ThreadStateRow,
)

Json = dict[str, Any]

STANDARD_FOLDERS = (
    ("inbox", "Inbox"),
    ("sent", "Sent"),
    ("drafts", "Drafts"),
    ("archive", "Archive"),
    ("trash", "Trash"),
)
_VISIBLE = "hidden = 0 AND subject IS NOT NULL"
SNIPPET_CHARS = 160


def _where_folder(folder: str) -> tuple[str, tuple[Any, ...]]:
    if folder == "sent":
        return f"in_sent = 1 AND coalesce(folder, '') != 'trash' AND {_VISIBLE}", ()
    return f"folder = ? AND {_VISIBLE}", (folder,)


def folders(conn: Connection) -> list[FolderRow]:
    """The standard folders, then the user's own by name, each with its thread counts
    (kept by triggers in `thread_counts`, see sync.cache.derived)."""
    counts: dict[tuple[str, str], tuple[int, int]] = {
        (kind, folder): (total, unread) for kind, folder, total, unread in
        conn.exec_driver_sql("SELECT kind, folder, total, unread FROM thread_counts").all()}
    drafts = conn.exec_driver_sql("SELECT count(*) FROM drafts WHERE hidden = 0").scalar_one()
    out: list[FolderRow] = []
    for folder_id, name in STANDARD_FOLDERS:
        if folder_id == "sent":
            total, unread = counts.get(("sent", ""), (0, 0))
        elif folder_id == "drafts":
            total, unread = drafts, 0
        else:
            total, unread = counts.get(("folder", folder_id), (0, 0))
        out.append({"id": folder_id, "name": name, "unread": int(unread), "total": int(total)})
    for folder_id, name in conn.exec_driver_sql(
        "SELECT id, name FROM folders WHERE hidden = 0 ORDER BY name COLLATE NOCASE, id"
    ).all():
        total, unread = counts.get(("folder", folder_id), (0, 0))
        out.append({"id": folder_id, "name": name, "unread": int(unread), "total": int(total),
                    "custom": True})
    return out


def thread_ids(conn: Connection, folder: str) -> list[str]:
    if folder == "drafts":
        return []
    where, params = _where_folder(folder)
    rows = conn.exec_driver_sql(
        f"SELECT id FROM threads WHERE {where} ORDER BY sort_ts DESC, id DESC", params).all()
    return [r[0] for r in rows]


def thread_page(conn: Connection, folder: str, limit: int = 50,
                before: tuple[float, str] | None = None) -> ThreadPage:
    """A page of thread ids, newest first, after the keyset `before` (from the last page).

    The ids come as one JSON answer: read ahead while the GUI thread paints, a row at a time
    would wait for the interpreter lock once per id (400 of them took 0.4 s). The next page's
    keyset is read on its own: JSON's 15 digits would change the float it compares. The
    keyset's `sort_ts <= ?` is what lets the index seek to it: with only the OR below, a page
    deep in a folder read the index from the folder's start (34 ms at 95,000 threads)."""
    if folder == "drafts":
        return {"ids": [], "next": None}
    where, params = _where_folder(folder)
    if before is not None:
        where += " AND sort_ts <= ? AND (sort_ts < ? OR id < ?)"
        params = (*params, before[0], before[0], before[1])
    answer = conn.exec_driver_sql(
        "SELECT json_group_array(id ORDER BY sort_ts DESC, id DESC) FROM ("
        f"SELECT id, sort_ts FROM threads WHERE {where} ORDER BY sort_ts DESC, id DESC LIMIT ?)",
        (*params, limit + 1),
    ).scalar()
    ids: list[str] = json.loads(answer) if answer else []
    more = len(ids) > limit
    ids = ids[:limit]
    nxt = None
    if more and ids:
        last = conn.exec_driver_sql("SELECT sort_ts FROM threads WHERE id = ?", (ids[-1],))
        nxt = (last.scalar(), ids[-1])
    return {"ids": ids, "next": nxt}


def _iso(ts: float | None, fallback: str | None) -> str | None:
    if ts is None:
        return fallback
    text = datetime.fromtimestamp(ts, UTC).isoformat(timespec="milliseconds")
    return text.replace("+00:00", "Z")


def _label(participants: list[Json], me_id: str | None) -> str:
    names = [p.get("name") or "?" for p in participants if p.get("id") != me_id]
    if not names:
        return "Only me"
    return ", ".join(names)


_THREAD_ROWS_SQL = (
    "SELECT json_group_array(json_array(id, subject, last_message_at, sort_ts, "
    "sort_ts IS NOT NULL AND last_message_ts IS NOT NULL AND sort_ts > last_message_ts, "
    "json(nullif(participants, '')), unread, starred, folder, message_count, snippet, "
    "has_attachments, cached_count, can_delete)) "
    "FROM threads WHERE id IN ({ids}) AND hidden = 0 AND subject IS NOT NULL"
)


def thread_row_values(conn: Connection, ids: list[str]) -> list[list[Any]]:
    """The list rows of threads by id as they are read, one list of values each (for
    `thread_row`), in no particular order; unknown or hidden ids are left out.

    The rows come as one JSON answer (Connection.json_rows): a block is read while the GUI
    thread paints, and a row at a time would take the interpreter lock from it once per row.
    Making dicts of them is left to whoever shows them, for the rows it shows."""
    return select_in_json(conn, _THREAD_ROWS_SQL, ids)


def thread_row(values: list[Any], me_id: str | None) -> ThreadRow:
    """A thread's list row from its `thread_row_values`."""
    (tid, subject, last_at, sort_ts, changed_locally, participants, unread, starred, folder,
     server_count, body, has_attachments, cached_count, can_delete) = values
    return {
        "id": tid,
        "subject": subject,
        "snippet": " ".join((body or "").split())[:SNIPPET_CHARS],
        "last_message_at": _iso(sort_ts, last_at) if changed_locally else last_at,
        "participants_label": _label(participants or [], me_id),
        "unread": bool(unread),
        "starred": bool(starred),
        "has_attachments": bool(has_attachments),
        "message_count": int(cached_count or server_count or 0),
        "folder": folder,
        "can_delete": bool(can_delete),
    }


def thread_rows(conn: Connection, ids: list[str], me_id: str | None) -> list[ThreadRow]:
    """The list rows of threads by id, in the order asked (unknown or hidden ids left out).

    Each is read from its thread row alone: the message summary is kept there
    (sync.cache.derived)."""
    by_id = {values[0]: values for values in thread_row_values(conn, ids)}
    return [thread_row(by_id[i], me_id) for i in ids if i in by_id]


def thread_folders(conn: Connection, ids: list[str]) -> dict[str, str]:
    """The folder each known thread of `ids` is placed in."""
    return {tid: folder for tid, folder in select_in(
        conn, "SELECT id, folder FROM threads WHERE id IN ({ids})", ids) if folder}


def person_row(row: Any) -> PersonRow:
    return {"id": row[0], "username": row[1], "name": row[2], "kind": row[3], "role": row[4],
            "status": row[5], "has_portal_account": bool(row[6])}


_PERSON_COLUMNS = "id, username, name, kind, role, status, has_portal_account"


def people(conn: Connection) -> list[PersonRow]:
    return [person_row(r) for r in conn.exec_driver_sql(
        f"SELECT {_PERSON_COLUMNS} FROM people ORDER BY name COLLATE NOCASE, id").all()]


def groups(conn: Connection) -> list[GroupRow]:
    return [{"id": r[0], "name": r[1], "member_ids": json.loads(r[2] or "[]")}
            for r in conn.exec_driver_sql("SELECT id, name, member_ids FROM groups "
                                          "ORDER BY name").all()]


def draft_attachments(attachment_ids: list[str], saved: list[Json]) -> list[AttachmentRow]:
    """One Attachment per id, in order: as saved with the draft here, or with only its id
    (filename, size and content_type None) when this computer never had its details,
    as for a draft made on another one."""
    known = {a.get("id"): a for a in saved if isinstance(a, dict)}
    return [cast(AttachmentRow, dict(known[i])) if i in known
            else AttachmentRow(id=i, filename=None, size=None, content_type=None)
            for i in attachment_ids]


def drafts(conn: Connection) -> list[DraftRow]:
    """The visible drafts, newest first. Each has `attachment_ids` and `attachments` (see
    draft_attachments) and `pending` (the server does not have this version yet)."""
    rows = conn.exec_driver_sql(
        "SELECT id, to_json, subject, body_html, attachment_ids, thread_id, updated_at, srv, "
        "attachments FROM drafts WHERE hidden = 0 ORDER BY updated_at DESC, id").all()
    out = []
    for r in rows:
        attachment_ids = json.loads(r[4] or "[]")
        draft: DraftRow = {"id": r[0], "to": json.loads(r[1] or "[]"), "subject": r[2] or "",
                 "body_html": r[3] or "", "attachment_ids": attachment_ids,
                 "attachments": draft_attachments(attachment_ids, json.loads(r[8] or "[]")),
                 "thread_id": r[5], "updated_at": r[6], "pending": False}
        srv = json.loads(r[7]) if r[7] else None
        draft["pending"] = srv is None or any(srv.get(k) != draft[k] for k in
                                              ("to", "subject", "body_html", "attachment_ids",
                                               "thread_id"))
        out.append(draft)
    return out


def conversation(conn: Connection, thread_id: str) -> Conversation | None:
    """The thread, the user's state of it and its messages (a sent local id is followed)."""
    mapped = conn.exec_driver_sql("SELECT server_id FROM id_map WHERE local_id = ?",
                                  (thread_id,)).first()
    if mapped is not None:
        thread_id = mapped[0]
    t = conn.exec_driver_sql(
        "SELECT id, subject, created_by, created_at, last_message_at, participants, "
        "client_count, message_count, can_reply, reply_blocked_reason, can_delete, "
        "can_quick_note, folder, unread, starred, in_sent, local FROM threads "
        f"WHERE id = ? AND {_VISIBLE}", (thread_id,)).first()
    if t is None:
        return None
    participants: list[ParticipantRow] = json.loads(t[5] or "[]")
    thread: ConversationThread = {
        "id": t[0], "subject": t[1], "created_by": t[2], "created_at": t[3],
        "last_message_at": t[4], "participants": participants, "client_count": t[6],
        "message_count": t[7], "can_reply": bool(t[8]), "reply_blocked_reason": t[9],
        "can_delete": bool(t[10]), "can_quick_note": bool(t[11]), "pending": bool(t[16]),
    }
    state: ThreadStateRow = {"thread_id": t[0], "folder": t[12], "unread": bool(t[13]),
             "starred": bool(t[14]), "in_sent": bool(t[15])}
    rows = conn.exec_driver_sql(
        "SELECT id, thread_id, sender_id, sent_at, body_html, body_text, attachments, "
        "can_delete, receipts, local FROM messages "
        "WHERE thread_id = ? AND hidden = 0 ORDER BY sent_ts, seq", (thread_id,)).all()
    sender_ids = list({r[2] for r in rows})
    senders: dict[str, PersonRow | ParticipantRow] = {r[0]: person_row(r) for r in select_in(
        conn, f"SELECT {_PERSON_COLUMNS} FROM people WHERE id IN ({{ids}})", sender_ids)}
    for p in participants:
        senders.setdefault(p["id"], p)
    messages = []
    for r in rows:
        message: MessageRow = {
            "id": r[0], "thread_id": r[1], "sender_id": r[2], "sent_at": r[3],
            "body_html": r[4], "body_text": r[5], "attachments": json.loads(r[6] or "[]"),
            "can_delete": bool(r[7]), "pending": bool(r[9]),
            "sender": senders.get(r[2]) or {"id": r[2], "name": "Unknown person",
                                             "kind": "staff"},
        }
        if r[8] is not None:
            message["receipts"] = json.loads(r[8])
        messages.append(message)
    return {"thread": thread, "state": state, "messages": messages}

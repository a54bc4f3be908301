"""Reading: a folder's threads a page at a time, unread counts, and opening a thread.

The JSON API and the client portal both call these, so a list or a read is one code path.
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from server import audit
from server.db.models import Message, Person, Thread, ThreadState
from server.db.types import rfc3339
from server.errors import invalid
from server.messaging import access, states
from server.serialize import messages_json, states_json, threads_json
from server.storable_text import is_storable


def encode_cursor(at: datetime, thread_id: str) -> str:
    return base64.urlsafe_b64encode(f"{rfc3339(at)}|{thread_id}".encode()).decode()


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        at, _, thread_id = base64.urlsafe_b64decode(cursor.encode()).decode().partition("|")
        when = datetime.fromisoformat(at.replace("Z", "+00:00"))
        if when.tzinfo is None or not is_storable(thread_id):
            raise ValueError("not a cursor this server made")
        return when.astimezone(UTC), thread_id
    except (ValueError, UnicodeDecodeError, OverflowError) as exc:
        raise invalid("validation_error", "The `before` cursor is not valid.") from exc


def _in_folder(db: Session, user: Person, folder: str) -> Any:
    if folder == "sent":
        return and_(ThreadState.has_sent.is_(True), ThreadState.folder != "trash")
    return ThreadState.folder == states.check_folder(db, user, folder)


def list_threads(
    db: Session, user: Person, folder: str, limit: int, before: str | None
) -> dict[str, Any]:
    """One page of a folder, newest first: `{"items": [{thread, state}], "next": cursor}`."""
    query = (
        select(Thread.id, Thread.last_message_at)
        .join(
            ThreadState,
            and_(ThreadState.thread_id == Thread.id, ThreadState.person_id == user.id),
        )
        .where(_in_folder(db, user, folder))
    )
    if before:
        at, tid = decode_cursor(before)
        query = query.where(
            or_(Thread.last_message_at < at, and_(Thread.last_message_at == at, Thread.id < tid))
        )
    rows = db.execute(
        query.order_by(Thread.last_message_at.desc(), Thread.id.desc()).limit(limit + 1)
    ).all()
    page = rows[:limit]
    ids = [r.id for r in page]
    threads = threads_json(db, user, ids)
    state_map = states_json(db, user, ids)
    items = [{"thread": threads[i], "state": state_map[i]} for i in ids if i in threads]
    nxt = encode_cursor(page[-1].last_message_at, page[-1].id) if len(rows) > limit else None
    return {"items": items, "next": nxt}


def unread_counts(db: Session, user: Person) -> dict[str, int]:
    """Unread threads per folder of the user (Sent counts what they wrote in, outside Trash)."""
    rows = db.execute(
        select(ThreadState.folder, func.count())
        .where(ThreadState.person_id == user.id, ThreadState.unread.is_(True))
        .group_by(ThreadState.folder)
    ).all()
    counts = {folder: int(n) for folder, n in rows}
    counts["sent"] = int(
        db.scalar(
            select(func.count()).where(
                ThreadState.person_id == user.id,
                ThreadState.unread.is_(True),
                ThreadState.has_sent.is_(True),
                ThreadState.folder != "trash",
            )
        )
        or 0
    )
    return counts


def read_thread(
    db: Session, user: Person, thread_id: str, ip: str | None, read: Session | None = None
) -> dict[str, Any]:
    """Open a thread: it becomes read (receipts too), the read is audited; returns its JSON.

    The writes commit in `db`; the contents are then read in `read` where one is given (a
    session that takes no write lock), else in `db`."""
    thread = access.visible_thread(db, user, thread_id)
    states.apply(db, user, [thread.id], folder=None, unread=False, starred=None)
    audit.record(db, user.practice_id, user.id, "read_thread", "thread", thread.id, ip)
    db.commit()
    if read is None:
        return thread_contents(db, user, thread)
    db.close()
    return thread_contents(read, user, thread)


def thread_contents(db: Session, user: Person, thread: Thread) -> dict[str, Any]:
    """A visible thread's JSON with its state and every message, oldest first."""
    message_ids = db.scalars(
        select(Message.id).where(Message.thread_id == thread.id).order_by(Message.sent_at)
    ).all()
    messages = messages_json(db, user, message_ids)
    return {
        "thread": threads_json(db, user, [thread.id])[thread.id],
        "state": states_json(db, user, [thread.id]).get(thread.id),
        "messages": [messages[m] for m in message_ids if m in messages],
    }

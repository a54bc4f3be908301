"""Per-user thread state: folder, unread, starred; and read receipts."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from server import rules
from server.db.models import Folder, Message, Person, Receipt, ThreadState
from server.db.types import utcnow
from server.errors import invalid
from server.feed.record import touch
from server.messaging import access


def check_folder(db: Session, user: Person, folder: str) -> str:
    """`folder`, when `rules.may_move_to` lets this person place threads there (422 if not)."""
    own = False
    if folder.startswith("folder:"):
        found = db.get(Folder, folder.removeprefix("folder:"))
        own = found is not None and found.person_id == user.id
    decision = rules.may_move_to(folder, own)
    if not decision:
        raise invalid(decision.code or "validation_error", decision.reason or "")
    return folder


def mark_receipts_read(db: Session, user: Person, thread_ids: Sequence[str]) -> None:
    """Receipts of messages that had arrived count as read; their senders' feeds re-send them."""
    if not thread_ids:
        return
    now = utcnow()
    rows = db.execute(
        select(Receipt.message_id, Message.sender_id)
        .join(Message, Message.id == Receipt.message_id)
        .where(
            Receipt.person_id == user.id,
            Receipt.read_at.is_(None),
            Message.thread_id.in_(list(thread_ids)),
            Message.sent_at <= now,
        )
    ).all()
    if not rows:
        return
    ids = [r.message_id for r in rows]
    for start in range(0, len(ids), 500):
        db.execute(
            update(Receipt)
            .where(Receipt.person_id == user.id, Receipt.message_id.in_(ids[start : start + 500]))
            .values(read_at=now)
        )
    for message_id, sender_id in rows:
        touch(db, [sender_id], "message", message_id)


def apply(
    db: Session,
    user: Person,
    thread_ids: Sequence[str],
    folder: str | None,
    unread: bool | None,
    starred: bool | None,
) -> list[ThreadState]:
    """Change the user's own states of threads they take part in (checked by the caller)."""
    if folder is not None:
        folder = check_folder(db, user, folder)
    states = list(
        db.scalars(
            select(ThreadState).where(
                ThreadState.person_id == user.id, ThreadState.thread_id.in_(list(thread_ids))
            )
        ).all()
    )
    for state in states:
        before = (state.folder, state.unread, state.starred)
        if folder is not None:
            state.folder = folder
        if unread is not None:
            state.unread = unread
        if starred is not None:
            state.starred = starred
        if (state.folder, state.unread, state.starred) != before:
            touch(db, [user.id], "state", state.thread_id)
    if unread is False:
        mark_receipts_read(db, user, [s.thread_id for s in states])
    return states


def apply_visible(
    db: Session,
    user: Person,
    thread_ids: Sequence[str],
    folder: str | None,
    unread: bool | None,
    starred: bool | None,
) -> list[ThreadState]:
    """`apply` to threads the user can see; any other id is 404 and nothing changes."""
    ids = list(dict.fromkeys(thread_ids))
    for thread_id in ids:
        access.visible_thread(db, user, thread_id)
    return apply(db, user, ids, folder, unread, starred)

"""Permanent deletes: gone for every participant, tombstoned in their feeds, files removed."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from server import audit, rules, unit_of_work
from server.blobs import BlobStore
from server.db.models import (
    Blob,
    Message,
    MessageAttachment,
    Person,
    Receipt,
    Thread,
    ThreadParticipant,
    ThreadState,
)
from server.errors import enforce
from server.feed.record import touch
from server.messaging import access
from server.serialize import who


def _orphan_blobs(db: Session, blob_ids: Iterable[str]) -> list[str]:
    """Of these blobs, the ones no remaining message carries. Drafts do not keep them:
    whoever lists a deleted message's file in a draft, the permanent delete removes it."""
    candidates = set(blob_ids)
    if not candidates:
        return []
    still_sent = set(
        db.scalars(
            select(MessageAttachment.blob_id).where(MessageAttachment.blob_id.in_(candidates))
        ).all()
    )
    return sorted(candidates - still_sent)


def _remove_messages(db: Session, message_ids: list[str]) -> list[str]:
    """Delete messages and their rows; returns blob ids that became orphans."""
    if not message_ids:
        return []
    blob_ids = db.scalars(
        select(MessageAttachment.blob_id).where(MessageAttachment.message_id.in_(message_ids))
    ).all()
    db.execute(delete(MessageAttachment).where(MessageAttachment.message_id.in_(message_ids)))
    db.execute(delete(Receipt).where(Receipt.message_id.in_(message_ids)))
    db.execute(delete(Message).where(Message.id.in_(message_ids)))
    orphans = _orphan_blobs(db, blob_ids)
    if orphans:
        db.execute(delete(Blob).where(Blob.id.in_(orphans)))
    return orphans


def _remove_thread(db: Session, thread: Thread, participant_ids: list[str]) -> list[str]:
    message_ids = list(db.scalars(select(Message.id).where(Message.thread_id == thread.id)).all())
    orphans = _remove_messages(db, message_ids)
    db.execute(delete(ThreadState).where(ThreadState.thread_id == thread.id))
    db.execute(delete(ThreadParticipant).where(ThreadParticipant.thread_id == thread.id))
    db.execute(delete(Thread).where(Thread.id == thread.id))
    for mid in message_ids:
        touch(db, participant_ids, "message", mid, deleted=True)
    touch(db, participant_ids, "thread", thread.id, deleted=True)
    touch(db, participant_ids, "state", thread.id, deleted=True)
    return orphans


def delete_message(
    db: Session, store: BlobStore, user: Person, message_id: str, ip: str | None
) -> None:
    message, thread = access.visible_message(db, user, message_id)
    decision = rules.may_delete_message(who(user), message.sender_id, thread.client_count)
    enforce(decision)
    access.lock_thread(db, thread)
    participant_ids = [p.id for p in access.participants(db, thread.id)]
    remaining = db.scalar(
        select(func.count())
        .select_from(Message)
        .where(Message.thread_id == thread.id, Message.id != message.id)
    )
    if not remaining:
        orphans = _remove_thread(db, thread, participant_ids)
    else:
        orphans = _remove_messages(db, [message.id])
        touch(db, participant_ids, "message", message.id, deleted=True)
        thread.message_count = int(remaining)
        last = db.scalar(select(func.max(Message.sent_at)).where(Message.thread_id == thread.id))
        if last is not None:
            thread.last_message_at = last
        touch(db, participant_ids, "thread", thread.id)
    audit.record(db, user.practice_id, user.id, "delete_message", "message", message_id, ip)
    _remove_files_once_committed(db, store, orphans)


def delete_thread(
    db: Session, store: BlobStore, user: Person, thread_id: str, ip: str | None
) -> None:
    thread = access.visible_thread(db, user, thread_id)
    decision = rules.may_delete_thread(who(user), thread.created_by, thread.client_count)
    enforce(decision)
    access.lock_thread(db, thread)
    participant_ids = [p.id for p in access.participants(db, thread.id)]
    orphans = _remove_thread(db, thread, participant_ids)
    audit.record(db, user.practice_id, user.id, "delete_thread", "thread", thread_id, ip)
    _remove_files_once_committed(db, store, orphans)


def _remove_files_once_committed(db: Session, store: BlobStore, blob_ids: list[str]) -> None:
    def remove() -> None:
        for blob_id in blob_ids:
            store.remove(blob_id)

    if blob_ids:
        unit_of_work.after_commit(db, remove)

"""Loading things only the requester may see: anything else is 404, never 403."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import InvalidRequestError
from sqlalchemy.orm import Session

from server.db.models import Blob, Message, Person, Thread, ThreadParticipant
from server.errors import not_found
from server.messaging.validate import referable_blobs


def is_participant(db: Session, thread_id: str, person_id: str) -> bool:
    return (
        db.scalar(
            select(ThreadParticipant.person_id).where(
                ThreadParticipant.thread_id == thread_id, ThreadParticipant.person_id == person_id
            )
        )
        is not None
    )


def visible_thread(db: Session, user: Person, thread_id: str) -> Thread:
    thread = db.get(Thread, thread_id)
    if thread is None or thread.practice_id != user.practice_id:
        raise not_found("That conversation")
    if not is_participant(db, thread.id, user.id):
        raise not_found("That conversation")
    return thread


def lock_thread(db: Session, thread: Thread) -> None:
    """Take the thread's row until commit, so changes to one thread take turns.

    Reloads it too: a count or time read before the lock may be stale.
    """
    try:
        db.refresh(thread, with_for_update=True)
    except InvalidRequestError as exc:  # deleted while this request waited
        raise not_found("That conversation") from exc


def visible_message(db: Session, user: Person, message_id: str) -> tuple[Message, Thread]:
    message = db.get(Message, message_id)
    if message is None:
        raise not_found("That message")
    thread = db.get(Thread, message.thread_id)
    if thread is None or thread.practice_id != user.practice_id:
        raise not_found("That message")
    if not is_participant(db, thread.id, user.id):
        raise not_found("That message")
    return message, thread


def participants(db: Session, thread_id: str) -> list[Person]:
    return list(
        db.scalars(
            select(Person)
            .join(ThreadParticipant, ThreadParticipant.person_id == Person.id)
            .where(ThreadParticipant.thread_id == thread_id)
        ).all()
    )


def readable_blob(db: Session, user: Person, blob_id: str) -> Blob:
    """The blob, if `user` may read it (the rule is `validate.referable_blobs`); else 404."""
    blob = referable_blobs(db, user, [blob_id]).get(blob_id)
    if blob is None:
        raise not_found("That attachment")
    return blob

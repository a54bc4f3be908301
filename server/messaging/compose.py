"""Sending: a new thread or a message in a thread, with states, receipts, feed, email, audit."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from server import audit, directory, notify, rules
from server.config import Settings
from server.db.models import (
    Blob,
    Draft,
    Message,
    MessageAttachment,
    Person,
    Practice,
    Receipt,
    Thread,
    ThreadParticipant,
    ThreadState,
)
from server.db.types import utcnow
from server.errors import enforce
from server.feed.record import touch
from server.messaging import access, validate
from server.serialize import who


@dataclass
class SendResult:
    thread: Thread
    message: Message
    emails: int


def create_thread(
    db: Session,
    settings: Settings,
    sender: Person,
    to: list[str],
    subject_raw: str,
    body: validate.CleanBody,
    attachment_ids: list[str],
    draft_id: str | None,
    ip: str | None,
) -> SendResult:
    people, used_groups = validate.recipients(db, sender, to)
    subject = validate.subject(subject_raw, settings)
    clean, text = validate.body(body, settings)
    blobs = validate.attachments(db, sender, attachment_ids)
    allowed_ids: set[str] = set()
    if sender.kind == "client":
        allowed_ids = directory.client_directory_ids(db, sender)
    decision = rules.may_address(who(sender), [who(p) for p in people], allowed_ids, used_groups)
    enforce(decision)
    now = utcnow()
    everyone = [sender, *people]
    thread = Thread(
        practice_id=sender.practice_id,
        subject=subject,
        created_by=sender.id,
        created_at=now,
        last_message_at=now,
        client_count=rules.count_clients(who(p) for p in everyone),
        message_count=1,  # the one _deliver adds: no UPDATE of the row just inserted
    )
    db.add(thread)
    db.flush()
    db.add_all(ThreadParticipant(thread_id=thread.id, person_id=p.id) for p in everyone)
    db.add(
        ThreadState(
            thread_id=thread.id,
            person_id=sender.id,
            folder="sent",
            unread=False,
            starred=False,
            has_sent=True,
        )
    )
    db.add_all(
        ThreadState(
            thread_id=thread.id,
            person_id=p.id,
            folder="inbox",
            unread=True,
            starred=False,
            has_sent=False,
        )
        for p in people
    )
    return _deliver(db, settings, sender, thread, everyone, clean, text, blobs, draft_id, now,
                    ip)


def add_message(
    db: Session,
    settings: Settings,
    sender: Person,
    thread: Thread,
    body: validate.CleanBody,
    attachment_ids: list[str],
    draft_id: str | None,
    ip: str | None,
) -> SendResult:
    everyone = access.participants(db, thread.id)
    decision = rules.may_add_message(who(sender), [who(p) for p in everyone])
    enforce(decision)
    clean, text = validate.body(body, settings)
    blobs = validate.attachments(db, sender, attachment_ids)
    access.lock_thread(db, thread)  # so the message count and last time stay right
    now = utcnow()
    states = {
        s.person_id: s
        for s in db.scalars(select(ThreadState).where(ThreadState.thread_id == thread.id)).all()
    }
    for person in everyone:
        state = states.get(person.id)
        if state is None:
            state = ThreadState(
                thread_id=thread.id,
                person_id=person.id,
                folder="inbox",
                unread=False,
                starred=False,
                has_sent=False,
            )
            db.add(state)
        if person.id == sender.id:
            state.has_sent = True
        else:
            state.folder = "inbox"
            state.unread = True
    thread.last_message_at = now
    thread.message_count = (thread.message_count or 0) + 1
    return _deliver(db, settings, sender, thread, everyone, clean, text, blobs, draft_id, now,
                    ip)


def _deliver(
    db: Session,
    settings: Settings,
    sender: Person,
    thread: Thread,
    everyone: list[Person],
    clean: str,
    text: str,
    blobs: list[Blob],
    draft_id: str | None,
    now: object,
    ip: str | None,
) -> SendResult:
    message = Message(
        thread_id=thread.id, sender_id=sender.id, sent_at=now, body_html=clean, body_text=text
    )
    db.add(message)
    db.flush()
    db.add_all(
        MessageAttachment(message_id=message.id, blob_id=b.id, position=i)
        for i, b in enumerate(blobs)
    )
    recipients = [p for p in everyone if p.id != sender.id]
    db.add_all(Receipt(message_id=message.id, person_id=p.id, read_at=None) for p in recipients)
    ids = [p.id for p in everyone]
    touch(db, ids, "thread", thread.id)
    touch(db, ids, "state", thread.id)
    touch(db, ids, "message", message.id)
    if draft_id:
        deleted = db.execute(
            delete(Draft).where(Draft.id == draft_id, Draft.person_id == sender.id)
        ).rowcount  # type: ignore[attr-defined]
        if deleted:
            touch(db, [sender.id], "draft", draft_id, deleted=True)
    practice = db.get(Practice, sender.practice_id)
    assert practice is not None
    emails = notify.enqueue(db, settings, practice, recipients)
    audit.record(db, sender.practice_id, sender.id, "send", "message", message.id, ip)
    return SendResult(thread=thread, message=message, emails=emails)

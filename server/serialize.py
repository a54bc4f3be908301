"""Turn rows into the API's JSON objects for one viewer, loading in batches.

Capability flags come from `server.rules`, the same functions the endpoints enforce.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from server import rules
from server.db.models import (
    Blob,
    Draft,
    Folder,
    Message,
    MessageAttachment,
    Person,
    Receipt,
    Thread,
    ThreadParticipant,
    ThreadState,
)
from server.db.types import rfc3339

Json = dict[str, Any]


def who(p: Person) -> rules.Who:
    return rules.Who(id=p.id, kind=p.kind, role=p.role, status=p.status)


def person_json(p: Person) -> Json:
    return {
        "id": p.id,
        "username": p.username,
        "name": p.name,
        "kind": p.kind,
        "role": p.role,
        "status": p.status,
        "has_portal_account": p.has_portal_account,
    }


def attachment_json(b: Blob) -> Json:
    return {
        "id": b.id,
        "filename": b.filename,
        "size": b.size,
        "content_type": b.content_type,
        "sha256": b.sha256,
    }


def state_json(s: ThreadState) -> Json:
    return {
        "thread_id": s.thread_id,
        "folder": s.folder,
        "unread": s.unread,
        "starred": s.starred,
        "in_sent": s.has_sent,
    }


def folder_json(f: Folder) -> Json:
    return {"id": f"folder:{f.id}", "name": f.name}


def draft_json(d: Draft) -> Json:
    return {
        "id": d.id,
        "to": list(d.to or []),
        "subject": d.subject,
        "body_html": d.body_html,
        "attachment_ids": list(d.attachment_ids or []),
        "thread_id": d.thread_id,
        "updated_at": rfc3339(d.updated_at),
    }


def participants_by_thread(db: Session, thread_ids: Iterable[str]) -> dict[str, list[Person]]:
    ids = list(thread_ids)
    out: dict[str, list[Person]] = defaultdict(list)
    if not ids:
        return out
    rows = db.execute(
        select(ThreadParticipant.thread_id, Person)
        .join(Person, Person.id == ThreadParticipant.person_id)
        .where(ThreadParticipant.thread_id.in_(ids))
        .order_by(Person.kind.desc(), Person.name)
    ).all()
    for thread_id, person in rows:
        out[thread_id].append(person)
    return out


def thread_json(viewer: Person, t: Thread, participants: Sequence[Person]) -> Json:
    me = who(viewer)
    people = [who(p) for p in participants]
    reply = rules.may_add_message(me, people)
    visible_ids = {w.id for w in rules.visible_participants(me, people)}
    return {
        "id": t.id,
        "subject": t.subject,
        "created_by": t.created_by,
        "created_at": rfc3339(t.created_at),
        "last_message_at": rfc3339(t.last_message_at),
        "participants": [person_json(p) for p in participants if p.id in visible_ids],
        "client_count": t.client_count,
        "message_count": t.message_count,
        "can_reply": reply.allowed,
        "reply_blocked_reason": reply.reason,
        "can_delete": rules.may_delete_thread(me, t.created_by, t.client_count).allowed,
        "can_quick_note": rules.may_quick_note(
            me, [p.id for p in participants], t.client_count
        ).allowed,
    }


def threads_json(db: Session, viewer: Person, thread_ids: Iterable[str]) -> dict[str, Json]:
    ids = list(thread_ids)
    if not ids:
        return {}
    threads = db.scalars(select(Thread).where(Thread.id.in_(ids))).all()
    parts = participants_by_thread(db, ids)
    return {t.id: thread_json(viewer, t, parts[t.id]) for t in threads}


def messages_json(db: Session, viewer: Person, message_ids: Iterable[str]) -> dict[str, Json]:
    """Messages by id, with attachments, the viewer's delete flag and (senders only) receipts."""
    ids = list(message_ids)
    if not ids:
        return {}
    me = who(viewer)
    rows = db.execute(
        select(
            Message.id,
            Message.thread_id,
            Message.sender_id,
            Message.sent_at,
            Message.body_html,
            Message.body_text,
            Thread.client_count,
        )
        .join(Thread, Thread.id == Message.thread_id)
        .where(Message.id.in_(ids))
    ).all()
    attachments: dict[str, list[Json]] = defaultdict(list)
    for message_id, blob in db.execute(
        select(MessageAttachment.message_id, Blob)
        .join(Blob, Blob.id == MessageAttachment.blob_id)
        .where(MessageAttachment.message_id.in_(ids))
        .order_by(MessageAttachment.position)
    ).all():
        attachments[message_id].append(attachment_json(blob))
    receipts: dict[str, list[Json]] = defaultdict(list)
    own = [r.id for r in rows if rules.sees_receipts(me, r.sender_id)]
    if own:
        for message_id, person_id, read_at in db.execute(
            select(Receipt.message_id, Receipt.person_id, Receipt.read_at)
            .where(Receipt.message_id.in_(own))
            .order_by(Receipt.person_id)
        ).all():
            receipts[message_id].append({"person_id": person_id, "read_at": rfc3339(read_at)})
    out: dict[str, Json] = {}
    for r in rows:
        item: Json = {
            "id": r.id,
            "thread_id": r.thread_id,
            "sender_id": r.sender_id,
            "sent_at": rfc3339(r.sent_at),
            "body_html": r.body_html,
            "body_text": r.body_text,
            "attachments": attachments.get(r.id, []),
            "can_delete": rules.may_delete_message(me, r.sender_id, r.client_count).allowed,
        }
        if rules.sees_receipts(me, r.sender_id):
            item["receipts"] = receipts.get(r.id, [])
        out[r.id] = item
    return out


def states_json(db: Session, viewer: Person, thread_ids: Iterable[str]) -> dict[str, Json]:
    ids = list(thread_ids)
    if not ids:
        return {}
    states = db.scalars(
        select(ThreadState).where(
            ThreadState.person_id == viewer.id, ThreadState.thread_id.in_(ids)
        )
    ).all()
    return {s.thread_id: state_json(s) for s in states}

"""Turn rows into the API's JSON objects for one viewer, loading in batches.

Capability flags come from `server.rules`, the same functions the endpoints enforce.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import Executable, bindparam, select
from sqlalchemy.orm import Session

from server import rules
from server.db.models import (
    Blob,
    Draft,
    FeedEntry,
    Folder,
    Message,
    MessageAttachment,
    Person,
    Receipt,
    Thread,
    ThreadParticipant,
    ThreadState,
)
from server.db.types import rfc3339, rfc3339_text

Json = dict[str, Any]


@dataclass(frozen=True)
class FeedWindow:
    """The objects of one kind in a slice of a person's feed: (since, until] by sequence."""

    person_id: str
    kind: str
    since: int
    until: int


# What to load: a list of ids, or a feed window (run as a subquery, so a page of 1,000
# objects is not 1,000 bound parameters in every query).
Ids = Iterable[str] | FeedWindow


def _source(ids: Ids) -> tuple[str | None, dict[str, Any]]:
    """The cache key of the statement shape, and its parameters."""
    if isinstance(ids, FeedWindow):
        return ids.kind, {"w_person": ids.person_id, "w_since": ids.since, "w_until": ids.until}
    return None, {"ids": list(ids)}


def _empty(params: dict[str, Any]) -> bool:
    return "ids" in params and not params["ids"]


def _in(window_kind: str | None) -> Any:
    if window_kind is None:
        return bindparam("ids", expanding=True)
    return select(FeedEntry.object_id).where(
        FeedEntry.person_id == bindparam("w_person"),
        FeedEntry.kind == window_kind,
        FeedEntry.seq > bindparam("w_since"),
        FeedEntry.seq <= bindparam("w_until"),
        FeedEntry.deleted.is_(False),
    )


def _run(db: Session, stmt: Executable, params: dict[str, Any]) -> Sequence[Any]:
    """Column queries run on the session's connection: no ORM row loading in hot paths."""
    return db.connection().execute(stmt, params).all()


PERSON_COLUMNS = (
    Person.id,
    Person.username,
    Person.name,
    Person.kind,
    Person.role,
    Person.status,
    Person.has_portal_account,
)
BLOB_COLUMNS = (Blob.id, Blob.filename, Blob.size, Blob.content_type, Blob.sha256)
THREAD_COLUMNS = (
    Thread.id,
    Thread.subject,
    Thread.created_by,
    rfc3339_text(Thread.created_at).label("created_at"),
    rfc3339_text(Thread.last_message_at).label("last_message_at"),
    Thread.client_count,
    Thread.message_count,
)


def who(p: Any) -> rules.Who:
    return rules.Who(id=p.id, kind=p.kind, role=p.role, status=p.status)


def person_json(p: Any) -> Json:
    return {
        "id": p.id,
        "username": p.username,
        "name": p.name,
        "kind": p.kind,
        "role": p.role,
        "status": p.status,
        "has_portal_account": p.has_portal_account,
    }


def attachment_json(b: Any) -> Json:
    return {
        "id": b.id,
        "filename": b.filename,
        "size": b.size,
        "content_type": b.content_type,
        "sha256": b.sha256,
    }


def state_json(s: Any) -> Json:
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


@dataclass(frozen=True)
class Participant:
    """A thread participant as the rules see them, with their JSON made once per page."""

    who: rules.Who
    json: Json


@cache
def _participants_stmt(window_kind: str | None) -> Executable:
    return (
        select(ThreadParticipant.thread_id, *PERSON_COLUMNS)
        .join(Person, Person.id == ThreadParticipant.person_id)
        .where(ThreadParticipant.thread_id.in_(_in(window_kind)))
        .order_by(Person.kind.desc(), Person.name)
    )


def participants_by_thread(db: Session, thread_ids: Ids) -> dict[str, list[Participant]]:
    shape, params = _source(thread_ids)
    out: dict[str, list[Participant]] = defaultdict(list)
    if _empty(params):
        return out
    rows = _run(db, _participants_stmt(shape), params)
    people: dict[str, Participant] = {}
    for row in rows:
        participant = people.get(row.id)
        if participant is None:
            participant = people[row.id] = Participant(who(row), person_json(row))
        out[row.thread_id].append(participant)
    return out


def thread_json(viewer: Person, t: Any, participants: Sequence[Participant]) -> Json:
    me = who(viewer)
    people = [p.who for p in participants]
    reply = rules.may_add_message(me, people)
    visible = rules.visible_participants(me, people)
    visible_ids = {w.id for w in visible} if len(visible) != len(people) else None
    return {
        "id": t.id,
        "subject": t.subject,
        "created_by": t.created_by,
        "created_at": t.created_at,
        "last_message_at": t.last_message_at,
        "participants": [
            p.json for p in participants if visible_ids is None or p.who.id in visible_ids
        ],
        "client_count": t.client_count,
        "message_count": t.message_count,
        "can_reply": reply.allowed,
        "reply_blocked_reason": reply.reason,
        "can_delete": rules.may_delete_thread(me, t.created_by, t.client_count).allowed,
        "can_quick_note": rules.may_quick_note(me, [w.id for w in people], t.client_count).allowed,
    }


@cache
def _threads_stmt(window_kind: str | None) -> Executable:
    return select(*THREAD_COLUMNS).where(Thread.id.in_(_in(window_kind)))


def threads_json(db: Session, viewer: Person, thread_ids: Ids) -> dict[str, Json]:
    shape, params = _source(thread_ids)
    if _empty(params):
        return {}
    threads = _run(db, _threads_stmt(shape), params)
    parts = participants_by_thread(db, thread_ids)
    return {t.id: thread_json(viewer, t, parts[t.id]) for t in threads}


@cache
def _messages_stmt(window_kind: str | None) -> Executable:
    return (
        select(
            Message.id,
            Message.thread_id,
            Message.sender_id,
            rfc3339_text(Message.sent_at).label("sent_at"),
            Message.body_html,
            Message.body_text,
            Thread.client_count,
        )
        .join(Thread, Thread.id == Message.thread_id)
        .where(Message.id.in_(_in(window_kind)))
    )


@cache
def _attachments_stmt(window_kind: str | None) -> Executable:
    return (
        select(MessageAttachment.message_id, *BLOB_COLUMNS)
        .join(Blob, Blob.id == MessageAttachment.blob_id)
        .where(MessageAttachment.message_id.in_(_in(window_kind)))
        .order_by(MessageAttachment.position)
    )


@cache
def _receipts_stmt(window_kind: str | None) -> Executable:
    # Unordered: sorting every receipt of a page in SQL costs more than the few per message
    # sorted in Python.
    return select(Receipt.message_id, Receipt.person_id, rfc3339_text(Receipt.read_at)).where(
        Receipt.message_id.in_(_in(window_kind))
    )


def messages_json(db: Session, viewer: Person, message_ids: Ids) -> dict[str, Json]:
    """Messages by id, with attachments, the viewer's delete flag and (senders only) receipts."""
    shape, params = _source(message_ids)
    if _empty(params):
        return {}
    me = who(viewer)
    rows = _run(db, _messages_stmt(shape), params)
    attachments: dict[str, list[Json]] = defaultdict(list)
    for row in _run(db, _attachments_stmt(shape), params):
        attachments[row.message_id].append(attachment_json(row))
    # The flags depend only on (sender, whether the thread has a client): ask the rules once
    # per combination, not once per message.
    senders = {(r[2], r[6] > 0) for r in rows}
    may_delete = {k: rules.may_delete_message(me, k[0], int(k[1])).allowed for k in senders}
    sees_receipts = {sid: rules.sees_receipts(me, sid) for sid, _ in senders}
    receipts: dict[str, list[Json]] = defaultdict(list)
    own = {r[0] for r in rows if sees_receipts[r[2]]}
    if own:
        for message_id, person_id, read_at in _run(db, _receipts_stmt(shape), params):
            if message_id in own:
                receipts[message_id].append({"person_id": person_id, "read_at": read_at})
        for listed in receipts.values():
            if len(listed) > 1:
                listed.sort(key=lambda r: r["person_id"])
    no_attachments: list[Json] = []
    out: dict[str, Json] = {}
    for message_id, thread_id, sender_id, sent_at, html, text, client_count in rows:
        item: Json = {
            "id": message_id,
            "thread_id": thread_id,
            "sender_id": sender_id,
            "sent_at": sent_at,
            "body_html": html,
            "body_text": text,
            "attachments": attachments.get(message_id, no_attachments),
            "can_delete": may_delete[(sender_id, client_count > 0)],
        }
        if sees_receipts[sender_id]:
            item["receipts"] = receipts.get(message_id, [])
        out[message_id] = item
    return out


@cache
def _states_stmt(window_kind: str | None) -> Executable:
    return select(
        ThreadState.thread_id,
        ThreadState.folder,
        ThreadState.unread,
        ThreadState.starred,
        ThreadState.has_sent,
    ).where(
        ThreadState.person_id == bindparam("viewer"),
        ThreadState.thread_id.in_(_in(window_kind)),
    )


def states_json(db: Session, viewer: Person, thread_ids: Ids) -> dict[str, Json]:
    shape, params = _source(thread_ids)
    if _empty(params):
        return {}
    rows = _run(db, _states_stmt(shape), {**params, "viewer": viewer.id})
    return {r.thread_id: state_json(r) for r in rows}

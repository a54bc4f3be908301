"""Tens of thousands of short conversations for one person, written straight into the server's
database with bulk inserts (through the API it would take many minutes)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from server.db.models import FeedEntry, Message, Person, Thread, ThreadParticipant, ThreadState
from server.db.types import new_id, utcnow
from server.feed.record import allocate

BATCH = 5000


def seed_threads(db: Session, username: str, other: str, count: int) -> list[str]:
    """`count` one-message threads from `other` to `username`, in `username`'s inbox; returns
    their ids. Each lands in both people's change feeds as a real send would."""
    me = db.scalar(select(Person).where(Person.username == username))
    them = db.scalar(select(Person).where(Person.username == other))
    assert me is not None and them is not None
    start = utcnow() - timedelta(seconds=count)
    ids: list[str] = []
    for offset in range(0, count, BATCH):
        threads, parts, states, messages, feed = [], [], [], [], []
        for n in range(offset, min(count, offset + BATCH)):
            thread_id, message_id = new_id(), new_id()
            at = start + timedelta(seconds=n)
            ids.append(thread_id)
            threads.append({"id": thread_id, "practice_id": me.practice_id,
                            "subject": f"Bulk conversation {n}", "created_by": them.id,
                            "created_at": at, "last_message_at": at,
                            "client_count": 1 if them.kind == "client" else 0,
                            "message_count": 1})
            messages.append({"id": message_id, "thread_id": thread_id, "sender_id": them.id,
                             "sent_at": at, "body_html": f"<p>Message number {n}.</p>",
                             "body_text": f"Message number {n}."})
            for person, folder in ((me, "inbox"), (them, "sent")):
                parts.append({"thread_id": thread_id, "person_id": person.id})
                states.append({"thread_id": thread_id, "person_id": person.id,
                               "folder": folder, "unread": person is me,
                               "starred": False, "has_sent": person is them})
                feed += [(person.id, "thread", thread_id), (person.id, "state", thread_id),
                         (person.id, "message", message_id)]
        first_seq = allocate(db, len(feed)) - len(feed) + 1
        now = utcnow()
        feed_rows = [{"person_id": p, "kind": k, "object_id": o, "seq": first_seq + i,
                      "deleted": False, "changed_at": now} for i, (p, k, o) in enumerate(feed)]
        for model, rows in ((Thread, threads), (ThreadParticipant, parts),
                            (ThreadState, states), (Message, messages), (FeedEntry, feed_rows)):
            db.execute(insert(model), rows)
        db.commit()
    return ids

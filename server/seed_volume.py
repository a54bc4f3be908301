"""Realistic message volume in Lakeside Counseling, for benchmarks (`seed-demo --volume N`).

Rows are written with bulk inserts; every thread includes dr.rivera, so her feed carries
all N messages.
"""

from __future__ import annotations

import hashlib
import random
from datetime import timedelta

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from server.blobs import BlobStore
from server.db.models import (
    Blob,
    FeedEntry,
    Message,
    MessageAttachment,
    Person,
    Receipt,
    Thread,
    ThreadParticipant,
    ThreadState,
)
from server.db.types import new_id, utcnow
from server.feed.record import allocate

SUBJECTS = [
    "Rescheduling next week's session",
    "Insurance pre-authorization",
    "Homework from Tuesday",
    "Question about the intake forms",
    "Invoice for October",
    "Sleep log",
    "Coping plan update",
    "Referral to a psychiatrist",
    "Parking at the new office",
    "Telehealth link not working",
    "Superbill request",
    "Medication side effects",
    "Group therapy schedule",
    "Release of information",
    "Check-in after the holidays",
    "Mindfulness exercises",
    "Payment plan",
    "Cancellation policy",
]
SENTENCES = [
    "Thank you for getting back to me so quickly.",
    "I wanted to follow up on what we discussed during our last appointment.",
    "Could we move the session to Thursday afternoon instead?",
    "The breathing exercise helped a lot when I felt anxious at work.",
    "Please find the completed form attached to this message.",
    "Our billing team has submitted the claim to your insurance provider.",
    "Let me know if the new time works for you.",
    "I have been keeping the sleep journal every night as we agreed.",
    "The copay for this visit was applied to your account balance.",
    "It might help to write down three things that went well each day.",
    "We will review your progress at the start of our next session.",
    "If you are in crisis, please call 988 or go to the nearest emergency room.",
    "I noticed the weekends are harder; let's talk about a plan for Saturdays.",
    "The front desk can help you update your address and phone number.",
]
WORDS = [
    "anxiety",
    "budget",
    "calendar",
    "deductible",
    "exercise",
    "family",
    "garden",
    "holiday",
    "journal",
    "kitchen",
    "letter",
    "morning",
    "notebook",
    "office",
    "patience",
    "quiet",
    "routine",
    "schedule",
    "telehealth",
    "unusual",
    "vacation",
    "weather",
    "yesterday",
    "zoning",
]
PNG_1PX = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000100e221bc330000000049454e44ae426082"
)


def _body(rng: random.Random) -> tuple[str, str]:
    target = rng.randint(200, 3000)
    paragraphs: list[str] = []
    length = 0
    while length < target:
        para = " ".join(rng.choice(SENTENCES) for _ in range(rng.randint(2, 5)))
        para += f" ({rng.choice(WORDS)} {rng.randint(1, 9999)})"
        paragraphs.append(para)
        length += len(para)
    html = "".join(f"<p>{p}</p>" for p in paragraphs)
    return html, "\n\n".join(paragraphs)


PARTNERS = ("alex", "casey", "dana", "frontdesk", "dr.chen", "billing", "admin")


def seed_volume(
    db: Session, store: BlobStore, count: int, seed: int = 2026,
    partners: tuple[str, ...] = PARTNERS,
) -> int:
    rng = random.Random(seed)
    rivera = db.scalar(select(Person).where(Person.username == "dr.rivera"))
    if rivera is None:
        raise RuntimeError("seed the demo practice first")
    others = list(
        db.scalars(
            select(Person).where(
                Person.practice_id == rivera.practice_id,
                Person.id != rivera.id,
                Person.username.in_(list(partners)),
            )
        ).all()
    )
    blob = Blob(
        id=new_id(),
        practice_id=rivera.practice_id,
        uploader_id=rivera.id,
        filename="scan.png",
        size=len(PNG_1PX),
        content_type="image/png",
        sha256=hashlib.sha256(PNG_1PX).hexdigest(),
        created_at=utcnow(),
    )
    store.put(blob.id, PNG_1PX)
    db.add(blob)
    db.flush()
    start = utcnow() - timedelta(minutes=count * 3)
    made = 0
    while made < count:
        batch = min(5000, count - made)
        _write_batch(db, rng, rivera, others, blob.id, start, made, batch)
        made += batch
        db.commit()
    return made


def _write_batch(db, rng, rivera, others, blob_id, start, offset, batch) -> None:
    threads, parts, states, messages, attachments, receipts, feed = [], [], [], [], [], [], []
    made = 0
    while made < batch:
        other = rng.choice(others)
        size = min(rng.randint(1, 9), batch - made)
        thread_id = new_id()
        first_at = start + timedelta(minutes=3 * (offset + made))
        last_at = first_at
        for i in range(size):
            sender, recipient = (rivera, other) if i % 2 == 0 else (other, rivera)
            message_id = new_id()
            sent_at = first_at + timedelta(minutes=3 * i)
            last_at = sent_at
            html, plain = _body(rng)
            messages.append(
                {
                    "id": message_id,
                    "thread_id": thread_id,
                    "sender_id": sender.id,
                    "sent_at": sent_at,
                    "body_html": html,
                    "body_text": plain,
                }
            )
            receipts.append(
                {
                    "message_id": message_id,
                    "person_id": recipient.id,
                    "read_at": sent_at + timedelta(minutes=1),
                }
            )
            if rng.random() < 0.02:
                attachments.append({"message_id": message_id, "blob_id": blob_id, "position": 0})
            feed += [(rivera.id, "message", message_id), (other.id, "message", message_id)]
        threads.append(
            {
                "id": thread_id,
                "practice_id": rivera.practice_id,
                "subject": rng.choice(SUBJECTS),
                "created_by": rivera.id,
                "created_at": first_at,
                "last_message_at": last_at,
                "client_count": 1 if other.kind == "client" else 0,
                "message_count": size,
            }
        )
        for person in (rivera, other):
            parts.append({"thread_id": thread_id, "person_id": person.id})
            states.append(
                {
                    "thread_id": thread_id,
                    "person_id": person.id,
                    "folder": rng.choice(["inbox", "inbox", "inbox", "archive"]),
                    "unread": rng.random() < 0.1,
                    "starred": rng.random() < 0.05,
                    "has_sent": person is rivera or size > 1,
                }
            )
            feed += [(person.id, "thread", thread_id), (person.id, "state", thread_id)]
        made += size
    first_seq = allocate(db, len(feed)) - len(feed) + 1
    now = utcnow()
    feed_rows = [
        {
            "person_id": p,
            "kind": k,
            "object_id": o,
            "seq": first_seq + i,
            "deleted": False,
            "changed_at": now,
        }
        for i, (p, k, o) in enumerate(feed)
    ]
    for model, rows in (
        (Thread, threads),
        (ThreadParticipant, parts),
        (ThreadState, states),
        (Message, messages),
        (MessageAttachment, attachments),
        (Receipt, receipts),
        (FeedEntry, feed_rows),
    ):
        if rows:
            db.execute(insert(model), rows)

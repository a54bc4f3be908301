"""A person's mailbox recent-first: the newest threads of each folder, with their newest
messages, for a new workstation to show before it downloads the whole change feed.

Everything is read in one transaction that sees one moment of the database (SQLite's
deferred read transaction; REPEATABLE READ on PostgreSQL), in the feed's own shapes
(`server.serialize`). Only objects the person's feed holds (a feed entry that is not a
tombstone) are sent, so the snapshot never shows what the feed would not.

Why applying the feed afterwards cannot make a thread look older than the snapshot did:
the feed keeps one entry per (person, object), moved to a new sequence number at each
change, and a page reads its objects as they are when it is read. A page read after the
snapshot therefore carries every object at a version at least as new as the snapshot's,
and anything changed or deleted since the snapshot is in the feed again, at its new place.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, exists, func, select
from sqlalchemy.orm import Session

from server.db.models import Draft, FeedEntry, Folder, Message, Person, Thread, ThreadState
from server.serialize import (
    draft_json,
    folder_json,
    messages_json,
    person_json,
    states_json,
    threads_json,
)

#: The folders listed first; then the person's own, in the order they were made.
FIRST_FOLDERS = ("inbox", "sent", "archive", "trash")


def _in_feed(viewer: Person, kind: str, object_id: Any) -> Any:
    return exists().where(
        FeedEntry.person_id == viewer.id,
        FeedEntry.kind == kind,
        FeedEntry.object_id == object_id,
        FeedEntry.deleted.is_(False),
    )


def _one_moment(db: Session) -> None:
    """Starts the session's transaction so that every later read sees the same moment."""
    if db.get_bind().dialect.name == "postgresql":
        db.connection(execution_options={"isolation_level": "REPEATABLE READ"})
    else:
        db.connection()


def _folder_condition(folder: str) -> Any:
    if folder == "sent":
        return and_(ThreadState.has_sent.is_(True), ThreadState.folder != "trash")
    return ThreadState.folder == folder


def _newest_threads(db: Session, viewer: Person, folder: str, limit: int) -> list[str]:
    rows = db.execute(
        select(Thread.id)
        .join(
            ThreadState,
            and_(ThreadState.thread_id == Thread.id, ThreadState.person_id == viewer.id),
        )
        .where(_folder_condition(folder), _in_feed(viewer, "thread", Thread.id))
        .order_by(Thread.last_message_at.desc(), Thread.id.desc())
        .limit(limit)
    ).all()
    return [r.id for r in rows]


def _newest_messages(
    db: Session, viewer: Person, thread_ids: list[str], per_thread: int
) -> list[str]:
    """The ids of each thread's newest `per_thread` messages the person's feed holds."""
    if not thread_ids:
        return []
    ranked = (
        select(
            Message.id,
            func.row_number()
            .over(
                partition_by=Message.thread_id,
                order_by=(Message.sent_at.desc(), Message.id.desc()),
            )
            .label("n"),
        )
        .where(Message.thread_id.in_(thread_ids), _in_feed(viewer, "message", Message.id))
        .subquery()
    )
    return list(db.scalars(select(ranked.c.id).where(ranked.c.n <= per_thread)).all())


def read_snapshot(db: Session, viewer: Person, limit: int, per_thread: int) -> dict[str, Any]:
    """The snapshot answer: `limit` threads per folder, `per_thread` messages per thread."""
    _one_moment(db)
    folders = db.scalars(
        select(Folder)
        .where(Folder.person_id == viewer.id, _in_feed(viewer, "folder", Folder.id))
        .order_by(Folder.id)
    ).all()
    used = set(
        db.scalars(select(ThreadState.folder).where(ThreadState.person_id == viewer.id).distinct())
    )
    order = [f for f in FIRST_FOLDERS if f in used or f == "sent"]
    order += [f"folder:{f.id}" for f in folders if f"folder:{f.id}" in used]
    newest: dict[str, list[str]] = {}
    thread_ids: list[str] = []
    seen: set[str] = set()
    for folder in order:
        ids = _newest_threads(db, viewer, folder, limit)
        if ids:
            newest[folder] = ids
        thread_ids += [i for i in ids if i not in seen]
        seen.update(ids)
    threads = threads_json(db, viewer, thread_ids)
    state_map = states_json(db, viewer, [i for i in thread_ids if i in threads])
    message_ids = _newest_messages(db, viewer, [i for i in thread_ids if i in threads], per_thread)
    messages = messages_json(db, viewer, message_ids)
    senders = {m["sender_id"] for m in messages.values()}
    people = (
        db.scalars(
            select(Person).where(
                Person.id.in_(senders),
                Person.practice_id == viewer.practice_id,
                _in_feed(viewer, "person", Person.id),
            )
        ).all()
        if senders
        else []
    )
    drafts = db.scalars(
        select(Draft).where(Draft.person_id == viewer.id, _in_feed(viewer, "draft", Draft.id))
    ).all()
    feed_size = db.scalar(
        select(func.count()).select_from(FeedEntry).where(FeedEntry.person_id == viewer.id)
    )
    return {
        "threads": [threads[i] for i in thread_ids if i in threads],
        "messages": sorted(messages.values(), key=lambda m: (m["sent_at"], m["id"])),
        "states": [state_map[i] for i in thread_ids if i in state_map],
        "drafts": [draft_json(d) for d in drafts],
        "folders": [folder_json(f) for f in folders],
        "people": [person_json(p) for p in people],
        "newest": newest,
        "feed_size": int(feed_size or 0),
    }

"""Read one page of a user's change feed: whole objects since a cursor, plus tombstones."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.db.models import Draft, FeedCounter, FeedEntry, Folder, Person
from server.errors import ApiError, invalid
from server.serialize import (
    FeedWindow,
    draft_json,
    folder_json,
    messages_json,
    person_json,
    states_json,
    threads_json,
)

EMPTY_DELETED = ("threads", "messages", "drafts", "folders")


def parse_cursor(since: str | None) -> int:
    """A cursor is the decimal sequence number this server sent: ASCII digits, nothing else
    (`int()` would also take "١٢", " 12" and "1_0")."""
    if not since:
        return 0
    if not (since.isascii() and since.isdigit()):
        raise invalid("validation_error", "The `since` cursor is not valid.")
    value = int(since)
    if value >= 2**63:  # sequence numbers are 64-bit
        raise invalid("validation_error", "The `since` cursor is not valid.")
    return value


def check_not_expired(db: Session, since: int) -> None:
    """410 for a cursor too old to serve, or newer than anything this server has sent (its
    database was replaced, say): either way the client's copy must be downloaded again."""
    if since <= 0:
        return
    row = db.execute(
        select(FeedCounter.pruned_below, FeedCounter.value).where(FeedCounter.id == 1)
    ).first()
    pruned_below, newest = (row[0] or 0, row[1] or 0) if row else (0, 0)
    if since < pruned_below:
        raise ApiError(
            410, "cursor_expired", "Your copy is too old to update; it will be downloaded again."
        )
    if since > newest:
        raise ApiError(
            410,
            "cursor_expired",
            "Your copy does not match this server's changes; it will be downloaded again.",
        )


def has_changes(db: Session, person_id: str, since: int) -> bool:
    return (
        db.scalar(
            select(FeedEntry.seq)
            .where(FeedEntry.person_id == person_id, FeedEntry.seq > since)
            .limit(1)
        )
        is not None
    )


def empty_page(since: int) -> dict[str, Any]:
    """What `read_page` answers when nothing changed after `since`."""
    return {
        "cursor": str(since),
        "more": False,
        **{key: [] for key in ("threads", "messages", "states", "drafts", "folders", "people")},
        "deleted": {k: [] for k in EMPTY_DELETED},
    }


def read_page(db: Session, viewer: Person, since: int, limit: int) -> dict[str, Any]:
    entries = db.execute(
        select(FeedEntry.kind, FeedEntry.object_id, FeedEntry.deleted, FeedEntry.seq)
        .where(FeedEntry.person_id == viewer.id, FeedEntry.seq > since)
        .order_by(FeedEntry.seq)
        .limit(limit + 1)
    ).all()
    if not entries:
        return empty_page(since)
    more = len(entries) > limit
    entries = entries[:limit]
    cursor = entries[-1].seq if entries else since
    wanted: dict[str, list[str]] = {
        k: [] for k in ("thread", "message", "state", "draft", "folder", "person")
    }
    deleted: dict[str, list[str]] = {k: [] for k in EMPTY_DELETED}
    for e in entries:
        if e.deleted:
            if e.kind in ("thread", "message", "draft", "folder"):
                deleted[e.kind + "s"].append(
                    f"folder:{e.object_id}" if e.kind == "folder" else e.object_id
                )
        else:
            wanted[e.kind].append(e.object_id)

    def window(kind: str) -> list[str] | FeedWindow:
        ids = wanted[kind]
        return ids if len(ids) < 50 else FeedWindow(viewer.id, kind, since, cursor)

    threads = threads_json(db, viewer, window("thread"))
    messages = messages_json(db, viewer, window("message"))
    state_map = states_json(db, viewer, window("state"))
    drafts = (
        db.scalars(
            select(Draft).where(Draft.id.in_(wanted["draft"]), Draft.person_id == viewer.id)
        ).all()
        if wanted["draft"]
        else []
    )
    folders = (
        db.scalars(
            select(Folder).where(Folder.id.in_(wanted["folder"]), Folder.person_id == viewer.id)
        ).all()
        if wanted["folder"]
        else []
    )
    people = (
        db.scalars(
            select(Person).where(
                Person.id.in_(wanted["person"]), Person.practice_id == viewer.practice_id
            )
        ).all()
        if wanted["person"]
        else []
    )
    # An object gone between its change and this read is reported as deleted.
    deleted["threads"].extend(i for i in wanted["thread"] if i not in threads)
    deleted["messages"].extend(i for i in wanted["message"] if i not in messages)
    return {
        "cursor": str(cursor),
        "more": more,
        "threads": [threads[i] for i in wanted["thread"] if i in threads],
        "messages": [messages[i] for i in wanted["message"] if i in messages],
        "states": [state_map[i] for i in wanted["state"] if i in state_map],
        "drafts": [draft_json(d) for d in drafts],
        "folders": [folder_json(f) for f in folders],
        "people": [person_json(p) for p in people],
        "deleted": deleted,
    }

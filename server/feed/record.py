"""Record feed changes inside the writing transaction.

Writers call `touch(db, person_ids, kind, object_id)`; just before the transaction commits,
the pending touches get sequence numbers from the counter row (locked until commit, so
sequence order is commit order) and are upserted into `feed_entry`. After the commit the
hub wakes the long polls of the people touched.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from sqlalchemy import text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from server.db.models import FeedEntry
from server.db.types import utcnow

KINDS = ("thread", "message", "state", "draft", "folder", "person")
_PENDING = "feed_pending"
_WOKEN = "feed_woken"
NOTIFY_CHANNEL = "practice_feed"


def touch(
    db: Session, person_ids: Iterable[str], kind: str, object_id: str, deleted: bool = False
) -> None:
    pending: dict[tuple[str, str, str], bool] = db.info.setdefault(_PENDING, {})
    for pid in person_ids:
        pending[(pid, kind, object_id)] = deleted


def allocate(db: Session, count: int) -> int:
    """Reserve `count` sequence numbers; returns the last one."""
    return int(
        db.execute(
            text("UPDATE feed_counter SET value = value + :n WHERE id = 1 RETURNING value"),
            {"n": count},
        ).scalar_one()
    )


def _upsert(db: Session, rows: list[dict[str, object]]) -> None:
    # One statement for any number of rows, executed for each (psycopg pipelines them, the
    # sqlite3 module loops in C): compiled once per process, where `.values(rows)` compiled
    # every time.
    dialect = db.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(FeedEntry)
    stmt = stmt.on_conflict_do_update(
        index_elements=["person_id", "kind", "object_id"],
        set_={
            "seq": stmt.excluded.seq,
            "deleted": stmt.excluded.deleted,
            "changed_at": stmt.excluded.changed_at,
        },
    )
    db.execute(stmt, rows)


def flush_pending(db: Session) -> None:
    pending: dict[tuple[str, str, str], bool] = db.info.pop(_PENDING, {})
    if not pending:
        return
    db.flush()
    last = allocate(db, len(pending))
    first = last - len(pending) + 1
    now = utcnow()
    rows = [
        {
            "person_id": pid,
            "kind": kind,
            "object_id": oid,
            "seq": first + i,
            "deleted": deleted,
            "changed_at": now,
        }
        for i, ((pid, kind, oid), deleted) in enumerate(pending.items())
    ]
    _upsert(db, rows)
    woken: set[str] = db.info.setdefault(_WOKEN, set())
    woken.update(pid for pid, _, _ in pending)
    if db.get_bind().dialect.name == "postgresql":
        _pg_notify(db, woken)


def _pg_notify(db: Session, person_ids: set[str]) -> None:
    ids = sorted(person_ids)
    for start in range(0, len(ids), 150):  # NOTIFY payloads stay under 8000 bytes
        payload = ",".join(ids[start : start + 150])
        db.execute(text("SELECT pg_notify(:ch, :p)"), {"ch": NOTIFY_CHANNEL, "p": payload})


def install(factory: sessionmaker[Session], wake: Callable[[set[str]], None]) -> None:
    """Hook the feed into every session the factory makes."""
    from sqlalchemy import event

    @event.listens_for(factory, "before_commit")
    def _before_commit(session: Session) -> None:
        flush_pending(session)

    @event.listens_for(factory, "after_commit")
    def _after_commit(session: Session) -> None:
        woken = session.info.pop(_WOKEN, None)
        if woken:
            wake(woken)

    @event.listens_for(factory, "after_rollback")
    def _after_rollback(session: Session) -> None:
        session.info.pop(_PENDING, None)
        session.info.pop(_WOKEN, None)

"""One commit per request: the unit of work of an endpoint that writes.

A writing API route takes its session from `deps.WORK`. The endpoint and the domain functions
it calls only change the session; when the endpoint returns, the unit of work commits once,
then runs what was waiting for the commit (`after_commit`: stored files of deleted
attachments, say). When the endpoint raises, nothing is committed. The dependency exits
before the answer is sent (FastAPI's `scope="function"`), so a commit that fails is the
request's error, never a success reported for changes that were not kept.

Long polls are woken by the feed's own after-commit hook (server.feed.record), and emails go
through the outbox table, written in the same transaction: both only for what was committed.

Outside this, commits belong to work that is not a request's (background workers, the CLI)
and to the records that must outlive a refusal (failed sign-ins, throttles), which commit on
their own before the refusal is raised.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

_AFTER = "after_commit"


def after_commit(db: Session, action: Callable[[], None]) -> None:
    """Run `action` once the session's changes are committed (never if they are not)."""
    db.info.setdefault(_AFTER, []).append(action)


def commit(db: Session) -> None:
    """Commit the session, then run what was waiting for it."""
    db.commit()
    for action in db.info.pop(_AFTER, []):
        action()


def discard(db: Session) -> None:
    """Roll the session back; what was waiting for its commit is dropped."""
    db.rollback()
    db.info.pop(_AFTER, None)

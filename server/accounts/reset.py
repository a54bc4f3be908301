"""Asking for a password-reset link: the same quiet answer whoever asks, throttled.

Requests count per (username, address) and per address with the sign-in limits and window,
in a table of their own (a reset request is not a failed sign-in and locks no one out).
"""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from server import audit
from server.accounts import sign_in_checks
from server.accounts.link_email import enqueue_link_email
from server.accounts.links import issue_link
from server.auth.sign_in import locked_out
from server.config import Settings
from server.db.accounts import ResetRequest
from server.db.models import Person, Practice
from server.db.types import utcnow


def _wait(db: Session, settings: Settings, where: Any, limit: int) -> int:
    window = timedelta(seconds=settings.login_window_seconds)
    times = db.scalars(
        select(ResetRequest.at)
        .where(where, ResetRequest.at > utcnow() - window)
        .order_by(ResetRequest.at.desc())
        .limit(limit)
    ).all()
    if len(times) < limit:
        return 0
    return max(1, math.ceil((times[limit - 1] + window - utcnow()).total_seconds()))


def request_password_reset(db: Session, settings: Settings, username: str, address: str) -> None:
    """Email a reset link when the username belongs to someone who may sign in (the caller
    commits).

    Raises 429 `too_many_attempts` past the limits, for known and unknown usernames alike.
    """
    username = username.strip().lower()[:100]
    wait = max(
        _wait(db, settings, (ResetRequest.username == username) & (ResetRequest.address ==
              address), settings.login_failures_before_wait),
        _wait(db, settings, ResetRequest.address == address,
              settings.login_max_failures_per_address),
    )
    if wait:
        db.rollback()
        raise locked_out(wait)
    db.execute(delete(ResetRequest).where(
        ResetRequest.at < utcnow() - timedelta(seconds=settings.login_window_seconds)))
    db.add(ResetRequest(username=username, address=address, at=utcnow()))
    person = db.scalar(select(Person).where(Person.username == username))
    if person is not None and sign_in_checks.may_sign_in(person) and person.email:
        url = issue_link(db, settings, person, "reset")
        practice = db.get(Practice, person.practice_id)
        assert practice is not None
        enqueue_link_email(db, practice, person, url, "reset")
        audit.record(db, person.practice_id, person.id, "password_reset", "person", person.id,
                     address)

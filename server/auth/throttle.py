"""Failed sign-in throttling per username and per address, over a sliding window.

Only failures count. While a username (or address) is over its limit nothing is checked
and nothing more is counted, so an attacker cannot extend a lockout: it ends when the
window has passed over the failures that caused it.
"""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from server.config import Settings
from server.db.models import LoginFailure
from server.db.types import utcnow


def _retry_after(db: Session, column: Any, value: str, limit: int, window: timedelta) -> int:
    """Seconds until fewer than `limit` failures remain in the window, or 0 if not locked."""
    since = utcnow() - window
    times = db.scalars(
        select(LoginFailure.at)
        .where(column == value, LoginFailure.at > since)
        .order_by(LoginFailure.at.desc())
        .limit(limit)
    ).all()
    if len(times) < limit:
        return 0
    unlock_at = times[limit - 1] + window
    return max(1, math.ceil((unlock_at - utcnow()).total_seconds()))


def locked_for(db: Session, settings: Settings, username: str, address: str) -> int:
    window = timedelta(seconds=settings.login_window_seconds)
    return max(
        _retry_after(
            db, LoginFailure.username, username, settings.login_max_failures_per_user, window
        ),
        _retry_after(
            db, LoginFailure.address, address, settings.login_max_failures_per_address, window
        ),
    )


def record_failure(db: Session, username: str, address: str) -> None:
    db.add(LoginFailure(username=username, address=address, at=utcnow()))


def reset_username(db: Session, username: str) -> None:
    db.execute(delete(LoginFailure).where(LoginFailure.username == username))


def prune(db: Session, settings: Settings) -> None:
    cutoff = utcnow() - timedelta(seconds=settings.login_window_seconds)
    db.execute(delete(LoginFailure).where(LoginFailure.at < cutoff))

"""Failed sign-in throttling that cannot lock a clinic out.

Three counts, all of failures only, over `login_window_seconds`:
- per pair, (username, address) or — when the sign-in carries a valid device token —
  (username, device): from the `login_failures_before_wait`-th failure the pair waits
  `login_first_wait_seconds`, doubling with each further failure up to
  `login_longest_wait_seconds`. A success resets the pair. The count is forgotten once the
  window has passed since the pair's last failure and the wait it caused.
- per address and per username, ceilings for sign-ins without a device token.
A sign-in with a device token is held only by its own pair, so nobody elsewhere can keep
a person from signing in on a device they used before. While a sign-in must wait nothing
is checked and nothing more is counted.

These are service functions: the API's `POST /auth/login` and any sign-in page call the
same ones, over the same tables.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from server.config import Settings
from server.db.models import LoginFailure, LoginPair
from server.db.types import utcnow

USERNAME_CHARS = 100  # the column's width; a longer name cannot exist and is cut to it


@dataclass(frozen=True)
class Attempt:
    username: str
    address: str
    device_id: str | None = None  # a device that signed in as `username` before

    @property
    def peer(self) -> str:
        return f"d:{self.device_id}" if self.device_id else f"a:{self.address}"

    @property
    def key(self) -> str:
        return self.username[:USERNAME_CHARS]


def _pair_wait(settings: Settings, failures: int) -> float:
    over = failures - settings.login_failures_before_wait
    if over < 0:
        return 0.0
    wait = settings.login_first_wait_seconds * 2 ** min(over, 32)
    return float(min(wait, settings.login_longest_wait_seconds))


def _pair_state(settings: Settings, pair: LoginPair | None, now: datetime) -> tuple[int, float]:
    """(failures still counted, seconds left to wait) for a pair row."""
    if pair is None:
        return 0, 0.0
    wait = _pair_wait(settings, pair.failures)
    elapsed = (now - pair.last_failure_at).total_seconds()
    if elapsed >= wait + settings.login_window_seconds:
        return 0, 0.0
    return pair.failures, max(0.0, wait - elapsed)


def _ceiling_wait(db: Session, column: Any, value: str, limit: int, window: timedelta) -> float:
    """Seconds until fewer than `limit` failures remain in the sliding window."""
    now = utcnow()
    times = db.scalars(
        select(LoginFailure.at)
        .where(column == value, LoginFailure.at > now - window)
        .order_by(LoginFailure.at.desc())
        .limit(limit)
    ).all()
    if len(times) < limit:
        return 0.0
    return max(0.0, (times[limit - 1] + window - now).total_seconds())


def _seconds(wait: float) -> int:
    return max(1, math.ceil(wait)) if wait > 0 else 0


def wait_seconds(db: Session, settings: Settings, attempt: Attempt) -> int:
    """How long this sign-in must wait before anything is checked (0: go ahead)."""
    now = utcnow()
    pair = db.get(LoginPair, (attempt.key, attempt.peer))
    waits = [_pair_state(settings, pair, now)[1]]
    if attempt.device_id is None:
        window = timedelta(seconds=settings.login_window_seconds)
        waits.append(_ceiling_wait(db, LoginFailure.username, attempt.key,
                                   settings.login_max_failures_per_user, window))
        waits.append(_ceiling_wait(db, LoginFailure.address, attempt.address,
                                   settings.login_max_failures_per_address, window))
    return _seconds(max(waits))


def record_failure(db: Session, settings: Settings, attempt: Attempt) -> int:
    """Count a failure; returns the wait it starts (0 if none). The caller commits."""
    now = utcnow()
    insert = postgresql.insert if db.get_bind().dialect.name == "postgresql" else sqlite.insert
    db.execute(
        insert(LoginPair)
        .values(username=attempt.key, peer=attempt.peer, failures=0, last_failure_at=now)
        .on_conflict_do_nothing()
    )
    pair = db.scalars(
        select(LoginPair)
        .where(LoginPair.username == attempt.key, LoginPair.peer == attempt.peer)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    counted, _ = _pair_state(settings, pair, now)
    pair.failures = counted + 1
    pair.last_failure_at = now
    if attempt.device_id is None:
        db.add(LoginFailure(username=attempt.key, address=attempt.address, at=now))
    db.flush()
    return wait_seconds(db, settings, attempt)


def record_success(db: Session, attempt: Attempt) -> None:
    """A success resets its own pair only: failures made elsewhere still count there."""
    db.execute(
        delete(LoginPair).where(LoginPair.username == attempt.key, LoginPair.peer == attempt.peer)
    )


def prune(db: Session, settings: Settings) -> None:
    """Forget failures no rule can count any more."""
    cutoff = utcnow() - timedelta(seconds=settings.login_window_seconds)
    db.execute(delete(LoginFailure).where(LoginFailure.at < cutoff))
    forgotten = cutoff - timedelta(seconds=settings.login_longest_wait_seconds)
    db.execute(delete(LoginPair).where(LoginPair.last_failure_at < forgotten))

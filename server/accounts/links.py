"""Invite and reset links: 32 random bytes, stored as sha256, single use; a newer link voids
the older ones of the same person. Used by the admin API, the command line and the portal."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from server import audit
from server.accounts.password_policy import password_problem
from server.accounts.sessions import end_sessions
from server.auth.passwords import hash_password
from server.config import Settings
from server.db.accounts import AccountLink
from server.db.models import Person, Practice
from server.db.types import utcnow
from server.errors import ApiError

PURPOSES = ("invite", "reset")
PATHS = {"invite": "welcome", "reset": "reset"}
GET_NEW = (
    "Ask for a new one with “Forgot your password?” on the sign-in page, or ask the practice "
    "to send you a new invitation."
)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def lifetime(settings: Settings, purpose: str) -> timedelta:
    seconds = settings.invite_link_seconds if purpose == "invite" else settings.reset_link_seconds
    return timedelta(seconds=seconds)


def issue_link(db: Session, settings: Settings, person: Person, purpose: str) -> str:
    """A new link for `person` (the full URL); voids their earlier links. The caller commits."""
    assert purpose in PURPOSES, purpose
    now = settings.clock()
    db.execute(
        update(AccountLink)
        .where(
            AccountLink.person_id == person.id,
            AccountLink.used_at.is_(None),
            AccountLink.voided_at.is_(None),
        )
        .values(voided_at=now)
    )
    token = secrets.token_urlsafe(32)
    db.add(
        AccountLink(
            person_id=person.id,
            purpose=purpose,
            token_hash=_hash(token),
            created_at=now,
            expires_at=now + lifetime(settings, purpose),
        )
    )
    if purpose == "invite":
        person.invite_sent_at = now
    practice = db.get(Practice, person.practice_id)
    assert practice is not None
    return f"{settings.portal_url(practice.slug)}{PATHS[purpose]}/{token}"


def _find(db: Session, token: str) -> AccountLink | None:
    if not token or len(token) > 200:
        return None
    return db.scalar(select(AccountLink).where(AccountLink.token_hash == _hash(token)))


def _problem(link: AccountLink | None, now: datetime) -> str | None:
    if link is None:
        return f"This link is not valid: it may have been copied incompletely. {GET_NEW}"
    if link.used_at is not None:
        return f"This link has been used already: each link works once. {GET_NEW}"
    if link.voided_at is not None:
        return f"This link was replaced by a newer one: use the newest email. {GET_NEW}"
    if now >= link.expires_at:
        lasts = "72 hours" if link.purpose == "invite" else "1 hour"
        return f"This link has expired: links last {lasts}. {GET_NEW}"
    return None


def link_problem(db: Session, token: str, settings: Settings | None = None) -> str | None:
    """Why the link no longer works (and how to get a new one), or None while it is valid.

    Pass `settings` to judge expiry by its clock (tests move it); otherwise the real time.
    """
    return _problem(_find(db, token), settings.clock() if settings else utcnow())


def redeem_link(db: Session, settings: Settings, token: str, new_password: str) -> Person:
    """Set the person's password from a valid link, use the link up and end their sessions.

    Raises ApiError 410 `link_expired` or 422 `weak_password`; the caller commits. The
    password is hashed outside any transaction, and the link is claimed with one conditional
    update, so two concurrent uses cannot both succeed.
    """
    link = _find(db, token)
    problem = _problem(link, settings.clock())
    person = db.get(Person, link.person_id) if link is not None else None
    if problem is not None or link is None or person is None:
        db.rollback()
        raise ApiError(410, "link_expired", problem or f"This link is not valid. {GET_NEW}")
    link_id, person_id, username = link.id, person.id, person.username
    db.rollback()
    weak = password_problem(new_password, username)
    if weak is not None:
        raise ApiError(422, "weak_password", weak)
    password_hash = hash_password(new_password)
    now = settings.clock()
    claimed = db.execute(
        update(AccountLink)
        .where(
            AccountLink.id == link_id,
            AccountLink.used_at.is_(None),
            AccountLink.voided_at.is_(None),
            AccountLink.expires_at > now,
        )
        .values(used_at=now)
    ).rowcount  # type: ignore[attr-defined]
    if claimed != 1:
        db.rollback()
        raise ApiError(410, "link_expired", _problem(_find(db, token), now) or GET_NEW)
    person = db.get(Person, person_id)
    assert person is not None
    person.password_hash = password_hash
    end_sessions(db, person)
    audit.record(db, person.practice_id, person.id, "password_set", "person", person.id)
    return person

"""Device tokens: proof that this device signed in as this person before.

Every successful sign-in answers one; a later sign-in that sends it back is throttled only
by its own (username, device) count, so failures made elsewhere never lock it out. It is
not a credential: alone it unlocks nothing. Stored only as a sha256 hash.
"""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from server.db.models import LoginDevice, Person
from server.db.types import utcnow

MAX_TOKEN_CHARS = 200


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def device_for(db: Session, username: str, token: str | None) -> str | None:
    """The id of the device this token names, if it signed in as `username`; else None."""
    if not token or len(token) > MAX_TOKEN_CHARS:
        return None
    return db.scalar(
        select(LoginDevice.id)
        .join(Person, Person.id == LoginDevice.person_id)
        .where(LoginDevice.token_hash == _hash(token), Person.username == username)
    )


def remember(db: Session, person: Person, token: str | None, keep: int) -> str:
    """The device token to answer a successful sign-in with: the one sent, if it is this
    person's, else a new one. Only the `keep` most recently used devices are remembered."""
    now = utcnow()
    if token and len(token) <= MAX_TOKEN_CHARS:
        known = db.scalar(
            select(LoginDevice).where(
                LoginDevice.token_hash == _hash(token), LoginDevice.person_id == person.id
            )
        )
        if known is not None:
            known.last_used_at = now
            return token
    fresh = secrets.token_urlsafe(32)
    db.add(LoginDevice(person_id=person.id, token_hash=_hash(fresh), created_at=now,
                       last_used_at=now))
    db.flush()
    stale = db.scalars(
        select(LoginDevice.id)
        .where(LoginDevice.person_id == person.id)
        .order_by(LoginDevice.last_used_at.desc(), LoginDevice.id)
        .offset(keep)
    ).all()
    if stale:
        db.execute(delete(LoginDevice).where(LoginDevice.id.in_(stale)))
    return fresh

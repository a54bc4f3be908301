"""Bearer tokens: random, stored only as a sha256 hash, with idle and absolute expiry."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from server.auth.token_touch import TokenTouches
from server.config import Settings
from server.db.models import Person, Practice, Token
from server.db.types import utcnow

TOUCH_EVERY = timedelta(seconds=60)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(db: Session, settings: Settings, person: Person) -> tuple[str, datetime]:
    token = secrets.token_urlsafe(32)
    now = utcnow()
    expires = now + timedelta(seconds=settings.token_max_seconds)
    db.add(
        Token(
            token_hash=token_hash(token),
            person_id=person.id,
            created_at=now,
            last_used_at=now,
            expires_at=expires,
        )
    )
    return token, expires


def resolve_token(
    db: Session, settings: Settings, token: str, touches: TokenTouches | None = None
) -> tuple[Person, Practice] | None:
    """The person a live token belongs to, and their practice (for the two-step gate, without
    a second round trip); refreshes the token's idle timer at most once a minute.

    With `touches`, the refresh is noted there for a later batch and this stays a read.
    """
    row = db.execute(
        select(Token, Person, Practice)
        .join(Person, Person.id == Token.person_id)
        .join(Practice, Practice.id == Person.practice_id)
        .where(Token.token_hash == token_hash(token))
    ).first()
    if row is None:
        return None
    tok, person, practice = row
    now = utcnow()
    last_used = tok.last_used_at
    noted = touches.last_noted(tok.id) if touches is not None else None
    if noted is not None and noted > last_used:
        last_used = noted
    idle_limit = last_used + timedelta(seconds=settings.token_idle_seconds)
    if tok.revoked_at is not None or now >= tok.expires_at or now >= idle_limit:
        return None
    if now - last_used > TOUCH_EVERY:
        if touches is not None:
            touches.note(tok.id, now)
        else:
            db.execute(update(Token).where(Token.id == tok.id).values(last_used_at=now))
            db.commit()
    return person, practice


def revoke_token(db: Session, token: str) -> None:
    db.execute(
        update(Token)
        .where(Token.token_hash == token_hash(token), Token.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )

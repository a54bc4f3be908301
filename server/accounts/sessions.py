"""Ending every session of a person at once, long polls that are waiting included."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.orm import Session

from server.auth.tokens import token_hash
from server.db.models import Person, Token
from server.db.portal_models import PortalSession
from server.db.types import utcnow
from server.feed.record import touch


def end_sessions(db: Session, person: Person, keep_token: str | None = None) -> None:
    """Revoke the person's tokens (all, or all but `keep_token`) and portal sessions when the
    caller commits.

    Touching the person's own feed wakes their waiting long polls after the commit (in every
    server process); woken, a long poll checks its token again and answers 401.
    """
    stmt = update(Token).where(Token.person_id == person.id, Token.revoked_at.is_(None))
    if keep_token is not None:
        stmt = stmt.where(Token.token_hash != token_hash(keep_token))
    db.execute(stmt.values(revoked_at=utcnow()))
    # The client portal's browser sessions end too (a portal session is never "kept").
    db.execute(
        update(PortalSession)
        .where(PortalSession.person_id == person.id, PortalSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    touch(db, [person.id], "person", person.id)

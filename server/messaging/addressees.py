"""Whom a client may start a conversation with: their directory's staff the rules allow."""

from __future__ import annotations

from sqlalchemy.orm import Session

from server import directory, rules
from server.db.models import Person
from server.serialize import who


def writable_staff(db: Session, client: Person) -> tuple[list[Person], str | None]:
    """The staff offered as recipients, and why some are not (an inactive client), if so."""
    staff = [p for p in directory.visible_people(db, client) if p.kind == "staff"]
    allowed = {p.id for p in staff}
    me = who(client)
    offered = [p for p in staff if rules.may_address(me, [who(p)], allowed).allowed]
    reason = rules.INACTIVE_REASON if me.is_inactive_client else None
    return offered, reason

"""Drafts: saved and deleted for their owner, checked for shape only, never for the send rules.

The JSON API and the client portal both save and delete drafts here.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.config import Settings
from server.db.models import Draft, Person
from server.db.types import utcnow
from server.errors import invalid, not_found
from server.feed.record import touch
from server.messaging import validate


def draft_id(raw: str) -> str:
    try:
        return str(uuid.UUID(raw))
    except ValueError as exc:
        raise invalid("validation_error", "A draft id must be a UUID.") from exc


def list_drafts(db: Session, user: Person) -> list[Draft]:
    """The user's drafts, the latest changed first."""
    return list(
        db.scalars(
            select(Draft).where(Draft.person_id == user.id).order_by(Draft.updated_at.desc())
        ).all()
    )


def own_draft(db: Session, user: Person, raw_id: str) -> Draft:
    draft = db.get(Draft, raw_id)
    if draft is None or draft.person_id != user.id:
        raise not_found("That draft")
    return draft


def save_draft(
    db: Session,
    settings: Settings,
    user: Person,
    raw_id: str,
    to: list[str],
    subject: str,
    body_html: str,
    attachment_ids: list[str],
    thread_id: str | None,
) -> Draft:
    """Create or replace the user's draft `raw_id` (the caller commits). Its body is held to
    the bounds of a body that could be sent; it keeps only files its author may send."""
    ident = draft_id(raw_id)
    validate.check_body_bounds(body_html, settings)
    for address in to:
        kind, _, rest = address.partition(":")
        if kind not in ("person", "group") or not rest:
            raise invalid("validation_error", f"“{address[:80]}” is not a recipient address.")
    draft = db.get(Draft, ident)
    if draft is not None and draft.person_id != user.id:
        raise not_found("That draft")
    if draft is None:
        draft = Draft(id=ident, person_id=user.id)
        db.add(draft)
    draft.to = list(to)
    draft.subject = subject
    draft.body_html = body_html
    # Only files the author may send: a draft cannot keep someone else's upload alive.
    draft.attachment_ids = list(validate.referable_blobs(db, user, attachment_ids))
    draft.thread_id = thread_id
    draft.updated_at = utcnow()
    touch(db, [user.id], "draft", draft.id)
    return draft


def delete_draft(db: Session, user: Person, raw_id: str) -> None:
    draft = own_draft(db, user, raw_id)
    db.delete(draft)
    touch(db, [user.id], "draft", draft.id, deleted=True)

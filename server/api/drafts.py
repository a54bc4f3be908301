"""Drafts: checked for shape only, never for the send rules."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Depends, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from server.api.schemas import DraftIn
from server.context import AppContext
from server.db.models import Draft, Person
from server.db.types import utcnow
from server.deps import current_user, get_ctx, get_db
from server.errors import invalid, not_found
from server.feed.record import touch
from server.messaging import validate
from server.messaging.validate import check_body_bounds
from server.serialize import draft_json

router = APIRouter()


def _draft_id(raw: str) -> str:
    try:
        return str(uuid.UUID(raw))
    except ValueError as exc:
        raise invalid("validation_error", "A draft id must be a UUID.") from exc


@router.get("/drafts")
def list_drafts(
    user: Person = Depends(current_user), db: Session = Depends(get_db)
) -> dict[str, Any]:
    drafts = db.scalars(
        select(Draft).where(Draft.person_id == user.id).order_by(Draft.updated_at.desc())
    ).all()
    return {"drafts": [draft_json(d) for d in drafts]}


@router.put("/drafts/{draft_id}")
def put_draft(
    draft_id: str,
    body: DraftIn,
    user: Person = Depends(current_user),
    db: Session = Depends(get_db),
    ctx: AppContext = Depends(get_ctx),
) -> dict[str, Any]:
    draft_id = _draft_id(draft_id)
    check_body_bounds(body.body_html, ctx.settings)  # a body that could never be sent
    if body.id is not None and body.id != draft_id:
        raise invalid("validation_error", "The draft id in the body differs from the address.")
    for address in body.to:
        kind, _, ident = address.partition(":")
        if kind not in ("person", "group") or not ident:
            raise invalid("validation_error", f"“{address[:80]}” is not a recipient address.")
    draft = db.get(Draft, draft_id)
    if draft is not None and draft.person_id != user.id:
        raise not_found("That draft")
    if draft is None:
        draft = Draft(id=draft_id, person_id=user.id)
        db.add(draft)
    draft.to = list(body.to)
    draft.subject = body.subject
    draft.body_html = body.body_html
    # Only files the author may send: a draft cannot keep someone else's upload alive.
    draft.attachment_ids = list(validate.referable_blobs(db, user, body.attachment_ids))
    draft.thread_id = body.thread_id
    draft.updated_at = utcnow()
    touch(db, [user.id], "draft", draft.id)
    db.commit()
    return draft_json(draft)


@router.delete("/drafts/{draft_id}", status_code=204)
def delete_draft(
    draft_id: str, user: Person = Depends(current_user), db: Session = Depends(get_db)
) -> Response:
    draft = db.get(Draft, draft_id)
    if draft is None or draft.person_id != user.id:
        raise not_found("That draft")
    db.delete(draft)
    touch(db, [user.id], "draft", draft_id, deleted=True)
    db.commit()
    return Response(status_code=204)

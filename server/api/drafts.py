"""Drafts: checked for shape only, never for the send rules (server.messaging.drafts)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Response
from sqlalchemy.orm import Session

from server.api.schemas import DraftIn
from server.context import AppContext
from server.db.models import Person
from server.deps import WORK, current_user, get_ctx, get_db
from server.errors import invalid
from server.messaging import drafts
from server.serialize import draft_json

router = APIRouter()


@router.get("/drafts")
def list_drafts(
    user: Person = Depends(current_user), db: Session = Depends(get_db)
) -> dict[str, Any]:
    return {"drafts": [draft_json(d) for d in drafts.list_drafts(db, user)]}


@router.put("/drafts/{draft_id}")
def put_draft(
    draft_id: str,
    body: DraftIn,
    user: Person = Depends(current_user),
    db: Session = WORK,
    ctx: AppContext = Depends(get_ctx),
) -> dict[str, Any]:
    if body.id is not None and body.id != drafts.draft_id(draft_id):
        raise invalid("validation_error", "The draft id in the body differs from the address.")
    draft = drafts.save_draft(
        db, ctx.settings, user, draft_id, body.to, body.subject, body.body_html,
        body.attachment_ids, body.thread_id,
    )
    return draft_json(draft)


@router.delete("/drafts/{draft_id}", status_code=204)
def delete_draft(
    draft_id: str, user: Person = Depends(current_user), db: Session = WORK
) -> Response:
    drafts.delete_draft(db, user, draft_id)
    return Response(status_code=204)

"""GET/PATCH /admin/practice: the practice's name, two-step sign-in rule and portal notice."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from sqlalchemy.orm import Session

from server import audit, rules
from server.api.admin_schemas import PracticePatchIn
from server.config import Settings
from server.context import AppContext
from server.db.models import Person, Practice
from server.deps import WORK, client_address, current_user, get_ctx, get_db
from server.errors import enforce, invalid
from server.serialize import who

router = APIRouter(prefix="/admin")
MAX_NOTICE = 300


def practice_json(practice: Practice, settings: Settings) -> dict[str, Any]:
    return {
        "id": practice.id,
        "name": practice.name,
        "slug": practice.slug,
        "portal_url": settings.portal_url(practice.slug),
        "require_mfa_for_staff": bool(practice.require_mfa_for_staff),
        "portal_notice": practice.portal_notice or "",
    }


def _practice(db: Session, user: Person) -> Practice:
    enforce(rules.may_manage_practice(who(user)))
    practice = db.get(Practice, user.practice_id)
    assert practice is not None
    return practice


@router.get("/practice")
def get_practice(
    user: Person = Depends(current_user),
    db: Session = Depends(get_db),
    ctx: AppContext = Depends(get_ctx),
) -> dict[str, Any]:
    return practice_json(_practice(db, user), ctx.settings)


@router.patch("/practice")
def patch_practice(
    body: PracticePatchIn,
    request: Request,
    user: Person = Depends(current_user),
    db: Session = WORK,
    ctx: AppContext = Depends(get_ctx),
) -> dict[str, Any]:
    practice = _practice(db, user)
    if body.name is not None:
        if not body.name.strip() or len(body.name.strip()) > 200:
            raise invalid("validation_error", "A practice's name has 1 to 200 characters.")
        practice.name = body.name.strip()
    if body.portal_notice is not None:
        if len(body.portal_notice.strip()) > MAX_NOTICE:
            raise invalid("validation_error",
                          f"The portal notice has at most {MAX_NOTICE} characters.")
        practice.portal_notice = body.portal_notice.strip()
    if body.require_mfa_for_staff is not None:
        practice.require_mfa_for_staff = body.require_mfa_for_staff
    audit.record(db, practice.id, user.id, "practice_update", "practice", practice.id,
                 client_address(request))
    return practice_json(practice, ctx.settings)

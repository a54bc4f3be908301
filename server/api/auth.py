"""Sign in, sign out, and the session (who am I, the practice, the limits)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response
from sqlalchemy.orm import Session

from server import rules
from server.accounts import mfa_gate
from server.api.schemas import MAX_BULK_IDS, LoginIn
from server.auth.sign_in import Credentials, sign_in
from server.auth.tokens import revoke_token
from server.context import AppContext
from server.db.models import Person, Practice
from server.db.types import rfc3339, utcnow
from server.deps import WORK, bearer_token, client_address, current_user, get_ctx, get_db
from server.filetypes import ALLOWED_EXTENSIONS
from server.serialize import person_json, who

router = APIRouter()


@router.post("/auth/login")
def login(
    body: LoginIn, request: Request, ctx: AppContext = Depends(get_ctx)
) -> dict[str, object]:
    credentials = Credentials(body.username, body.password, body.totp_code, body.device_token)
    done = sign_in(ctx, credentials, client_address(request))
    with ctx.read_sessions() as db:
        mfa_required = mfa_gate.setup_required(db, done.person)
    return {
        "token": done.token,
        "expires_at": rfc3339(done.expires_at),
        "user": person_json(done.person),
        "device_token": done.device_token,
        "mfa_required": mfa_required,
    }


@router.post("/auth/logout", status_code=204)
def logout(
    request: Request,
    db: Session = WORK,
    _user: Person = Depends(current_user),
) -> Response:
    revoke_token(db, bearer_token(request))
    return Response(status_code=204)


@router.get("/session")
def session_info(
    user: Person = Depends(current_user),
    db: Session = Depends(get_db),
    ctx: AppContext = Depends(get_ctx),
) -> dict[str, object]:
    practice = db.get(Practice, user.practice_id)
    assert practice is not None
    s = ctx.settings
    return {
        "user": person_json(user),
        "practice": {
            "id": practice.id, "name": practice.name, "portal_url": s.portal_url(practice.slug)
        },
        "limits": {
            "max_attachment_bytes": s.max_attachment_bytes,
            "min_body_chars": s.min_body_chars,
            "max_subject_chars": s.max_subject_chars,
            "max_pending_upload_bytes": s.max_pending_upload_bytes,
            "max_bulk_ids": MAX_BULK_IDS,
            "max_json_bytes": s.max_json_bytes,
            "max_body_html_bytes": s.max_body_html_bytes,
            "max_body_depth": s.max_body_depth,
            "max_body_elements": s.max_body_elements,
            "allowed_attachment_types": list(ALLOWED_EXTENSIONS),
        },
        "server_time": rfc3339(utcnow()),
        "capabilities": rules.capabilities(who(user)),
        "mfa_enabled": bool(user.totp_secret),
        "mfa_required": mfa_gate.setup_required(db, user),
    }

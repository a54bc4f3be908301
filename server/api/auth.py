"""Sign in, sign out, and the session (who am I, the practice, the limits)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from server import audit
from server.api.schemas import MAX_BULK_IDS, LoginIn
from server.auth import throttle
from server.auth.passwords import verify_password
from server.auth.tokens import issue_token, revoke_token
from server.auth.totp import verify_totp
from server.context import AppContext
from server.db.models import Person, Practice
from server.db.types import rfc3339, utcnow
from server.deps import bearer_token, client_address, current_user, get_ctx, get_db
from server.errors import ApiError
from server.filetypes import ALLOWED_EXTENSIONS
from server.serialize import person_json

router = APIRouter()

BAD_LOGIN = "The username or password is not right."


def locked_out(wait: int) -> ApiError:
    minutes = max(1, round(wait / 60))
    return ApiError(
        429,
        "too_many_attempts",
        f"Too many failed sign-ins. Try again in {minutes} minute(s).",
        {"Retry-After": str(wait)},
    )


@router.post("/auth/login")
def login(
    body: LoginIn,
    request: Request,
    db: Session = Depends(get_db),
    ctx: AppContext = Depends(get_ctx),
) -> dict[str, object]:
    username = body.username.strip().lower()
    address = client_address(request)
    wait = throttle.locked_for(db, ctx.settings, username, address)
    if wait:
        raise locked_out(wait)
    person = db.scalar(select(Person).where(Person.username == username))
    ok = verify_password(person.password_hash if person else None, body.password)
    if person is not None and ok and person.kind == "client" and not person.has_portal_account:
        ok = False
    if ok and person is not None and person.totp_secret:
        if not body.totp_code:
            raise ApiError(401, "totp_required", "Enter the 6-digit code from your authenticator.")
        ok = verify_totp(person, body.totp_code)
    if not ok or person is None:
        throttle.record_failure(db, username, address)
        practice_id = person.practice_id if person else ""
        audit.record(
            db,
            practice_id,
            person.id if person else None,
            "login_failed",
            "person",
            username,
            address,
        )
        db.commit()
        wait = throttle.locked_for(db, ctx.settings, username, address)
        if wait:
            raise locked_out(wait)
        raise ApiError(401, "invalid_credentials", BAD_LOGIN)
    throttle.reset_username(db, username)
    token, expires = issue_token(db, ctx.settings, person)
    audit.record(db, person.practice_id, person.id, "login", "person", person.id, address)
    db.commit()
    return {"token": token, "expires_at": rfc3339(expires), "user": person_json(person)}


@router.post("/auth/logout", status_code=204)
def logout(
    request: Request,
    db: Session = Depends(get_db),
    _user: Person = Depends(current_user),
) -> Response:
    revoke_token(db, bearer_token(request))
    db.commit()
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
        "practice": {"id": practice.id, "name": practice.name, "portal_url": practice.portal_url},
        "limits": {
            "max_attachment_bytes": s.max_attachment_bytes,
            "min_body_chars": s.min_body_chars,
            "max_subject_chars": s.max_subject_chars,
            "allowed_attachment_types": list(ALLOWED_EXTENSIONS),
            "max_bulk_ids": MAX_BULK_IDS,
        },
        "server_time": rfc3339(utcnow()),
    }

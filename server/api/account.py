"""The signed-in person's own account, and the links to set a password.

`POST /auth/password-reset`, `POST /auth/set-password`, `POST /account/password`,
`POST /account/totp`, `POST /account/totp/confirm`, `DELETE /account/totp`.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from sqlalchemy.orm import Session

from server import audit, unit_of_work
from server.accounts import second_factor
from server.accounts.links import redeem_link
from server.accounts.password_policy import password_problem
from server.accounts.reset import request_password_reset
from server.accounts.sessions import end_sessions
from server.api.admin_schemas import (
    ChangePasswordIn,
    PasswordResetIn,
    SetPasswordIn,
    TotpConfirmIn,
    TotpOffIn,
)
from server.auth.passwords import hash_password, verify_password
from server.context import AppContext
from server.db.models import Person
from server.deps import WORK, bearer_token, client_address, current_user, get_ctx, own_row
from server.errors import ApiError

router = APIRouter()

WRONG_PASSWORD = "That is not your current password."


@router.post("/auth/password-reset", status_code=202)
def password_reset(
    body: PasswordResetIn,
    request: Request,
    db: Session = WORK,
    ctx: AppContext = Depends(get_ctx),
) -> Response:
    request_password_reset(db, ctx.settings, body.username, client_address(request))
    unit_of_work.after_commit(db, ctx.kick_email)
    return Response(status_code=202)


@router.post("/auth/set-password", status_code=204)
def set_password(
    body: SetPasswordIn,
    db: Session = WORK,
    ctx: AppContext = Depends(get_ctx),
) -> Response:
    redeem_link(db, ctx.settings, body.token, body.new_password)
    return Response(status_code=204)


def _password_matches(db: Session, user: Person, password: str) -> bool:
    stored = user.password_hash
    db.rollback()  # no transaction (nor SQLite write lock) held while argon2 runs
    return verify_password(stored, password)


@router.post("/account/password", status_code=204)
def change_password(
    body: ChangePasswordIn,
    request: Request,
    user: Person = Depends(current_user),
    db: Session = WORK,
) -> Response:
    if not _password_matches(db, user, body.current_password):
        raise ApiError(422, "invalid_credentials", WRONG_PASSWORD)
    weak = password_problem(body.new_password, user.username)
    if weak:
        raise ApiError(422, "weak_password", weak)
    new_hash = hash_password(body.new_password)
    person = db.get(Person, user.id)
    assert person is not None
    person.password_hash = new_hash
    end_sessions(db, person, keep_token=bearer_token(request))
    audit.record(db, person.practice_id, person.id, "password_set", "person", person.id,
                 client_address(request))
    return Response(status_code=204)


@router.post("/account/totp")
def start_totp(user: Person = Depends(current_user), db: Session = WORK) -> Any:
    return second_factor.start_enrolment(db, own_row(db, user))


@router.post("/account/totp/confirm")
def confirm_totp(
    body: TotpConfirmIn,
    request: Request,
    user: Person = Depends(current_user),
    db: Session = WORK,
) -> dict[str, Any]:
    user = own_row(db, user)
    if not user.totp_pending_secret:
        raise ApiError(422, "validation_error",
                       "Start setting up two-step sign-in first (POST /account/totp).")
    codes = second_factor.confirm_enrolment(db, user, body.code)
    if codes is None:
        raise ApiError(422, "validation_error",
                       "That code is not right: enter the current 6-digit code from the app.")
    audit.record(db, user.practice_id, user.id, "mfa_enable", "person", user.id,
                 client_address(request))
    return {"recovery_codes": codes}


@router.delete("/account/totp", status_code=204)
def remove_totp(
    body: TotpOffIn,
    request: Request,
    user: Person = Depends(current_user),
    db: Session = WORK,
) -> Response:
    if not _password_matches(db, user, body.password):
        raise ApiError(422, "invalid_credentials", WRONG_PASSWORD)
    person = db.get(Person, user.id)
    assert person is not None
    second_factor.remove_second_factor(db, person)
    audit.record(db, person.practice_id, person.id, "mfa_disable", "person", person.id,
                 client_address(request))
    return Response(status_code=204)

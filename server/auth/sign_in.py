"""Signing in with a username and password (and a second factor): the one implementation, used
by `POST /auth/login` and by the client portal's sign-in page, so both share the throttle's
counters and the audit trail."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from server import audit
from server.accounts import sign_in_checks
from server.accounts.second_factor import second_factor_ok
from server.auth import throttle
from server.auth.passwords import verify_password
from server.auth.tokens import issue_token
from server.config import Settings
from server.db.models import Person
from server.errors import ApiError

BAD_LOGIN = "The username or password is not right."


@dataclass
class SignedIn:
    person: Person
    token: str
    expires_at: datetime


def locked_out(wait: int) -> ApiError:
    minutes = max(1, round(wait / 60))
    return ApiError(
        429,
        "too_many_attempts",
        f"Too many failed sign-ins. Try again in {minutes} minute(s).",
        {"Retry-After": str(wait)},
    )


def sign_in(
    db: Session,
    settings: Settings,
    username_raw: str,
    password: str,
    totp_code: str | None,
    address: str,
) -> SignedIn:
    """Check the credentials and issue a token, or raise the ApiError a person should see.

    Commits: a failure is recorded (and audited) even though the caller answers with an error.
    """
    username = username_raw.strip().lower()
    wait = throttle.locked_for(db, settings, username, address)
    if wait:
        raise locked_out(wait)
    person = db.scalar(select(Person).where(Person.username == username))
    ok = verify_password(person.password_hash if person else None, password)
    if person is not None and ok and not sign_in_checks.may_sign_in(person):
        ok = False
    if ok and person is not None and person.totp_secret:
        if not totp_code:
            raise ApiError(401, "totp_required", "Enter the 6-digit code from your authenticator.")
        ok = second_factor_ok(db, person, totp_code)
    if not ok or person is None:
        throttle.record_failure(db, username, address)
        if person is None:
            sign_in_checks.failed_for_nobody(username, address)
        else:
            audit.record(
                db, person.practice_id, person.id, "login_failed", "person", username, address
            )
        db.commit()
        wait = throttle.locked_for(db, settings, username, address)
        if wait:
            raise locked_out(wait)
        raise ApiError(401, "invalid_credentials", BAD_LOGIN)
    throttle.reset_username(db, username)
    sign_in_checks.signed_in(person)
    token, expires = issue_token(db, settings, person)
    audit.record(db, person.practice_id, person.id, "login", "person", person.id, address)
    db.commit()
    return SignedIn(person=person, token=token, expires_at=expires)

"""Signing in with a username and password (and a second factor): the one implementation, used
by `POST /auth/login` and by the client portal's sign-in page, so both share the throttle's
counters and the audit trail."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from server import audit
from server.auth import throttle
from server.auth.passwords import verify_password
from server.auth.tokens import issue_token
from server.auth.totp import verify_totp
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
    read: Session | None = None,
) -> SignedIn:
    """Check the credentials and issue a token, or raise the ApiError a person should see.

    The look-ups run in `read` (or `db`), whose transaction then ends: the password check
    (argon2, slow on purpose) holds no connection and no lock, and `db` opens its transaction
    only to record the outcome. Commits: a failure is recorded (and audited) even though the
    caller answers with an error.
    """
    username = username_raw.strip().lower()
    lookup = read if read is not None else db
    wait = throttle.locked_for(lookup, settings, username, address)
    person = lookup.scalar(select(Person).where(Person.username == username))
    if person is not None:
        lookup.expunge(person)
    lookup.rollback()
    if wait:
        raise locked_out(wait)
    ok = verify_password(person.password_hash if person else None, password)
    if person is not None and ok and person.kind == "client" and not person.has_portal_account:
        ok = False
    if ok and person is not None and person.totp_secret:
        if not totp_code:
            raise ApiError(401, "totp_required", "Enter the 6-digit code from your authenticator.")
        # A code works once: check and spend it on the row as it is now, in the transaction.
        current = db.get(Person, person.id, with_for_update=True)
        person = current if current is not None else person
        ok = current is not None and verify_totp(current, totp_code)
    if not ok or person is None:
        throttle.record_failure(db, username, address)
        practice_id = person.practice_id if person else ""
        audit.record(
            db, practice_id, person.id if person else None, "login_failed", "person", username,
            address,
        )
        db.commit()
        wait = throttle.locked_for(db, settings, username, address)
        if wait:
            raise locked_out(wait)
        raise ApiError(401, "invalid_credentials", BAD_LOGIN)
    throttle.reset_username(db, username)
    token, expires = issue_token(db, settings, person)
    audit.record(db, person.practice_id, person.id, "login", "person", person.id, address)
    db.commit()
    return SignedIn(person=person, token=token, expires_at=expires)

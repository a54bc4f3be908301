"""Signing in with a username and password, as a service any front end calls (the API's
`POST /auth/login`, a sign-in page): the throttle, the password and second-factor checks,
the audit entries, the bearer token and the device token.

The password hash is checked outside any transaction, so a slow argon2 check holds neither
the SQLite write lock nor a pooled connection.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from server import audit
from server.accounts import sign_in_checks
from server.accounts.second_factor import second_factor_ok
from server.auth import devices, throttle
from server.auth.passwords import verify_password
from server.auth.tokens import issue_token
from server.config import Settings
from server.context import AppContext
from server.db.models import Person
from server.errors import ApiError

BAD_LOGIN = "The username or password is not right."


@dataclass(frozen=True)
class Credentials:
    username: str
    password: str
    totp_code: str | None = None
    device_token: str | None = None


@dataclass
class SignedIn:
    person: Person
    token: str
    expires_at: datetime
    device_token: str


def locked_out(wait: int) -> ApiError:
    minutes = max(1, round(wait / 60))
    return ApiError(
        429,
        "too_many_attempts",
        f"Too many failed sign-ins. Try again in {minutes} minute(s).",
        {"Retry-After": str(wait)},
    )


def normalize_username(raw: str) -> str:
    return raw.strip().lower()


def sign_in(
    ctx: AppContext,
    credentials: Credentials,
    address: str,
    issue: Callable[[Session, Settings, Person], tuple[str, datetime]] = issue_token,
) -> SignedIn:
    """Sign in, or raise 429 `too_many_attempts`, 401 `invalid_credentials` or
    `totp_required`. Every refusal but 429 counts as a failure of its pair.

    `issue` makes the credential: an API token, or the portal's browser session."""
    username = normalize_username(credentials.username)
    with ctx.read_sessions() as db:
        device_id = devices.device_for(db, username, credentials.device_token)
        attempt = throttle.Attempt(username, address, device_id)
        wait = throttle.wait_seconds(db, ctx.settings, attempt)
        if wait:
            raise locked_out(wait)
        stored = db.scalar(select(Person.password_hash).where(Person.username == username))
    password_ok = verify_password(stored, credentials.password)
    with ctx.sessions() as db:
        person = db.scalars(
            select(Person).where(Person.username == username).with_for_update()
        ).first()
        ok = password_ok and person is not None and person.password_hash == stored
        if ok and person is not None:
            ok = sign_in_checks.may_sign_in(person)
        if ok and person is not None and person.totp_secret:
            if not credentials.totp_code:
                db.rollback()
                raise ApiError(
                    401, "totp_required", "Enter the 6-digit code from your authenticator."
                )
            ok = second_factor_ok(db, person, credentials.totp_code)
        if not ok or person is None:
            wait = throttle.record_failure(db, ctx.settings, attempt)
            if person is None:
                sign_in_checks.failed_for_nobody(username, address)
            else:
                audit.record(db, person.practice_id, person.id, "login_failed", "person",
                             attempt.key, address)
            db.commit()
            if wait:
                raise locked_out(wait)
            raise ApiError(401, "invalid_credentials", BAD_LOGIN)
        throttle.record_success(db, attempt)
        sign_in_checks.signed_in(person)
        token, expires = issue(db, ctx.settings, person)
        device_token = devices.remember(
            db, person, credentials.device_token, ctx.settings.login_devices_per_person
        )
        audit.record(db, person.practice_id, person.id, "login", "person", person.id, address)
        db.commit()
        return SignedIn(person, token, expires, device_token)

"""Portal sessions: a random token in a cookie, stored hashed, 15 minutes idle, 12 hours at most.

The cookie is `__Host-portal` (Secure) when the page was served over TLS, and plain `portal`
on loopback HTTP only.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from fastapi import Request, Response
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from server.accounts.sign_in_checks import may_sign_in
from server.auth.tokens import token_hash
from server.config import Settings
from server.db.models import Person
from server.db.portal_models import PortalSession
from server.db.types import utcnow

TOUCH_EVERY = timedelta(seconds=30)


@dataclass
class Live:
    """A signed-in browser: who, and the CSRF token its forms carry."""

    person: Person
    csrf_token: str
    token: str


def over_tls(request: Request) -> bool:
    return request.url.scheme == "https"


LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1", "[::1]")


def may_sign_in_here(request: Request) -> bool:
    """Sessions travel only over TLS, or over plain HTTP to this same computer."""
    return over_tls(request) or (request.url.hostname or "") in LOOPBACK_HOSTS


def cookie_name(request: Request, base: str = "portal") -> str:
    return f"__Host-{base}" if over_tls(request) else base


def set_cookie(request: Request, response: Response, value: str, base: str = "portal") -> None:
    response.set_cookie(
        cookie_name(request, base), value, path="/", httponly=True, samesite="strict",
        secure=over_tls(request),
    )


DEVICE_COOKIE = "portal-device"
DEVICE_COOKIE_SECONDS = 400 * 24 * 3600  # browsers keep a cookie at most about 400 days


def device_token(request: Request) -> str | None:
    """The device token this browser was given at its last sign-in (sign-in throttling holds
    a known device only by its own count), if it sent one."""
    return request.cookies.get(cookie_name(request, DEVICE_COOKIE)) or None


def set_device_cookie(request: Request, response: Response, token: str) -> None:
    response.set_cookie(
        cookie_name(request, DEVICE_COOKIE), token, path="/", httponly=True, samesite="strict",
        secure=over_tls(request), max_age=DEVICE_COOKIE_SECONDS,
    )


def clear_cookie(request: Request, response: Response) -> None:
    response.delete_cookie(
        cookie_name(request), path="/", httponly=True, samesite="strict", secure=over_tls(request)
    )


def issue_session(db: Session, settings: Settings, person: Person) -> tuple[str, datetime]:
    """Make a session for `person` (the `issue` of `sign_in`); the caller commits."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    expires = now + timedelta(seconds=settings.portal_max_seconds)
    db.add(
        PortalSession(
            token_hash=token_hash(token),
            person_id=person.id,
            csrf_token=secrets.token_urlsafe(32),
            created_at=now,
            last_used_at=now,
            expires_at=expires,
        )
    )
    return token, expires


def resolve(
    db: Session, settings: Settings, request: Request, writer: Callable[[], Session]
) -> Live | None:
    """The live session of this request's cookie; its idle timer restarts (every 30 s at most),
    written in a short session of `writer`'s so that `db` may be one that only reads."""
    token = request.cookies.get(cookie_name(request))
    if not token:
        return None
    row = db.execute(
        select(PortalSession, Person)
        .join(Person, Person.id == PortalSession.person_id)
        .where(PortalSession.token_hash == token_hash(token))
    ).first()
    if row is None:
        return None
    session, person = row
    now = utcnow()
    idle_until = session.last_used_at + timedelta(seconds=settings.portal_idle_seconds)
    if session.revoked_at is not None or now >= session.expires_at or now >= idle_until:
        return None
    if not may_sign_in(person):  # disabled, or portal access withdrawn, since signing in
        return None
    if now - session.last_used_at > TOUCH_EVERY:
        with writer() as write:
            write.execute(
                update(PortalSession).where(PortalSession.id == session.id)
                .values(last_used_at=now)
            )
            write.commit()
    return Live(person=person, csrf_token=session.csrf_token, token=token)


def revoke(db: Session, token: str) -> None:
    db.execute(
        update(PortalSession)
        .where(PortalSession.token_hash == token_hash(token), PortalSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    db.commit()

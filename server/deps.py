"""FastAPI dependencies: the app context, a database session, the signed-in person."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from server.accounts import mfa_gate
from server.auth.tokens import resolve_token
from server.context import AppContext
from server.db.models import Person
from server.errors import ApiError
from server.storable_text import UNSTORABLE, is_storable


def get_ctx(request: Request) -> AppContext:
    ctx: AppContext = request.app.state.ctx
    return ctx


async def refuse_unstorable_text(request: Request) -> None:
    """Path and query values end up in SQL: refuse what no database column can hold."""
    values = [*request.path_params.values(), *request.query_params.values()]
    if any(isinstance(value, str) and not is_storable(value) for value in values):
        raise ApiError(422, "validation_error", f"The address {UNSTORABLE}.")


def get_db(ctx: AppContext = Depends(get_ctx)) -> Iterator[Session]:
    with ctx.sessions() as db:
        yield db


def bearer_token(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(
            401,
            "unauthenticated",
            "Sign in first: this request has no bearer token.",
            {"WWW-Authenticate": "Bearer"},
        )
    return token.strip()


def authenticate(db: Session, ctx: AppContext, token: str) -> Person:
    person = resolve_token(db, ctx.settings, token)
    if person is None:
        raise ApiError(
            401,
            "unauthenticated",
            "Your sign-in has expired or was revoked. Sign in again.",
            {"WWW-Authenticate": "Bearer"},
        )
    return person


def current_user(
    request: Request,
    db: Session = Depends(get_db),
    ctx: AppContext = Depends(get_ctx),
) -> Person:
    person = authenticate(db, ctx, bearer_token(request))
    mfa_gate.check(db, person, request.url.path)
    return person


UNKNOWN_ADDRESS = "unknown"


def client_address(request: Request) -> str:
    """The peer's IP address, normalised; "unknown" for anything that is not one.

    Behind a trusted proxy this is what the proxy forwarded, so it is checked before it
    reaches the audit log or the throttle: never longer than an IPv6 address.
    """
    host = request.client.host if request.client else ""
    try:
        address = ipaddress.ip_address(host.strip().partition("%")[0])  # no IPv6 zone
    except ValueError:
        return UNKNOWN_ADDRESS
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return str(address)


def authenticate_request(ctx: AppContext, request: Request) -> Person:
    """For async endpoints: authenticate in a short session that holds nothing afterwards."""
    token = bearer_token(request)
    with ctx.sessions() as db:
        person = authenticate(db, ctx, token)
        mfa_gate.check(db, person, request.url.path)
        db.expunge(person)
        return person

"""FastAPI dependencies: the app context, a database session, the signed-in person."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from server import unit_of_work
from server.accounts import mfa_gate
from server.auth.tokens import resolve_token
from server.context import AppContext
from server.db.models import Person, Practice
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


def get_db(request: Request, ctx: AppContext = Depends(get_ctx)) -> Iterator[Session]:
    """A session for the endpoint: GET reads without the SQLite write lock, others may write.

    Its connection is taken at the first query, so work done before that holds none.
    """
    factory = ctx.read_sessions if request.method in ("GET", "HEAD") else ctx.sessions
    with factory() as db:
        yield db


def get_work(ctx: AppContext = Depends(get_ctx)) -> Iterator[Session]:
    """The session of a writing request: committed once when its endpoint returns, and only
    then (server.unit_of_work). Taken as `WORK`, which makes the commit come before the
    answer is sent."""
    with ctx.sessions() as db:
        yield db
        unit_of_work.commit(db)


WORK = Depends(get_work, scope="function")


def get_write_db(ctx: AppContext = Depends(get_ctx)) -> Iterator[Session]:
    """A session that writes, for the few reads that record something (a thread opened)."""
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


def authenticate(db: Session, ctx: AppContext, token: str) -> tuple[Person, Practice]:
    found = resolve_token(db, ctx.settings, token, ctx.token_touches)
    if found is None:
        raise ApiError(
            401,
            "unauthenticated",
            "Your sign-in has expired or was revoked. Sign in again.",
            {"WWW-Authenticate": "Bearer"},
        )
    return found


def current_user(request: Request, ctx: AppContext = Depends(get_ctx)) -> Person:
    """The signed-in person, looked up in a short read of its own (no write lock, no
    connection held afterwards)."""
    return authenticate_request(ctx, request)


def own_row(db: Session, user: Person) -> Person:
    """The signed-in person as a row of `db`, for an endpoint that changes them: `current_user`
    is read in a session of its own, so changes made to it would not be saved."""
    person = db.get(Person, user.id)
    if person is None:
        raise ApiError(401, "unauthenticated", "Your sign-in has ended. Sign in again.",
                       {"WWW-Authenticate": "Bearer"})
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
    with ctx.lookups() as db:
        person, practice = authenticate(db, ctx, token)
        mfa_gate.check(db, person, request.url.path, practice)
        db.expunge(person)
        return person

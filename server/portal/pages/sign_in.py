"""Sign in (with the second factor when the person has one) and sign out."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from server.auth.sign_in import Credentials, sign_in
from server.context import AppContext
from server.db.models import Practice
from server.deps import client_address, get_ctx, get_db
from server.errors import ApiError
from server.portal import guard, sessions
from server.portal.pages.common import Errors, anon_page, portal_root, practice_of

router = APIRouter()


def _page(request: Request, practice: Practice, status: int = 200, **values: Any) -> Response:
    return anon_page(request, practice, "sign_in.html", status, title="Sign in", **values)


@router.get("/{slug}")
def no_slash(request: Request, practice: Practice = Depends(practice_of)) -> Response:
    return RedirectResponse(portal_root(request, practice), status_code=308)


@router.get("/{slug}/")
def sign_in_page(
    request: Request,
    expired: str | None = None,
    signed_out: str | None = None,
    practice: Practice = Depends(practice_of),
    db: Session = Depends(get_db),
    ctx: AppContext = Depends(get_ctx),
) -> Response:
    if sessions.resolve(db, ctx.settings, request, ctx.sessions) is not None:
        return RedirectResponse(portal_root(request, practice) + "messages", status_code=303)
    return _page(request, practice, username="", expired=bool(expired),
                 signed_out=bool(signed_out))


@router.post("/{slug}/")
def sign_in_post(
    request: Request,
    username: str = Form("", max_length=100),
    password: str = Form("", max_length=1000),
    totp_code: str = Form("", max_length=12),
    csrf_token: str = Form(""),
    practice: Practice = Depends(practice_of),
    db: Session = Depends(get_db),
    ctx: AppContext = Depends(get_ctx),
) -> Response:
    guard.check(request, ctx.settings.public_url, csrf_token, guard.anon_expected(request))
    errors = Errors()
    if not sessions.may_sign_in_here(request):
        errors.add("username", "This portal can be used only over a secure (https://) "
                               "connection. Open it from the link in your email.")
        return _page(request, practice, 403, errors=errors.items, username=username)
    if not username.strip():
        errors.add("username", "Enter your username.")
    if not password:
        errors.add("password", "Enter your password.")
    if errors:
        return _page(request, practice, 422, errors=errors.items, username=username)
    try:
        credentials = Credentials(username, password, totp_code.strip() or None,
                                  sessions.device_token(request))
        done = sign_in(ctx, credentials, client_address(request), issue=sessions.issue_session)
    except ApiError as exc:
        if exc.code == "totp_required" or (totp_code and exc.code == "invalid_credentials"):
            if exc.code != "totp_required":
                errors.add("totp_code", "That code is not right. Enter the code your "
                                        "authenticator shows now.")
            return _page(request, practice, 401 if errors else 200, errors=errors.items,
                         username=username, password=password, needs_code=True)
        errors.add("password", exc.detail)
        response = _page(request, practice, exc.status, errors=errors.items, username=username)
        if "Retry-After" in exc.headers:
            response.headers["Retry-After"] = exc.headers["Retry-After"]
        return response
    home = db.get(Practice, done.person.practice_id)
    assert home is not None
    response = RedirectResponse(portal_root(request, home) + "messages", status_code=303)
    sessions.set_cookie(request, response, done.token)
    sessions.set_device_cookie(request, response, done.device_token)
    return response


@router.post("/{slug}/sign-out")
def sign_out(
    request: Request,
    csrf_token: str = Form(""),
    practice: Practice = Depends(practice_of),
    db: Session = Depends(get_db),
    ctx: AppContext = Depends(get_ctx),
) -> Response:
    live = sessions.resolve(db, ctx.settings, request, ctx.sessions)
    response = RedirectResponse(portal_root(request, practice) + "?signed_out=1", status_code=303)
    if live is None:
        sessions.clear_cookie(request, response)
        return response
    guard.check(request, ctx.settings.public_url, csrf_token, live.csrf_token)
    sessions.revoke(db, live.token)
    sessions.clear_cookie(request, response)
    return response

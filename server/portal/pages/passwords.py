"""Forgot password, and setting a password from an invite or reset link (for clients and
staff alike): the same service functions as `POST /auth/password-reset` and
`POST /auth/set-password`."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from server import unit_of_work
from server.accounts.links import link_problem, redeem_link
from server.accounts.password_policy import MIN_LENGTH
from server.accounts.reset import request_password_reset
from server.context import AppContext
from server.db.models import Practice
from server.deps import client_address, get_ctx, get_db
from server.errors import ApiError
from server.portal import guard
from server.portal.pages.common import Errors, anon_page, practice_of

router = APIRouter()

@router.get("/{slug}/forgot")
def forgot_page(request: Request, practice: Practice = Depends(practice_of)) -> Response:
    return anon_page(request, practice, "forgot.html", title="Forgot your password?", username="")


@router.post("/{slug}/forgot")
def forgot_post(
    request: Request,
    username: str = Form("", max_length=100),
    csrf_token: str = Form(""),
    practice: Practice = Depends(practice_of),
    db: Session = Depends(get_db),
    ctx: AppContext = Depends(get_ctx),
) -> Response:
    guard.check(request, ctx.settings.public_url, csrf_token, guard.anon_expected(request))
    errors = Errors()
    if not username.strip():
        errors.add("username", "Enter your username.")
        return anon_page(request, practice, "forgot.html", 422, title="Forgot your password?",
                     username=username, errors=errors.items)
    try:
        request_password_reset(db, ctx.settings, username, client_address(request))
    except ApiError as exc:
        errors.add("username", exc.detail)
        response = anon_page(request, practice, "forgot.html", exc.status,
                         title="Forgot your password?", username=username,
                         errors=errors.items)
        response.headers.update(exc.headers)
        return response
    unit_of_work.commit(db)
    ctx.kick_email()
    return anon_page(request, practice, "forgot_sent.html", title="Check your email")


def _purpose(kind: str) -> str:
    return "invite" if kind == "welcome" else "reset"


def _link_gone(request: Request, practice: Practice, detail: str) -> Response:
    return anon_page(request, practice, "link_gone.html", 410, title="This link no longer works",
                 detail=detail)


def _show_form(request: Request, practice: Practice, db: Session, ctx: AppContext, kind: str,
               token: str) -> Response:
    problem = link_problem(db, token, ctx.settings)
    if problem is not None:
        return _link_gone(request, practice, problem)
    return anon_page(request, practice, "set_password.html", title="Set your password",
                 purpose=_purpose(kind), action=f"{kind}/{token}", min_length=MIN_LENGTH)


def _set_password(request: Request, practice: Practice, db: Session, ctx: AppContext, kind: str,
                  token: str, new_password: str, confirm_password: str,
                  csrf_token: str) -> Response:
    guard.check(request, ctx.settings.public_url, csrf_token, guard.anon_expected(request))
    errors = Errors()
    if not new_password:
        errors.add("new_password", "Enter a new password.")
    elif new_password != confirm_password:
        errors.add("confirm_password",
                   "The two passwords are not the same: type the new password again.")
    if not errors:
        try:
            redeem_link(db, ctx.settings, token, new_password)
        except ApiError as exc:
            if exc.status == 410:
                return _link_gone(request, practice, exc.detail)
            errors.add("new_password", exc.detail)
        else:
            unit_of_work.commit(db)
            return anon_page(request, practice, "password_set.html", title="Your password is set")
    return anon_page(request, practice, "set_password.html", 422, title="Set your password",
                 purpose=_purpose(kind), action=f"{kind}/{token}", min_length=MIN_LENGTH,
                 errors=errors.items)


def _add_link_pages(kind: str) -> None:
    """GET and POST of `welcome/{token}` (invites) or `reset/{token}`."""

    def page(
        request: Request, token: str, practice: Practice = Depends(practice_of),
        db: Session = Depends(get_db), ctx: AppContext = Depends(get_ctx),
    ) -> Response:
        return _show_form(request, practice, db, ctx, kind, token)

    def post(
        request: Request, token: str, new_password: str = Form("", max_length=1000),
        confirm_password: str = Form("", max_length=1000), csrf_token: str = Form(""),
        practice: Practice = Depends(practice_of), db: Session = Depends(get_db),
        ctx: AppContext = Depends(get_ctx),
    ) -> Response:
        return _set_password(request, practice, db, ctx, kind, token, new_password,
                             confirm_password, csrf_token)

    path = f"/{{slug}}/{kind}/{{token}}"
    router.add_api_route(path, page, methods=["GET"], name=f"{kind}_page")
    router.add_api_route(path, post, methods=["POST"], name=f"{kind}_post")


for _kind in ("welcome", "reset"):
    _add_link_pages(_kind)

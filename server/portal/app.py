"""The portal as an application mounted at /portal: its pages, static files, headers and
error pages (HTML, never problem+json)."""

from __future__ import annotations

import logging

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from server.busy import RETRY_AFTER_SECONDS, busy_detail
from server.context import AppContext
from server.db.models import Practice
from server.deps import refuse_unstorable_text
from server.errors import ApiError
from server.portal import sessions
from server.portal.headers import SecurityHeaders
from server.portal.pages import attachments, compose, messages, passwords, sign_in, thread
from server.portal.pages.common import Redirect, StaffMember
from server.portal.render import STATIC_DIR, render
from server.transport.body_limit import BodyLimit, is_portal_upload

log = logging.getLogger(__name__)

HEADINGS = {
    403: "This was refused",
    404: "Page not found",
    405: "Page not found",
    410: "This link has expired",
    413: "That was too large",
    422: "That could not be used",
    429: "Too many attempts",
    503: "Please try again in a moment",
}


def _frame_of(request: Request) -> tuple[Practice | None, sessions.Live | None]:
    """The practice of the address, and who is signed in (for the page's header)."""
    slug = request.path_params.get("slug") or request.url.path.removeprefix(
        request.scope.get("root_path", "")).strip("/").split("/")[0]
    if not slug:
        return None, None
    ctx: AppContext = request.app.state.ctx
    with ctx.read_sessions() as db:
        practice = db.scalar(select(Practice).where(Practice.slug == slug))
        live = None
        if practice is not None:
            live = sessions.resolve(db, ctx.settings, request, ctx.sessions)
        db.expunge_all()
        return practice, live


def _error_page(request: Request, status: int, detail: str) -> Response:
    practice, live = _frame_of(request)
    return render(request, "error.html", practice, live, status=status,
                  title=HEADINGS.get(status, "Something went wrong"),
                  heading=HEADINGS.get(status, "Something went wrong"), detail=detail)


# Files one form without scripts may carry (with scripts each file is sent on its own).
FILES_PER_FORM = 10


def create_portal(ctx: AppContext) -> FastAPI:
    portal = FastAPI(openapi_url=None, docs_url=None, redoc_url=None,
                     dependencies=[Depends(refuse_unstorable_text)])
    portal.state.ctx = ctx
    portal.add_middleware(SecurityHeaders)
    # A form may carry several files (pages work without scripts); the script's uploads are
    # one raw file a request, streamed under the attachment limit.
    portal.add_middleware(
        BodyLimit, exempt=is_portal_upload, what="form data",
        max_bytes=FILES_PER_FORM * ctx.settings.max_attachment_bytes + ctx.settings.max_json_bytes,
    )
    portal.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    for module in (sign_in, passwords, compose, messages, thread, attachments):
        portal.include_router(module.router)

    @portal.exception_handler(Redirect)
    async def _redirect(_request: Request, exc: Redirect) -> Response:
        return RedirectResponse(exc.location, status_code=303)

    @portal.exception_handler(StaffMember)
    async def _staff(request: Request, exc: StaffMember) -> Response:
        return render(request, "staff.html", exc.practice, exc.live, status=403,
                      title="Use the Practice Inbox app")

    @portal.exception_handler(ApiError)
    async def _refused(request: Request, exc: ApiError) -> Response:
        response = _error_page(request, exc.status, exc.detail)
        response.headers.update(exc.headers)
        return response

    @portal.exception_handler(RequestValidationError)
    async def _invalid(request: Request, _exc: RequestValidationError) -> Response:
        return _error_page(request, 422, "Something in that request could not be used. Go "
                                         "back and try again.")

    @portal.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code in (404, 405):
            return _error_page(request, 404, "There is nothing at this address. Check it, or "
                                             "go to your messages.")
        return _error_page(request, exc.status_code, "The request could not be used.")

    @portal.exception_handler(PoolTimeout)
    @portal.exception_handler(DBAPIError)
    async def _database(request: Request, exc: Exception) -> Response:
        detail = busy_detail(exc)
        if detail is None:
            return await _unexpected(request, exc)
        log.warning("database busy or its connection lost: answered 503")
        # Drawn without the practice's header: reading it would wait on the database again.
        response = render(request, "error.html", None, None, status=503,
                          title=HEADINGS[503], heading=HEADINGS[503], detail=detail)
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response

    @portal.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unhandled portal error", exc_info=exc)
        return _error_page(request, 500, "The server failed; nothing was changed. Try again "
                                         "in a moment.")

    return portal

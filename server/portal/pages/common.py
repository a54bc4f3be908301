"""What every portal page needs: its practice, the signed-in client, errors for the form."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fastapi import Depends, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from server.blobs import too_large, type_refused
from server.context import AppContext
from server.db.models import Person, Practice
from server.deps import get_ctx, get_db
from server.errors import ApiError, not_found
from server.filetypes import ALLOWED_EXTENSIONS
from server.portal import guard, sessions
from server.portal.render import render


class Redirect(Exception):  # noqa: N818 - control flow, rendered as 303 See Other
    def __init__(self, location: str) -> None:
        super().__init__(location)
        self.location = location


class StaffMember(Exception):  # noqa: N818 - rendered as the "use the app" page
    def __init__(self, practice: Practice, live: sessions.Live) -> None:
        super().__init__("staff")
        self.practice = practice
        self.live = live


def practice_of(slug: str, ctx: AppContext = Depends(get_ctx)) -> Practice:
    """The portal's practice, read in a session of its own: a POST's session then takes the
    SQLite write lock only when it writes, not for this look-up."""
    with ctx.read_sessions() as db:
        practice = db.scalar(select(Practice).where(Practice.slug == slug))
        if practice is None:
            raise not_found("That portal")
        db.expunge(practice)
        return practice


def portal_root(request: Request, practice: Practice) -> str:
    return f"{request.scope.get('root_path', '')}/{practice.slug}/"


@dataclass
class Client:
    """The signed-in client on their own practice's portal."""

    practice: Practice
    live: sessions.Live
    db: Session
    ctx: AppContext

    @property
    def person(self) -> Person:
        return self.live.person


def signed_in(
    request: Request,
    practice: Practice = Depends(practice_of),
    db: Session = Depends(get_db),
    ctx: AppContext = Depends(get_ctx),
) -> Client:
    """The client of this request, or a redirect to sign in (or to their own practice)."""
    live = sessions.resolve(db, ctx.settings, request, ctx.sessions)
    if live is None:
        raise Redirect(portal_root(request, practice) + "?expired=1"
                       if request.cookies.get(sessions.cookie_name(request)) else
                       portal_root(request, practice))
    if live.person.practice_id != practice.id:
        own = db.get(Practice, live.person.practice_id)
        assert own is not None
        raise Redirect(portal_root(request, own) + "messages")
    if live.person.kind != "client":
        raise StaffMember(practice, live)
    # End the lookup's transaction: on SQLite it holds the write lock, and an upload must not
    # keep it while the file streams in.
    db.commit()
    return Client(practice=practice, live=live, db=db, ctx=ctx)


async def check_post(request: Request, client: Client = Depends(signed_in)) -> Client:
    """Signed-in POSTs: same origin and the session's token, before anything is changed."""
    form = await request.form()
    sent = form.get(guard.FIELD) or request.headers.get(guard.HEADER)
    guard.check(request, client.ctx.settings.public_url,
                sent if isinstance(sent, str) else None, client.live.csrf_token)
    return client


@dataclass
class Errors:
    """Refusals to show beside their fields and in the summary, in the order of the form."""

    items: list[dict[str, str]] = field(default_factory=list)

    def add(self, field_id: str, message: str) -> None:
        self.items.append({"field": field_id, "message": message})

    def __bool__(self) -> bool:
        return bool(self.items)


def anon_page(request: Request, practice: Practice, template: str, status: int = 200,
              **values: Any) -> Response:
    """A page before sign-in: its forms carry the browser's `portal_csrf` token (set here)."""
    token, fresh = guard.anon_token(request)
    response = render(request, template, practice, status=status, csrf=token, **values)
    if fresh:
        sessions.set_cookie(request, response, token, guard.ANON_COOKIE)
    return response


def limits(ctx: AppContext) -> dict[str, Any]:
    max_bytes = ctx.settings.max_attachment_bytes
    return {
        "max_bytes": max_bytes,
        "max_mb": f"{max_bytes / (1024 * 1024):g}",
        "types": list(ALLOWED_EXTENSIONS),
        "too_large": too_large(max_bytes).detail,
        "type_refused": type_refused("{ext}").detail,
    }


def problem(exc: ApiError) -> tuple[int, str]:
    return exc.status, exc.detail

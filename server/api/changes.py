"""GET /changes: the per-user change feed with long poll.

A waiting request holds no thread and no database connection: it awaits an asyncio event
that the feed hub sets when something changes for this user. A page that says `more` has
the next one read ahead (see `server.feed.read_ahead`).
"""

from __future__ import annotations

import asyncio
from typing import Any

import orjson
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool

from server.context import AppContext
from server.deps import authenticate_request, get_ctx
from server.feed.read import check_not_expired, empty_page, parse_cursor, read_page

router = APIRouter()


@router.get("/changes")
async def changes(
    request: Request,
    since: str | None = Query(None, max_length=40),
    limit: int = Query(500, ge=1, le=1000),
    wait: float = Query(0, ge=0, le=60),
    ctx: AppContext = Depends(get_ctx),
) -> Response:
    user = await run_in_threadpool(authenticate_request, ctx, request)
    cursor = parse_cursor(since)
    read_ahead = ctx.read_ahead

    def read_from(since: int) -> dict[str, Any]:
        with ctx.lookups() as db:
            check_not_expired(db, since)
            page = read_page(db, user, since, limit)
            db.rollback()
            return page

    async def read_next(after: int) -> None:
        # Runs once the page is sent, while the client parses it. Started earlier, the
        # reading thread would hold the GIL while the event loop sends.
        if read_ahead is not None:
            read_ahead.start(user.id, after, limit, lambda: read_from(after))

    def render(page: dict[str, Any]) -> Response:
        # The page is plain JSON types already: skip FastAPI's generic encoder.
        later = BackgroundTask(read_next, int(page["cursor"])) if page["more"] else None
        return Response(orjson.dumps(page), media_type="application/json", background=later)

    async def read_or_remember() -> dict[str, Any]:
        version = ctx.hub.feed_version(user.id)
        page = await run_in_threadpool(read_from, cursor)
        if not page["more"]:
            # Nothing after the page's cursor either: the desktop's next poll, which asks
            # from there, waits without reading.
            ctx.hub.note_empty(user.id, int(page["cursor"]), version)
        return page

    event = ctx.hub.register(user.id)
    try:
        page = await read_ahead.take(user.id, cursor, limit) if read_ahead else None
        if page is None and wait > 0 and ctx.hub.known_empty(user.id, cursor):
            page = empty_page(cursor)  # an idle desktop asking again: wait without reading
        if page is None:
            page = await read_or_remember()
        if wait > 0 and page["cursor"] == str(cursor):
            try:
                await asyncio.wait_for(event.wait(), timeout=wait)
            except TimeoutError:
                return render(page)
            # Woken, perhaps because this person's sessions were ended: the token again.
            await run_in_threadpool(authenticate_request, ctx, request)
            page = await read_or_remember()
        return render(page)
    finally:
        ctx.hub.unregister(user.id, event)

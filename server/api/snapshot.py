"""GET /snapshot: the newest threads of each folder with their newest messages, asked for
by a new workstation before the whole change feed (see `server.feed.snapshot`)."""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from server.context import AppContext
from server.deps import authenticate_request, get_ctx
from server.feed.snapshot import read_snapshot

router = APIRouter()


@router.get("/snapshot")
async def snapshot(
    request: Request,
    limit: int = Query(200, ge=1, le=500),
    messages: int = Query(10, ge=1, le=100),
    ctx: AppContext = Depends(get_ctx),
) -> Response:
    user = await run_in_threadpool(authenticate_request, ctx, request)

    def read() -> dict[str, Any]:
        with ctx.read_sessions() as db:
            answer = read_snapshot(db, user, limit, messages)
            db.rollback()
            return answer

    answer = await run_in_threadpool(read)
    # Plain JSON types already: skip FastAPI's generic encoder.
    return Response(orjson.dumps(answer), media_type="application/json")

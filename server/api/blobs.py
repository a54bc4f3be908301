"""Attachments: streamed upload with size and type checks, download for those allowed."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, unquote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, JSONResponse
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from server import idempotency
from server.context import AppContext
from server.db.models import Person
from server.deps import authenticate_request, current_user, get_ctx, get_db
from server.errors import invalid, not_found
from server.messaging import access, uploads
from server.serialize import attachment_json

router = APIRouter()


@router.post("/blobs", status_code=201)
async def upload(request: Request, ctx: AppContext = Depends(get_ctx)) -> JSONResponse:
    user = await run_in_threadpool(authenticate_request, ctx, request)
    raw_name = request.headers.get("x-filename")
    if not raw_name:
        raise invalid("validation_error", "Send the file name in the X-Filename header.")
    try:
        decoded = unquote(raw_name, errors="strict")
    except UnicodeDecodeError as exc:
        raise invalid("validation_error", "X-Filename must be percent-encoded UTF-8.") from exc
    limit = ctx.settings.max_attachment_bytes
    declared = request.headers.get("content-length")
    filename, ext = uploads.checked_name(
        decoded, int(declared) if declared and declared.isdigit() else None, limit
    )
    blob = await uploads.receive(ctx.blobs, user, filename, ext, request.stream(), limit)
    blob_id = blob.id

    key = idempotency.key_from(request, required=False)
    # The body is identified by what was stored, so a retried upload replays the first answer.
    print_ = idempotency.fingerprint(
        "POST", request.url.path, {"filename": filename, "sha256": blob.sha256}
    )

    def save() -> JSONResponse:
        with ctx.sessions() as db:

            def action() -> tuple[int, dict[str, Any]]:
                db.add(blob)
                return 201, attachment_json(blob)

            return idempotency.run_once(db, user, key, print_, action)

    try:
        response = await run_in_threadpool(save)
    except Exception:
        ctx.blobs.remove(blob_id)
        raise
    if response.headers.get("Idempotent-Replayed"):
        ctx.blobs.remove(blob_id)  # the first upload's file is the one kept
    return response


@router.get("/blobs/{blob_id}")
def download(
    blob_id: str,
    user: Person = Depends(current_user),
    db: Session = Depends(get_db),
    ctx: AppContext = Depends(get_ctx),
) -> FileResponse:
    blob = access.readable_blob(db, user, blob_id)
    path = ctx.blobs.path(blob.id)
    if not path.exists():
        raise not_found("That attachment")
    return FileResponse(
        path,
        media_type=blob.content_type,
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(blob.filename)}",
            "X-Content-Type-Options": "nosniff",
            "ETag": blob.sha256,
            "Cache-Control": "private, no-store",
        },
    )

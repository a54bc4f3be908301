"""Attachments: streamed upload with size, type and quota checks, download for those allowed,
and removing one's own upload that no sent message uses."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from server import idempotency, unit_of_work
from server.context import AppContext
from server.db.models import Blob, MessageAttachment, Person
from server.deps import WORK, authenticate_request, current_user, get_ctx, get_db
from server.errors import ApiError, not_found
from server.messaging import access, uploads
from server.serialize import attachment_json

router = APIRouter()


@router.post("/blobs", status_code=201)
async def upload(request: Request, ctx: AppContext = Depends(get_ctx)) -> JSONResponse:
    user = await run_in_threadpool(authenticate_request, ctx, request)
    raw_name = uploads.name_from_header(request.headers.get("x-filename"))
    filename, ext = uploads.checked_name(raw_name)
    declared = request.headers.get("content-length")
    blob = await uploads.receive(ctx, user, filename, ext, request.stream(),
                                 int(declared) if declared and declared.isdigit() else None)

    key = idempotency.key_from(request, required=False)
    # The body is identified by what was stored, so a retried upload replays the first answer.
    print_ = idempotency.fingerprint(
        "POST", request.url.path, {"filename": filename, "sha256": blob.sha256}
    )

    def save() -> JSONResponse:
        with ctx.sessions() as db:

            def action() -> tuple[int, dict[str, Any]]:
                uploads.add_within_quota(db, ctx.settings.max_pending_upload_bytes, blob)
                return 201, attachment_json(blob)

            answer = idempotency.run_once(db, user, key, print_, action)
            unit_of_work.commit(db)  # this upload's own unit of work: the body streamed first
            return answer

    try:
        response = await run_in_threadpool(save)
    except Exception:
        ctx.blobs.remove(blob.id)
        raise
    if response.headers.get("Idempotent-Replayed"):
        ctx.blobs.remove(blob.id)  # the first upload's file is the one kept
    return response


@router.get("/blobs/{blob_id}")
def download(
    blob_id: str,
    user: Person = Depends(current_user),
    db: Session = Depends(get_db),
    ctx: AppContext = Depends(get_ctx),
) -> Response:
    return uploads.download(ctx, db, access.readable_blob(db, user, blob_id))


@router.delete("/blobs/{blob_id}", status_code=204)
def delete_upload(
    blob_id: str,
    user: Person = Depends(current_user),
    db: Session = WORK,
    ctx: AppContext = Depends(get_ctx),
) -> Response:
    """One's own upload that no sent message uses (taken off a draft, say) is removed now
    rather than after a day."""
    blob = db.get(Blob, blob_id)
    if blob is None or blob.uploader_id != user.id:
        raise not_found("That attachment")
    sent = db.scalar(
        select(MessageAttachment.blob_id).where(MessageAttachment.blob_id == blob.id).limit(1)
    )
    if sent is not None:
        raise ApiError(
            409,
            "attachment_in_use",
            "This file is part of a sent message; it goes when the message is deleted.",
        )
    db.delete(blob)
    unit_of_work.after_commit(db, lambda: ctx.blobs.remove(blob_id))
    return Response(status_code=204)

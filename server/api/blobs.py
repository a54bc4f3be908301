"""Attachments: streamed upload with size and type checks, download for those allowed."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, unquote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, JSONResponse, Response, StreamingResponse
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from server import idempotency, upload_quota
from server.blobs import FileBlobStore, too_large, type_refused
from server.context import AppContext
from server.db.models import Blob, MessageAttachment, Person
from server.db.types import new_id, utcnow
from server.deps import authenticate_request, current_user, get_ctx, get_db
from server.errors import ApiError, invalid, not_found
from server.filetypes import ALLOWED_EXTENSIONS, CONTENT_TYPES, clean_filename, extension
from server.messaging import validate
from server.serialize import attachment_json

router = APIRouter()


def _filename(raw: str | None) -> str:
    if not raw:
        raise invalid("validation_error", "Send the file name in the X-Filename header.")
    if not raw.isascii() or not raw.isprintable():
        raise invalid(
            "validation_error",
            "X-Filename must be percent-encoded UTF-8 (for example “r%C3%A9sum%C3%A9.pdf”), "
            "not raw characters.",
        )
    try:
        return clean_filename(unquote(raw, errors="strict"))
    except UnicodeDecodeError as exc:
        raise invalid("validation_error", "X-Filename must be percent-encoded UTF-8.") from exc


def _pending(ctx: AppContext, user: Person, leaving_out: str | None = None) -> int:
    with ctx.read_sessions() as db:
        return upload_quota.pending_bytes(db, user.id, leaving_out)


@router.post("/blobs", status_code=201)
async def upload(request: Request, ctx: AppContext = Depends(get_ctx)) -> JSONResponse:
    user = await run_in_threadpool(authenticate_request, ctx, request)
    filename = _filename(request.headers.get("x-filename"))
    ext = extension(filename)
    if ext not in ALLOWED_EXTENSIONS:
        raise type_refused(ext)
    limit = ctx.settings.max_attachment_bytes
    quota = ctx.settings.max_pending_upload_bytes
    room = quota - await run_in_threadpool(_pending, ctx, user)
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise too_large(limit)
    if room <= 0 or (declared and declared.isdigit() and int(declared) > room):
        raise upload_quota.exceeded(quota)
    blob_id = new_id()
    over = upload_quota.exceeded(quota) if room < limit else None
    stored = await ctx.blobs.receive(blob_id, request.stream(), min(limit, room), ext, over)
    blob = Blob(
        id=blob_id,
        practice_id=user.practice_id,
        uploader_id=user.id,
        filename=filename,
        size=stored.size,
        content_type=CONTENT_TYPES[ext],
        sha256=stored.sha256,
        created_at=utcnow(),
    )

    key = idempotency.key_from(request, required=False)
    # The body is identified by what was stored, so a retried upload replays the first answer.
    print_ = idempotency.fingerprint(
        "POST", request.url.path, {"filename": filename, "sha256": stored.sha256}
    )

    def save() -> JSONResponse:
        with ctx.sessions() as db:

            def action() -> tuple[int, dict[str, Any]]:
                # again inside the transaction: uploads running side by side share one quota
                if upload_quota.pending_bytes(db, user.id) + blob.size > quota:
                    raise upload_quota.exceeded(quota)
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


def readable_blob(db: Session, user: Person, blob_id: str) -> Blob:
    """The blob, if `user` may read it (the rule is `validate.referable_blobs`); else 404."""
    blob = validate.referable_blobs(db, user, [blob_id]).get(blob_id)
    if blob is None:
        raise not_found("That attachment")
    return blob


@router.get("/blobs/{blob_id}")
def download(
    blob_id: str,
    user: Person = Depends(current_user),
    db: Session = Depends(get_db),
    ctx: AppContext = Depends(get_ctx),
) -> Response:
    blob = readable_blob(db, user, blob_id)
    headers = {
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(blob.filename)}",
        "X-Content-Type-Options": "nosniff",
        "ETag": blob.sha256,
        "Cache-Control": "private, no-store",
    }
    store = ctx.blobs
    if isinstance(store, FileBlobStore):
        path = store.path(blob.id)
        if not path.exists():
            raise not_found("That attachment")
        return FileResponse(path, media_type=blob.content_type, headers=headers)
    db.close()  # the chunks are read with sessions of their own, one per chunk
    chunks = store.read(blob.id)
    if chunks is None:
        raise not_found("That attachment")
    headers["Content-Length"] = str(blob.size)
    return StreamingResponse(chunks, media_type=blob.content_type, headers=headers)


@router.delete("/blobs/{blob_id}", status_code=204)
def delete_upload(
    blob_id: str,
    user: Person = Depends(current_user),
    db: Session = Depends(get_db),
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
    db.commit()
    ctx.blobs.remove(blob_id)
    return Response(status_code=204)

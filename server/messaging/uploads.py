"""Attachments in and out: the file name and type checks, the size cap and the pending-upload
quota while the file streams into the blob store, and the download answer.

Used by `POST /blobs` / `GET /blobs/{id}` and by the client portal's forms and upload script
alike, so an upload is checked one way whatever sends it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from urllib.parse import quote, unquote

from fastapi.responses import FileResponse, Response, StreamingResponse
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from server import upload_quota
from server.blobs import FileBlobStore, too_large, type_refused
from server.context import AppContext
from server.db.models import Blob, Person
from server.db.types import new_id, utcnow
from server.errors import invalid, not_found
from server.filetypes import ALLOWED_EXTENSIONS, CONTENT_TYPES, clean_filename, extension


def name_from_header(raw: str | None) -> str:
    """The file name an `X-Filename` header carries (percent-encoded UTF-8), or a refusal."""
    if not raw:
        raise invalid("validation_error", "Send the file name in the X-Filename header.")
    if not raw.isascii() or not raw.isprintable():
        raise invalid(
            "validation_error",
            "X-Filename must be percent-encoded UTF-8 (for example “r%C3%A9sum%C3%A9.pdf”), "
            "not raw characters.",
        )
    try:
        return unquote(raw, errors="strict")
    except UnicodeDecodeError as exc:
        raise invalid("validation_error", "X-Filename must be percent-encoded UTF-8.") from exc


def checked_name(raw_name: str) -> tuple[str, str]:
    """The stored file name (paths, controls, bidi and invisible characters removed) and its
    extension, or the refusal a person should see."""
    filename = clean_filename(raw_name)
    ext = extension(filename)
    if ext not in ALLOWED_EXTENSIONS:
        raise type_refused(ext)
    return filename, ext


def _pending(ctx: AppContext, person_id: str) -> int:
    with ctx.read_sessions() as db:
        return upload_quota.pending_bytes(db, person_id)


async def receive(
    ctx: AppContext,
    uploader: Person,
    filename: str,
    ext: str,
    chunks: AsyncIterator[bytes],
    declared_size: int | None,
) -> Blob:
    """Stream the file into the blob store and return its (not yet added) row; `keep` saves
    it. Refused past the size cap or the uploader's room under the quota, or when the content
    is not what the extension says."""
    limit = ctx.settings.max_attachment_bytes
    quota = ctx.settings.max_pending_upload_bytes
    if declared_size is not None and declared_size > limit:
        raise too_large(limit)
    room = quota - await run_in_threadpool(_pending, ctx, uploader.id)
    if room <= 0 or (declared_size is not None and declared_size > room):
        raise upload_quota.exceeded(quota)
    blob_id = new_id()
    over = upload_quota.exceeded(quota) if room < limit else None
    stored = await ctx.blobs.receive(blob_id, chunks, min(limit, room), ext, over)
    return Blob(
        id=blob_id,
        practice_id=uploader.practice_id,
        uploader_id=uploader.id,
        filename=filename,
        size=stored.size,
        content_type=CONTENT_TYPES[ext],
        sha256=stored.sha256,
        created_at=utcnow(),
    )


def add_within_quota(db: Session, settings_quota: int, blob: Blob) -> None:
    """Add the row, checking the quota again inside the transaction: uploads running side by
    side share one quota."""
    if upload_quota.pending_bytes(db, blob.uploader_id) + blob.size > settings_quota:
        raise upload_quota.exceeded(settings_quota)
    db.add(blob)


def keep(ctx: AppContext, blob: Blob) -> None:
    """Save a received blob's row; on a refusal its stored bytes go too."""
    try:
        with ctx.sessions() as db:
            add_within_quota(db, ctx.settings.max_pending_upload_bytes, blob)
            db.commit()
    except Exception:
        ctx.blobs.remove(blob.id)
        raise


def download(ctx: AppContext, db: Session, blob: Blob) -> Response:
    """The stored bytes as an attachment download, never shown inline."""
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

"""Receiving an attachment: name and type checks, the size cap, the file streamed to disk.

Used by `POST /blobs` and by the client portal's forms and upload script alike.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from server.blobs import BlobStore, too_large, type_refused
from server.db.models import Blob, Person
from server.db.types import new_id, utcnow
from server.filetypes import ALLOWED_EXTENSIONS, CONTENT_TYPES, clean_filename, extension


def checked_name(raw_name: str, declared_size: int | None, limit: int) -> tuple[str, str]:
    """The stored file name and its extension, or the refusal a person should see."""
    filename = clean_filename(raw_name)
    ext = extension(filename)
    if ext not in ALLOWED_EXTENSIONS:
        raise type_refused(ext)
    if declared_size is not None and declared_size > limit:
        raise too_large(limit)
    return filename, ext


async def receive(
    store: BlobStore,
    uploader: Person,
    filename: str,
    ext: str,
    chunks: AsyncIterator[bytes],
    limit: int,
) -> Blob:
    """Stream the file to disk and return its (not yet added) row; the caller saves it."""
    blob_id = new_id()
    stored = await store.receive(blob_id, chunks, limit, ext)
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

"""What the portal's message forms send: the body as HTML, and the attached files as blobs."""

from __future__ import annotations

import html
import re
from collections.abc import AsyncIterator

from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from server.context import AppContext
from server.db.models import Blob, Person
from server.errors import ApiError
from server.messaging import uploads
from server.sanitize import sanitize_html
from server.serialize import attachment_json

_PARAGRAPHS = re.compile(r"\n\s*\n")
CHUNK = 256 * 1024


def text_to_html(text: str) -> str:
    """Plain text typed without the editor, as paragraphs and line breaks (every < escaped)."""
    text = text.replace("\r\n", "\n").strip()
    if not text:
        return ""
    return "".join(
        "<p>" + html.escape(part.strip("\n")).replace("\n", "<br>") + "</p>"
        for part in _PARAGRAPHS.split(text)
    )


def body_html(typed_text: str, edited_html: str) -> str:
    """The editor's HTML when scripts ran, otherwise the textarea's text."""
    return edited_html if edited_html.strip() else text_to_html(typed_text)


def editor_html(stored_html: str) -> str:
    """HTML put back into the editor: only what the server would keep."""
    return sanitize_html(stored_html) if stored_html else ""


async def _chunks(upload: UploadFile) -> AsyncIterator[bytes]:
    while chunk := await upload.read(CHUNK):
        yield chunk


async def store_files(
    ctx: AppContext, person: Person, files: list[UploadFile]
) -> tuple[list[dict[str, object]], list[str]]:
    """Store each chosen file; returns the stored ones' JSON and a sentence per refused file."""
    stored: list[dict[str, object]] = []
    refused: list[str] = []
    for upload in files:
        if not upload.filename:
            continue  # an empty file input
        try:
            name, ext = uploads.checked_name(upload.filename)
            blob = await uploads.receive(ctx, person, name, ext, _chunks(upload), upload.size)
            await run_in_threadpool(uploads.keep, ctx, blob)
        except ApiError as exc:
            refused.append(f"{upload.filename[:120]}: {exc.detail}")
            continue
        stored.append(attachment_json(blob))
    return stored, refused


def kept_attachments(db: Session, person: Person, ids: list[str]) -> list[dict[str, object]]:
    """The already-uploaded files a refused form keeps (the person's own uploads only)."""
    unique = list(dict.fromkeys(ids))[:100]
    if not unique:
        return []
    rows = db.scalars(select(Blob).where(Blob.id.in_(unique), Blob.uploader_id == person.id)).all()
    by_id = {b.id: attachment_json(b) for b in rows}
    return [by_id[i] for i in unique if i in by_id]

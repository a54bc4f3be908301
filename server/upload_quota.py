"""The per-user quota of pending uploads: files uploaded but in no sent message yet.

Uploads a draft lists count too: otherwise listing them in drafts would make storage
unbounded again.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from server.db.models import Blob, MessageAttachment
from server.errors import ApiError


def pending_bytes(db: Session, person_id: str, leaving_out: str | None = None) -> int:
    query = select(func.coalesce(func.sum(Blob.size), 0)).where(
        Blob.uploader_id == person_id, Blob.id.not_in(select(MessageAttachment.blob_id))
    )
    if leaving_out is not None:
        query = query.where(Blob.id != leaving_out)
    return int(db.scalar(query) or 0)


def _size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{round(n / (1024 * 1024), 1):g} MB"
    return f"{round(n / 1024, 1):g} KB"


def exceeded(limit: int) -> ApiError:
    return ApiError(
        413,
        "upload_quota_exceeded",
        f"Your files not yet sent would take up more than the {_size(limit)} allowed. Send "
        "or remove some attachments first.",
    )

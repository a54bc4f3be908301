"""Attachment bytes in the database (PostgreSQL): one row per chunk of at most 256 KiB.

Rows of an upload are written as its bytes arrive, before its `blob` row exists; that row,
written last, is what makes the blob exist, so chunks have no foreign key."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from server.db.models import Base
from server.db.types import UtcDateTime, utcnow


class BlobChunk(Base):
    __tablename__ = "blob_chunk"
    blob_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

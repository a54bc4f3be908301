"""Tables of account administration: set-password links, recovery codes, reset requests."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from server.db.models import ID, Base
from server.db.types import UtcDateTime, new_id, utcnow


class AccountLink(Base):
    """An invite or reset link: only the sha256 of its token is kept."""

    __tablename__ = "account_link"
    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    person_id: Mapped[str] = mapped_column(ForeignKey("person.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(10))  # invite | reset
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    voided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class RecoveryCode(Base):
    """A one-time code that stands in for a TOTP code at sign-in (sha256 only)."""

    __tablename__ = "recovery_code"
    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    person_id: Mapped[str] = mapped_column(ForeignKey("person.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class ResetRequest(Base):
    """A password-reset request, counted like a failed sign-in to throttle them."""

    __tablename__ = "reset_request"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(100))
    address: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    __table_args__ = (
        Index("ix_reset_request_username_at", "username", "at"),
        Index("ix_reset_request_address_at", "address", "at"),
    )

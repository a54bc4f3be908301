"""Tables of sign-in throttling: devices that signed in before, and per-pair failure counts.

`LoginFailure` (in models.py) keeps one row per failure for the per-address and
per-username ceilings; these hold what the progressive per-pair wait needs.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from server.db.models import Base
from server.db.types import UtcDateTime, new_id, utcnow


class LoginDevice(Base):
    """A device that once signed in as a person; its token is stored only as a sha256 hash."""

    __tablename__ = "login_device"
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    person_id: Mapped[str] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    last_used_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class LoginPair(Base):
    """Failed sign-ins of one username from one peer: `a:<address>` or `d:<device id>`."""

    __tablename__ = "login_pair"
    username: Mapped[str] = mapped_column(String(100), primary_key=True)
    peer: Mapped[str] = mapped_column(String(80), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)

"""SQLAlchemy models of the practice server. The schema itself is made by Alembic migrations."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    false,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from server.db.types import UtcDateTime, new_id, utcnow

ID = String(36)


class Base(DeclarativeBase):
    pass


class Practice(Base):
    __tablename__ = "practice"
    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200))
    # The portal's address is {public URL}/portal/{slug}/ (server.config.Settings.portal_url).
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    require_mfa_for_staff: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
    portal_notice: Mapped[str] = mapped_column(String(300), default="", server_default="")


class Person(Base):
    __tablename__ = "person"
    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    practice_id: Mapped[str] = mapped_column(ForeignKey("practice.id"), index=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(10))  # staff | client
    role: Mapped[str | None] = mapped_column(String(20))
    status: Mapped[str | None] = mapped_column(String(10))  # clients: active | inactive
    has_portal_account: Mapped[bool] = mapped_column(Boolean, default=True)
    email: Mapped[str | None] = mapped_column(String(254))
    password_hash: Mapped[str | None] = mapped_column(String(200))
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    # Administration (server.accounts): a disabled person cannot sign in; their messages stay.
    disabled: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    totp_pending_secret: Mapped[str | None] = mapped_column(String(64))
    invite_sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    # The people list: ordered by name within a practice (and kind), paged by (name, id).
    __table_args__ = (
        Index("ix_person_practice_name", "practice_id", text("lower(name)"), "id"),
        Index("ix_person_practice_kind_name", "practice_id", "kind", text("lower(name)"), "id"),
    )


class ClientTherapist(Base):
    __tablename__ = "client_therapist"
    client_id: Mapped[str] = mapped_column(ForeignKey("person.id"), primary_key=True)
    therapist_id: Mapped[str] = mapped_column(ForeignKey("person.id"), primary_key=True)


class Token(Base):
    __tablename__ = "token"
    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("person.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    last_used_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class LoginFailure(Base):
    __tablename__ = "login_failure"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(100))
    address: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    __table_args__ = (
        Index("ix_login_failure_username_at", "username", "at"),
        Index("ix_login_failure_address_at", "address", "at"),
    )


class Thread(Base):
    __tablename__ = "thread"
    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    practice_id: Mapped[str] = mapped_column(ForeignKey("practice.id"), index=True)
    subject: Mapped[str] = mapped_column(String(200))
    created_by: Mapped[str] = mapped_column(ForeignKey("person.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    last_message_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    client_count: Mapped[int] = mapped_column(Integer, default=0)
    message_count: Mapped[int] = mapped_column(Integer, default=0)


class ThreadParticipant(Base):
    __tablename__ = "thread_participant"
    thread_id: Mapped[str] = mapped_column(
        ForeignKey("thread.id", ondelete="CASCADE"), primary_key=True
    )
    person_id: Mapped[str] = mapped_column(ForeignKey("person.id"), primary_key=True, index=True)


class Message(Base):
    __tablename__ = "message"
    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    thread_id: Mapped[str] = mapped_column(ForeignKey("thread.id", ondelete="CASCADE"), index=True)
    sender_id: Mapped[str] = mapped_column(ForeignKey("person.id"))
    sent_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    body_html: Mapped[str] = mapped_column(Text)
    body_text: Mapped[str] = mapped_column(Text)


class Blob(Base):
    __tablename__ = "blob"
    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    practice_id: Mapped[str] = mapped_column(ForeignKey("practice.id"))
    uploader_id: Mapped[str] = mapped_column(ForeignKey("person.id"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(BigInteger)
    content_type: Mapped[str] = mapped_column(String(100))
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class MessageAttachment(Base):
    __tablename__ = "message_attachment"
    message_id: Mapped[str] = mapped_column(
        ForeignKey("message.id", ondelete="CASCADE"), primary_key=True
    )
    blob_id: Mapped[str] = mapped_column(ForeignKey("blob.id"), primary_key=True, index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)


class Receipt(Base):
    __tablename__ = "receipt"
    message_id: Mapped[str] = mapped_column(
        ForeignKey("message.id", ondelete="CASCADE"), primary_key=True
    )
    person_id: Mapped[str] = mapped_column(ForeignKey("person.id"), primary_key=True)
    read_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    __table_args__ = (Index("ix_receipt_person_unread", "person_id", "read_at"),)


class ThreadState(Base):
    __tablename__ = "thread_state"
    thread_id: Mapped[str] = mapped_column(
        ForeignKey("thread.id", ondelete="CASCADE"), primary_key=True
    )
    person_id: Mapped[str] = mapped_column(ForeignKey("person.id"), primary_key=True)
    folder: Mapped[str] = mapped_column(String(60), default="inbox")
    unread: Mapped[bool] = mapped_column(Boolean, default=False)
    starred: Mapped[bool] = mapped_column(Boolean, default=False)
    has_sent: Mapped[bool] = mapped_column(Boolean, default=False)
    __table_args__ = (Index("ix_thread_state_person_folder", "person_id", "folder"),)


class Folder(Base):
    __tablename__ = "folder"
    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    person_id: Mapped[str] = mapped_column(ForeignKey("person.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))


class Draft(Base):
    __tablename__ = "draft"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("person.id"), index=True)
    to: Mapped[list[str]] = mapped_column(JSON, default=list)
    subject: Mapped[str] = mapped_column(String(400), default="")
    body_html: Mapped[str] = mapped_column(Text, default="")
    attachment_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    thread_id: Mapped[str | None] = mapped_column(ID)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class IdempotencyRecord(Base):
    __tablename__ = "idempotency"
    person_id: Mapped[str] = mapped_column(ForeignKey("person.id"), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    response: Mapped[Any] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)


class EmailOutbox(Base):
    __tablename__ = "email_outbox"
    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)


class AuditEvent(Base):
    __tablename__ = "audit_event"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    practice_id: Mapped[str] = mapped_column(ID, index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    actor_id: Mapped[str | None] = mapped_column(ID)
    action: Mapped[str] = mapped_column(String(30))
    target_type: Mapped[str | None] = mapped_column(String(30))
    target_id: Mapped[str | None] = mapped_column(String(100))
    ip: Mapped[str | None] = mapped_column(String(64))

    # The audit log's filters, newest first over the whole history.
    __table_args__ = (
        Index("ix_audit_event_practice_id_id", "practice_id", "id"),
        Index("ix_audit_event_actor", "practice_id", "actor_id", "id"),
        Index("ix_audit_event_target", "practice_id", "target_id", "id"),
        Index("ix_audit_event_action", "practice_id", "action", "id"),
        Index("ix_audit_event_at", "practice_id", "at"),
    )


class ChartNote(Base):
    __tablename__ = "chart_note"
    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    client_id: Mapped[str] = mapped_column(ForeignKey("person.id"), index=True)
    author_id: Mapped[str] = mapped_column(ForeignKey("person.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    body: Mapped[str] = mapped_column(Text)
    thread_id: Mapped[str | None] = mapped_column(ID)


class FeedEntry(Base):
    """One row per (user, object): the newest change the user has not necessarily seen yet.

    `seq` comes from FeedCounter inside the writing transaction, so sequence order is
    commit order and a reader's cursor never skips a row committed later.
    """

    __tablename__ = "feed_entry"
    person_id: Mapped[str] = mapped_column(ID, primary_key=True)
    kind: Mapped[str] = mapped_column(String(10), primary_key=True)
    object_id: Mapped[str] = mapped_column(String(60), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    changed_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    __table_args__ = (Index("ix_feed_entry_person_seq", "person_id", "seq"),)


class FeedCounter(Base):
    __tablename__ = "feed_counter"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)
    # Cursors at or below this were compacted away (tombstones pruned): 410 cursor_expired.
    pruned_below: Mapped[int] = mapped_column(BigInteger, default=0)


from server.db import accounts as _accounts  # noqa: E402,F401  (links, recovery codes)
from server.db import blob_chunks as _blob_chunks  # noqa: E402, F401  (registers its tables)
from server.db.portal_models import PortalSession as PortalSession  # noqa: E402,F401
from server.db.signin_models import LoginDevice, LoginPair  # noqa: E402, F401

"""Request bodies. Unknown fields are refused so a typo is a clear 422, not silently ignored."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

from server.storable_text import UNSTORABLE, is_storable

USERNAME_CHARS = 100  # Person.username and LoginFailure.username
ID_CHARS = 36  # every id column
#: Threads one bulk request may name; published in /session limits as `max_bulk_ids`.
MAX_BULK_IDS = 10_000


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @field_validator("*")
    @classmethod
    def _storable(cls, value: object) -> object:
        texts = value if isinstance(value, list) else [value]
        if any(isinstance(text, str) and not is_storable(text) for text in texts):
            raise ValueError(UNSTORABLE)
        return value


class LoginIn(Body):
    username: str = Field(max_length=100)
    password: str = Field(max_length=1000)
    totp_code: str | None = Field(default=None, max_length=12)
    device_token: str | None = Field(default=None, max_length=200)

    @field_validator("username")
    @classmethod
    def _fits_when_lowered(cls, value: str) -> str:
        # Lower-casing can lengthen text ("İ" becomes two characters): check what is stored.
        if len(value.strip().lower()) > USERNAME_CHARS:
            raise ValueError(f"a username has at most {USERNAME_CHARS} characters")
        return value


class NewThreadIn(Body):
    to: list[str] = Field(max_length=500)
    subject: str = Field(max_length=10_000)
    body_html: str = Field(max_length=2_000_000)
    attachment_ids: list[str] = Field(default_factory=list, max_length=1000)
    draft_id: str | None = Field(default=None, max_length=64)


class NewMessageIn(Body):
    body_html: str = Field(max_length=2_000_000)
    attachment_ids: list[str] = Field(default_factory=list, max_length=1000)
    draft_id: str | None = Field(default=None, max_length=64)


class StateIn(Body):
    folder: str | None = Field(default=None, max_length=60)
    unread: bool | None = None
    starred: bool | None = None


class BulkStateIn(StateIn):
    thread_ids: list[str] = Field(max_length=MAX_BULK_IDS)


class FolderIn(Body):
    name: str = Field(max_length=1000)


class DraftIn(Body):
    id: str | None = Field(default=None, max_length=64)
    to: list[str] = Field(default_factory=list, max_length=500)
    subject: str = Field(default="", max_length=400)
    body_html: str = Field(default="", max_length=2_000_000)
    attachment_ids: list[str] = Field(default_factory=list, max_length=1000)
    thread_id: str | None = Field(default=None, max_length=ID_CHARS)
    updated_at: str | None = None


class QuickNoteIn(Body):
    body: str = Field(min_length=1, max_length=200_000)


class ClientStatusIn(Body):
    status: str = Field(pattern="^(active|inactive)$")

"""The rows the cache's read queries hand to the views, by name and field.

Each is a plain dict at run time (built in sync.cache.queries and sync.cache.search); these
types let the type checker catch a misspelt or missing field where a view reads one.
"""

from __future__ import annotations

from typing import Any, NamedTuple, NotRequired, TypedDict


class FolderRow(TypedDict):
    id: str  # "inbox", "sent", "drafts", "archive", "trash" or "folder:<id>"
    name: str
    unread: int
    total: int
    custom: NotRequired[bool]


class ThreadPage(TypedDict):
    ids: list[str]
    next: tuple[float, str] | None  # the keyset of the next page, None after the last


class ThreadRow(TypedDict):
    """One line of the thread list."""

    id: str
    subject: str
    snippet: str
    last_message_at: str | None
    participants_label: str
    unread: bool
    starred: bool
    has_attachments: bool
    message_count: int
    folder: str | None
    can_delete: bool


class RowValues(NamedTuple):
    """Thread list rows as read, before they are made into ThreadRows (queries.thread_row):
    a list of values per row, and the user's own id, which their names leave out."""

    values: list[list[Any]]
    me_id: str | None


class PersonRow(TypedDict):
    id: str
    username: str | None
    name: str
    kind: str  # "staff" | "client"
    role: str | None
    status: str | None
    has_portal_account: bool


class ParticipantRow(TypedDict):
    """A person as a thread lists them: the server's person, or only the id, name and kind
    a thread sent from here knows of someone (sync.cache.optimistic)."""

    id: str
    name: str
    kind: str  # "staff" | "client"
    username: NotRequired[str | None]
    role: NotRequired[str | None]
    status: NotRequired[str | None]
    has_portal_account: NotRequired[bool]


# Someone a view shows: from the people table, or as a thread lists them.
Person = PersonRow | ParticipantRow


class GroupRow(TypedDict):
    id: str
    name: str
    member_ids: list[str]


class AttachmentRow(TypedDict):
    """An attachment as the server described it; a draft made on another computer knows
    only the id (filename, size and content_type None)."""

    id: str
    filename: str | None
    size: int | None
    content_type: str | None
    sha256: NotRequired[str]  # "" until the server has the upload


class DraftRow(TypedDict):
    id: str
    to: list[str]
    subject: str
    body_html: str
    attachment_ids: list[str]
    attachments: list[AttachmentRow]
    thread_id: str | None
    updated_at: str | None
    pending: bool  # the server does not have this version yet


class ConversationThread(TypedDict):
    id: str
    subject: str
    created_by: str | None
    created_at: str | None
    last_message_at: str | None
    participants: list[ParticipantRow]
    client_count: int | None
    message_count: int | None
    can_reply: bool
    reply_blocked_reason: str | None
    can_delete: bool
    can_quick_note: bool
    pending: bool


class ThreadStateRow(TypedDict):
    thread_id: str
    folder: str | None
    unread: bool
    starred: bool
    in_sent: bool


class ReceiptRow(TypedDict):
    person_id: str
    read_at: str | None


class MessageRow(TypedDict):
    id: str
    thread_id: str
    sender_id: str
    sent_at: str | None
    body_html: str
    body_text: str | None
    attachments: list[AttachmentRow]
    can_delete: bool
    pending: bool
    sender: Person  # from the people table, or what the thread's participants say of them
    receipts: NotRequired[list[ReceiptRow]]


class Conversation(TypedDict):
    thread: ConversationThread
    state: ThreadStateRow
    messages: list[MessageRow]


class SearchHit(TypedDict):
    thread_id: str
    message_id: str
    subject: str
    snippet: str  # HTML: the matched words in <b>, the rest escaped
    rank: float  # lower is better

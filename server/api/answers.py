"""What the API answers, as pydantic models: the served OpenAPI document describes each route's
success answer with them, and every error answer as a problem+json `Problem`.

The routes build their answers in `server/serialize.py`; these models describe those answers
for clients and for the schema-driven tests (which check the served answers against them).
Extra fields are allowed, so adding a field to an answer never breaks an older client.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Answer(BaseModel):
    model_config = ConfigDict(extra="allow")


class Problem(Answer):
    """An RFC 9457 problem: a stable machine `code` and a sentence for a person (`detail`)."""

    type: str
    title: str
    status: int
    detail: str
    code: str


class PersonOut(Answer):
    id: str
    username: str | None
    name: str
    kind: str
    role: str | None
    status: str | None
    has_portal_account: bool


class AttachmentOut(Answer):
    id: str
    filename: str
    size: int
    content_type: str
    sha256: str


class ReceiptOut(Answer):
    person_id: str
    read_at: str | None


class ThreadOut(Answer):
    id: str
    subject: str
    created_by: str
    created_at: str
    last_message_at: str
    participants: list[PersonOut]
    client_count: int
    message_count: int
    can_reply: bool
    reply_blocked_reason: str | None
    can_delete: bool
    can_quick_note: bool


class MessageOut(Answer):
    id: str
    thread_id: str
    sender_id: str
    sent_at: str
    body_html: str
    body_text: str
    attachments: list[AttachmentOut]
    can_delete: bool
    receipts: list[ReceiptOut] | None = None


class StateOut(Answer):
    thread_id: str
    folder: str
    unread: bool
    starred: bool
    in_sent: bool


class DraftOut(Answer):
    id: str
    to: list[str]
    subject: str
    body_html: str
    attachment_ids: list[str]
    thread_id: str | None
    updated_at: str


class FolderOut(Answer):
    id: str
    name: str


class GroupOut(Answer):
    id: str
    name: str
    member_ids: list[str]


class PracticeOut(Answer):
    id: str
    name: str
    portal_url: str


class LimitsOut(Answer):
    max_attachment_bytes: int
    min_body_chars: int
    max_subject_chars: int
    max_pending_upload_bytes: int
    allowed_attachment_types: list[str]
    max_bulk_ids: int
    max_json_bytes: int
    max_body_html_bytes: int
    max_body_depth: int
    max_body_elements: int


class SignedIn(Answer):
    token: str
    expires_at: str
    user: PersonOut
    device_token: str | None
    mfa_required: bool


class CapabilitiesOut(Answer):
    """What the desktop may offer the person signed in: the decisions of `server/rules.py`."""

    manage_staff: bool
    manage_clients: bool
    import_clients: bool
    reset_mfa: bool
    view_audit: bool
    manage_practice: bool
    can_change_status: bool
    move_targets: list[str]


class SessionOut(Answer):
    user: PersonOut
    practice: PracticeOut
    limits: LimitsOut
    server_time: str
    capabilities: CapabilitiesOut
    mfa_enabled: bool
    mfa_required: bool


class DirectoryOut(Answer):
    people: list[PersonOut]
    groups: list[GroupOut]


class ThreadItem(Answer):
    thread: ThreadOut
    state: StateOut | None


class ThreadPage(Answer):
    items: list[ThreadItem]
    next: str | None


class ThreadRead(Answer):
    thread: ThreadOut
    state: StateOut | None
    messages: list[MessageOut]


class Sent(Answer):
    thread: ThreadOut
    message: MessageOut


class StatesOut(Answer):
    states: list[StateOut]


class FoldersOut(Answer):
    folders: list[FolderOut]


class DraftsOut(Answer):
    drafts: list[DraftOut]


class DeletedIds(Answer):
    threads: list[str]
    messages: list[str]
    drafts: list[str]
    folders: list[str]


class FeedRows(Answer):
    """The rows a page of the feed and the snapshot both carry, in the same shapes."""

    threads: list[ThreadOut]
    messages: list[MessageOut]
    states: list[StateOut]
    drafts: list[DraftOut]
    folders: list[FolderOut]
    people: list[PersonOut]


class ChangePage(FeedRows):
    cursor: str
    more: bool
    deleted: DeletedIds


class Snapshot(FeedRows):
    newest: dict[str, list[str]]
    feed_size: int


# The success answer of each route, by (method, path under the API prefix).
SUCCESS: dict[tuple[str, str], type[Answer]] = {
    ("post", "/auth/login"): SignedIn,
    ("get", "/session"): SessionOut,
    ("get", "/directory"): DirectoryOut,
    ("get", "/threads"): ThreadPage,
    ("post", "/threads"): Sent,
    ("get", "/threads/{thread_id}"): ThreadRead,
    ("post", "/threads/{thread_id}/messages"): Sent,
    ("patch", "/threads/{thread_id}/state"): StateOut,
    ("post", "/threads/state"): StatesOut,
    ("get", "/folders"): FoldersOut,
    ("post", "/folders"): FolderOut,
    ("patch", "/folders/{folder_id}"): FolderOut,
    ("get", "/drafts"): DraftsOut,
    ("put", "/drafts/{draft_id}"): DraftOut,
    ("post", "/blobs"): AttachmentOut,
    ("get", "/changes"): ChangePage,
    ("get", "/snapshot"): Snapshot,
}

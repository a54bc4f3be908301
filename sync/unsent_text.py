"""What a refused message said is kept: its text, recipients and attachments become a draft.

When the server refuses a new conversation or a reply (too short, a recipient gone, the thread
closed to replies), rolling the command back would put the draft it was sent from back as the
server last saved it — older than what was sent, or nothing at all if the message was written
and sent before the draft was first saved. Instead, the refused command's own content is saved
as that draft again (the same id, or a new one), in the rollback's transaction, so the text a
person typed is never lost and a reply turns up in its thread's reply box again.
"""

from __future__ import annotations

import uuid
from typing import Any

from sync import commands, outbox
from sync.cache.connection import Connection
from sync.outbox import Command

Json = dict[str, Any]
KEPT_NOTE = "What you wrote is kept in Drafts."


def keep_as_draft(conn: Connection, command: Command) -> str | None:
    """Queues the refused `command`'s content as a draft; returns the draft's id (None when the
    command carries no text to keep)."""
    command_type = commands.by_kind(command.kind)
    if not command_type.keeps_text:
        return None
    p = command.payload
    thread_id = command_type.reported_thread(p) or None
    if thread_id and outbox.LOCAL_ID.match(thread_id):
        thread_id = None  # a conversation that was never made: the text is kept on its own
    subject = p.get("subject") or ""
    if thread_id:
        row = conn.exec_driver_sql("SELECT subject FROM threads WHERE id = ?",
                                   (thread_id,)).first()
        subject = row[0] if row else subject
    draft: Json = {
        "id": p.get("draft_id") or str(uuid.uuid4()),
        "to": list(p.get("to") or []), "subject": subject or "",
        "body_html": p.get("body_html") or "",
        "attachment_ids": list(p.get("attachment_ids") or []),
        "attachments": list(p.get("attachments") or []),
        "thread_id": thread_id, "updated_at": outbox.utc_now(),
    }
    outbox.enqueue(conn, "save_draft", {"draft": draft}, "Keep an unsent message as a draft")
    return str(draft["id"])

"""Commands on drafts: saving one (kept with its attachment details) and deleting one."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from sqlalchemy.engine import Connection

from sync import shapes
from sync.cache import mirror, optimistic
from sync.commands.base import Applied, Channel, CommandType

if TYPE_CHECKING:
    from sync.outbox import Command

Json = dict[str, Any]

# Saved without attachment details (by an older caller), a draft keeps those it had.
_SAVE_DRAFT_SQL = (
    "INSERT INTO drafts (id, to_json, subject, body_html, attachment_ids, thread_id, "
    "updated_at, hidden, attachments) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT(id) DO UPDATE SET to_json = excluded.to_json, subject = excluded.subject, "
    "body_html = excluded.body_html, attachment_ids = excluded.attachment_ids, "
    "thread_id = excluded.thread_id, updated_at = excluded.updated_at, hidden = 0, "
    "attachments = coalesce(excluded.attachments, drafts.attachments)"
)


class SaveDraft(CommandType):
    kind = "save_draft"
    fields = ("draft",)

    def effect(self, conn: Connection, payload: Json) -> None:
        draft = payload["draft"]
        row = mirror.draft_row(draft, None)
        attachments = draft.get("attachments")
        details = None if attachments is None else json.dumps(attachments, ensure_ascii=False)
        conn.exec_driver_sql(_SAVE_DRAFT_SQL, row[:7] + (0, details))

    def targets(self, payload: Json) -> set[str]:
        return optimistic.row_keys(draft=payload["draft"]["id"])

    def send(self, channel: Channel, command: Command) -> Any:
        return channel.api.put_draft(command.payload["draft"])

    def check(self, response: Any) -> None:
        shapes.check_draft(response)

    def store(self, conn: Connection, command: Command, response: Any) -> Applied:
        if isinstance(response, dict):
            mirror.upsert_drafts(conn, [response])
        return Applied({f"draft:{command.payload['draft']['id']}"})


class DeleteDraft(CommandType):
    kind = "delete_draft"
    fields = ("draft_id",)
    gone_is_done = True

    def effect(self, conn: Connection, payload: Json) -> None:
        conn.exec_driver_sql("UPDATE drafts SET hidden = 1 WHERE id = ?",
                             (payload["draft_id"],))

    def targets(self, payload: Json) -> set[str]:
        return optimistic.row_keys(draft=payload["draft_id"])

    def send(self, channel: Channel, command: Command) -> Any:
        return channel.api.delete_draft(command.payload["draft_id"])

    def store(self, conn: Connection, command: Command, response: Any) -> Applied:
        draft_id = command.payload["draft_id"]
        mirror.purge_drafts(conn, [draft_id])
        return Applied({f"draft:{draft_id}"})

"""Commands on drafts: saving one (kept with its attachment details) and deleting one."""

from __future__ import annotations

import json
import uuid
from typing import TYPE_CHECKING, Any

from sync import outbox, shapes
from sync.cache import mirror, optimistic
from sync.cache.connection import Connection
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


def _draft_attachments(draft: Json,
                       attachments: list[Json] | None) -> tuple[list[str], list[Json] | None]:
    """The attachment ids of a draft being saved, and the details given for them in that
    order (None when only ids were given). Raises ValueError for details without an id."""
    listed = list(draft.get("attachment_ids") or [])
    given = attachments if attachments is not None else draft.get("attachments")
    details = [dict(a) for a in [*(given or []), *listed] if isinstance(a, dict)]
    if any(not isinstance(a.get("id"), str) or not a["id"] for a in details):
        raise ValueError("An attachment of the draft has no id.")
    if listed:
        ids = [a["id"] if isinstance(a, dict) else str(a) for a in listed]
    else:
        ids = [a["id"] for a in details]
    if given is None and not details:
        return ids, None
    by_id = {a["id"]: a for a in details}
    return ids, [by_id[i] for i in ids if i in by_id]


class SaveDraft(CommandType):
    kind = "save_draft"
    fields = ("draft",)

    @staticmethod
    def build(draft: Json, attachments: list[Json] | None) -> Json:
        """The draft as saved (its "id" made here when missing). Attachment details may come
        as `attachments`, as draft["attachments"] or as dicts in draft["attachment_ids"];
        they are kept with the draft in the cache (the server keeps only the ids). Saved
        with ids only, a draft keeps the details it had."""
        ids, details = _draft_attachments(draft, attachments)
        body: Json = {
            "id": draft.get("id") or str(uuid.uuid4()),
            "to": list(draft.get("to") or []), "subject": draft.get("subject") or "",
            "body_html": draft.get("body_html") or "",
            "attachment_ids": ids,
            "thread_id": draft.get("thread_id"), "updated_at": outbox.utc_now(),
        }
        if details is not None:
            body["attachments"] = details
        return {"draft": body}

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

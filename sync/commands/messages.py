"""Commands that write in conversations: a new one, a reply, a chart note, deleting a message.

A message sent is shown at once as a local row (local = 1) under the local ids its payload
carries; the server's answer replaces those rows and ids with its own.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from sync import outbox, shapes
from sync.body_text import visible_text
from sync.cache import mirror, optimistic
from sync.cache.connection import Connection
from sync.commands.base import Applied, Channel, CommandType
from sync.errors import ProtocolError
from sync.shapes import timestamp

if TYPE_CHECKING:
    from sync.outbox import Command

Json = dict[str, Any]

_LOCAL_THREAD = (
    "id", "subject", "created_by", "created_at", "last_message_at", "last_message_ts",
    "client_count", "message_count", "participants", "can_reply", "reply_blocked_reason",
    "can_delete", "can_quick_note", "folder", "unread", "starred", "in_sent", "sort_ts",
    "hidden", "local",
)


def expand_recipients(conn: Connection, to: list[str]) -> list[str]:
    """Person ids of addresses ("person:<id>", "group:<id>"), in order, without repeats."""
    ids: list[str] = []
    for address in to:
        kind, _, value = str(address).partition(":")
        if kind == "person":
            ids.append(value)
        elif kind == "group":
            row = conn.exec_driver_sql("SELECT member_ids FROM groups WHERE id = ?",
                                       (value,)).first()
            ids.extend(json.loads(row[0]) if row else [])
    return list(dict.fromkeys(ids))


def _people_by_id(conn: Connection, ids: list[str]) -> dict[str, Json]:
    rows = mirror.select_in(
        conn, "SELECT id, username, name, kind, role, status, has_portal_account FROM people "
        "WHERE id IN ({ids})", ids)
    return {r[0]: {"id": r[0], "username": r[1], "name": r[2], "kind": r[3], "role": r[4],
                   "status": r[5], "has_portal_account": bool(r[6])} for r in rows}


def _local_message(payload: Json, thread_id: str, me_id: str) -> Json:
    return {
        "id": payload["local_message_id"],
        "thread_id": thread_id,
        "sender_id": me_id,
        "sent_at": payload["sent_at"],
        "body_html": payload["body_html"],
        "body_text": visible_text(payload["body_html"]),
        "attachments": payload.get("attachments") or [],
        "can_delete": False,
        "local": 1,
    }


def _hide_draft(conn: Connection, draft_id: str | None) -> None:
    if draft_id:
        conn.exec_driver_sql("UPDATE drafts SET hidden = 1 WHERE id = ?", (draft_id,))


class _Message(CommandType):
    """A message sent: checked alike, and the draft it was sent from goes once answered."""

    keeps_text = True

    def check(self, response: Any) -> None:
        if not isinstance(response, dict):
            raise ProtocolError("The answer to a sent message is not an object.")
        shapes.check_thread(response.get("thread"), "thread")
        shapes.check_message(response.get("message"), "message")

    def _sent(self, conn: Connection, command: Command, keys: set[str] | None) -> Applied:
        """The rest of storing an answer (`keys` it changed, None when it was unreadable,
        which resets the local rows): the draft the message was sent from is gone."""
        p = command.payload
        out = Applied(optimistic.reset(conn, self.targets(p)) if keys is None else keys)
        if p.get("draft_id"):
            mirror.purge_drafts(conn, [p["draft_id"]])
            out.keys.add(f"draft:{p['draft_id']}")
        return out


def attachment_details(attachment_ids: list[str], known: list[Json] | None) -> list[Json]:
    """An Attachment per id, in order: as `known` gives it, else a stand-in to show."""
    by_id = {a["id"]: a for a in known or []}
    return [by_id.get(i, {"id": i, "filename": "attachment", "size": 0,
                          "content_type": "application/octet-stream", "sha256": ""})
            for i in attachment_ids]


class SendNew(_Message):
    kind = "send_new"
    fields = ("local_thread_id", "local_message_id", "to", "subject", "body_html",
              "attachment_ids", "attachments", "draft_id", "sent_at")
    creates = ("local_thread_id", "local_message_id")

    @staticmethod
    def build(to: list[str], subject: str, body_html: str, attachment_ids: list[str],
              draft_id: str | None, attachments: list[Json] | None) -> Json:
        """A new conversation under local ids of its own (the thread's is its handle)."""
        ids = list(attachment_ids)
        return {
            "local_thread_id": outbox.new_local_id(),
            "local_message_id": outbox.new_local_id(),
            "to": list(to), "subject": subject, "body_html": body_html,
            "attachment_ids": ids, "attachments": attachment_details(ids, attachments),
            "draft_id": draft_id, "sent_at": outbox.utc_now(),
        }

    def effect(self, conn: Connection, payload: Json) -> None:
        p = payload
        me = optimistic.me_person(conn) or {"id": "", "name": "Me", "kind": "staff"}
        others = [i for i in expand_recipients(conn, p["to"]) if i != me["id"]]
        known = _people_by_id(conn, others)
        participants = [me] + [known.get(i, {"id": i, "name": "Unknown person",
                                             "kind": "staff"}) for i in others]
        ts = timestamp(p["sent_at"])
        conn.exec_driver_sql(
            mirror.upsert_sql("threads", _LOCAL_THREAD, _LOCAL_THREAD[1:]),
            (p["local_thread_id"], p["subject"], me["id"], p["sent_at"], p["sent_at"], ts,
             sum(1 for x in participants if x.get("kind") == "client"), 1,
             json.dumps(participants), 1, None, 0, 0, "sent", 0, 0, 1, ts, 0, 1),
        )
        mirror.upsert_messages(conn, [_local_message(p, p["local_thread_id"], me["id"])])
        _hide_draft(conn, p.get("draft_id"))

    def targets(self, payload: Json) -> set[str]:
        return optimistic.row_keys(thread=payload["local_thread_id"],
                                   message=payload["local_message_id"],
                                   draft=payload.get("draft_id"))

    def send(self, channel: Channel, command: Command) -> Any:
        p = command.payload
        return channel.api.create_thread(p["to"], p["subject"], p["body_html"],
                                         p["attachment_ids"], p.get("draft_id"),
                                         idempotency_key=command.idempotency_key)

    def store(self, conn: Connection, command: Command, response: Any) -> Applied:
        p = command.payload
        if response is None:
            return self._sent(conn, command, None)
        thread, message = response["thread"], response["message"]
        mirror.upsert_threads(conn, [thread])
        mirror.set_state_if_unknown(conn, {"thread_id": thread["id"], "folder": "sent",
                                           "unread": False, "starred": False,
                                           "in_sent": True})
        mirror.upsert_messages(conn, [message])
        keys = {f"thread:{thread['id']}", f"message:{message['id']}"}
        keys |= outbox.rewrite_local_id(conn, p["local_thread_id"], thread["id"])
        keys |= outbox.rewrite_local_id(conn, p["local_message_id"], message["id"])
        return self._sent(conn, command, keys)


class Reply(_Message):
    kind = "reply"
    fields = ("thread_id", "local_message_id", "body_html", "attachment_ids", "attachments",
              "draft_id", "sent_at")
    creates = ("local_message_id",)

    @staticmethod
    def build(thread_id: str, body_html: str, attachment_ids: list[str], draft_id: str | None,
              attachments: list[Json] | None) -> Json:
        ids = list(attachment_ids)
        return {
            "thread_id": thread_id, "local_message_id": outbox.new_local_id(),
            "body_html": body_html, "attachment_ids": ids,
            "attachments": attachment_details(ids, attachments),
            "draft_id": draft_id, "sent_at": outbox.utc_now(),
        }

    def effect(self, conn: Connection, payload: Json) -> None:
        p = payload
        me = optimistic.me_person(conn) or {"id": "", "name": "Me"}
        mirror.upsert_messages(conn, [_local_message(p, p["thread_id"], me["id"])])
        conn.exec_driver_sql(
            "UPDATE threads SET in_sent = 1, sort_ts = max(coalesce(sort_ts, 0), ?) "
            "WHERE id = ?", (timestamp(p["sent_at"]), p["thread_id"]),
        )
        _hide_draft(conn, p.get("draft_id"))

    def targets(self, payload: Json) -> set[str]:
        return optimistic.row_keys(thread=payload["thread_id"],
                                   message=payload["local_message_id"],
                                   draft=payload.get("draft_id"))

    def send(self, channel: Channel, command: Command) -> Any:
        p = command.payload
        return channel.api.add_message(p["thread_id"], p["body_html"], p["attachment_ids"],
                                       p.get("draft_id"),
                                       idempotency_key=command.idempotency_key)

    def store(self, conn: Connection, command: Command, response: Any) -> Applied:
        if response is None:
            return self._sent(conn, command, None)
        thread, message = response["thread"], response["message"]
        mirror.upsert_threads(conn, [thread])
        mirror.upsert_messages(conn, [message])
        keys = {f"thread:{thread['id']}", f"message:{message['id']}"}
        keys |= outbox.rewrite_local_id(conn, command.payload["local_message_id"],
                                        message["id"])
        return self._sent(conn, command, keys)

    def reported_thread(self, payload: Json) -> str:
        return str(payload.get("thread_id") or "")


class QuickNote(CommandType):
    """A note for the client's chart: nothing in the mailbox changes."""

    kind = "quick_note"
    fields = ("thread_id", "body")

    def send(self, channel: Channel, command: Command) -> Any:
        p = command.payload
        return channel.api.quick_note(p["thread_id"], p["body"],
                                      idempotency_key=command.idempotency_key)


class DeleteMessage(CommandType):
    kind = "delete_message"
    fields = ("message_id", "thread_id")
    gone_is_done = True

    def effect(self, conn: Connection, payload: Json) -> None:
        conn.exec_driver_sql("UPDATE messages SET hidden = 1 WHERE id = ?",
                             (payload["message_id"],))

    def targets(self, payload: Json) -> set[str]:
        return optimistic.row_keys(message=payload["message_id"],
                                   thread=payload.get("thread_id"))

    def send(self, channel: Channel, command: Command) -> Any:
        return channel.api.delete_message(command.payload["message_id"])

    def store(self, conn: Connection, command: Command, response: Any) -> Applied:
        p = command.payload
        return Applied({f"message:{p['message_id']}", f"thread:{p.get('thread_id')}"},
                       mirror.purge_messages(conn, [p["message_id"]]))

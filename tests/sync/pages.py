"""Change-feed pages built by hand, for tests of the cache that need no server."""

from __future__ import annotations

from typing import Any

Json = dict[str, Any]

ME = {"id": "person-me-000000000001", "username": "dr.rivera", "name": "Dr. Sofia Rivera",
      "kind": "staff", "role": "therapist", "status": None, "has_portal_account": True}
ALEX = {"id": "person-alex-0000000001", "username": "alex", "name": "Alex Morgan",
        "kind": "client", "role": None, "status": "active", "has_portal_account": True}
CHEN = {"id": "person-chen-0000000001", "username": "dr.chen", "name": "Dr. Wei Chen",
        "kind": "staff", "role": "therapist", "status": None, "has_portal_account": True}


def at(minute: int) -> str:
    return f"2026-03-01T09:{minute:02d}:00Z"


def thread(tid: str, subject: str, minute: int, people: list[Json] | None = None,
           count: int = 1) -> Json:
    return {"id": tid, "subject": subject, "created_by": ALEX["id"], "created_at": at(minute),
            "last_message_at": at(minute), "participants": people or [ME, ALEX],
            "client_count": 1, "message_count": count, "can_reply": True,
            "reply_blocked_reason": None, "can_delete": False, "can_quick_note": True}


def message(mid: str, tid: str, text: str, minute: int, sender: Json = ALEX,
            attachments: list[Json] | None = None) -> Json:
    return {"id": mid, "thread_id": tid, "sender_id": sender["id"], "sent_at": at(minute),
            "body_html": f"<p>{text}</p>", "body_text": text, "attachments": attachments or [],
            "can_delete": False}


def state(tid: str, folder: str = "inbox", unread: bool = True, starred: bool = False,
          in_sent: bool = False) -> Json:
    return {"thread_id": tid, "folder": folder, "unread": unread, "starred": starred,
            "in_sent": in_sent}


def page(cursor: str = "1", more: bool = False, **lists: Any) -> Json:
    out: Json = {"cursor": cursor, "more": more, "threads": [], "messages": [], "states": [],
                 "drafts": [], "folders": [], "people": [],
                 "deleted": {"threads": [], "messages": [], "drafts": [], "folders": []}}
    deleted = lists.pop("deleted", {})
    out.update(lists)
    out["deleted"].update(deleted)
    return out


def offline_send(local_thread: str, local_message: str, body_html: str = "<p>Written on the "
                 "train.</p>", attachments: list[Json] | None = None) -> Json:
    """The outbox payload of a new thread to Alex written while offline."""
    attachments = attachments or []
    return {"local_thread_id": local_thread, "local_message_id": local_message,
            "to": [f"person:{ALEX['id']}"], "subject": "Offline note", "body_html": body_html,
            "attachment_ids": [a["id"] for a in attachments], "attachments": attachments,
            "draft_id": None, "sent_at": "2026-03-01T10:00:00Z"}


def offline_reply(thread_id: str, local_message: str, body_html: str) -> Json:
    """The outbox payload of a reply written while offline."""
    return {"thread_id": thread_id, "local_message_id": local_message, "body_html": body_html,
            "attachment_ids": [], "attachments": [], "draft_id": None,
            "sent_at": "2026-03-01T10:01:00Z"}

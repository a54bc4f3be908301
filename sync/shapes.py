"""Checks that what the server sent has the shape API.md gives, before any of it is stored.

A page that fails is refused as a whole with a ProtocolError naming the first problem, so a
broken answer never reaches the cache half-applied.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sync.errors import ProtocolError

Json = dict[str, Any]

Types = tuple[type, ...]
_STR: Types = (str,)
_OPT_STR: Types = (str, type(None))
_BOOL: Types = (bool,)
_INT: Types = (int,)
_LIST: Types = (list,)

PERSON: dict[str, Types] = {"id": _STR, "name": _STR, "kind": _STR}
THREAD: dict[str, Types] = {
    "id": _STR,
    "subject": _STR,
    "created_by": _STR,
    "created_at": _STR,
    "last_message_at": _STR,
    "participants": _LIST,
    "client_count": _INT,
    "message_count": _INT,
    "can_reply": _BOOL,
    "reply_blocked_reason": _OPT_STR,
    "can_delete": _BOOL,
    "can_quick_note": _BOOL,
}
MESSAGE: dict[str, Types] = {
    "id": _STR,
    "thread_id": _STR,
    "sender_id": _STR,
    "sent_at": _STR,
    "body_html": _STR,
    "body_text": _STR,
    "attachments": _LIST,
    "can_delete": _BOOL,
}
ATTACHMENT: dict[str, Types] = {
    "id": _STR, "filename": _STR, "size": _INT, "content_type": _STR, "sha256": _STR,
}
STATE: dict[str, Types] = {"thread_id": _STR, "folder": _STR, "unread": _BOOL, "starred": _BOOL}
DRAFT: dict[str, Types] = {
    "id": _STR,
    "to": _LIST,
    "subject": _STR,
    "body_html": _STR,
    "attachment_ids": _LIST,
    "thread_id": _OPT_STR,
    "updated_at": _STR,
}
FOLDER: dict[str, Types] = {"id": _STR, "name": _STR}
PAGE_LISTS = {
    "threads": THREAD,
    "messages": MESSAGE,
    "states": STATE,
    "drafts": DRAFT,
    "folders": FOLDER,
    "people": PERSON,
}
DELETED_KINDS = ("threads", "messages", "drafts", "folders")


def timestamp(value: str) -> float:
    """Seconds since the epoch of an RFC 3339 time (the server's times are UTC)."""
    return datetime.fromisoformat(value).timestamp()


def _check_object(obj: Any, fields: dict[str, tuple[type, ...]], where: str) -> None:
    if not isinstance(obj, dict):
        raise ProtocolError(f"{where} is not an object.")
    for name, types in fields.items():
        if name not in obj:
            raise ProtocolError(f"{where} has no '{name}'.")
        value = obj[name]
        # bool is an int in Python; a count must not be true/false.
        if not isinstance(value, types) or (types == _INT and isinstance(value, bool)):
            raise ProtocolError(f"{where}.{name} has the wrong type ({type(value).__name__}).")


def _check_time(obj: Json, name: str, where: str) -> None:
    try:
        timestamp(obj[name])
    except (TypeError, ValueError) as exc:
        raise ProtocolError(f"{where}.{name} is not a time: {obj[name]!r}.") from exc


def check_person(obj: Any, where: str = "person") -> None:
    _check_object(obj, PERSON, where)


def check_thread(obj: Any, where: str = "thread") -> None:
    _check_object(obj, THREAD, where)
    _check_time(obj, "created_at", where)
    _check_time(obj, "last_message_at", where)
    for i, person in enumerate(obj["participants"]):
        check_person(person, f"{where}.participants[{i}]")


def check_message(obj: Any, where: str = "message") -> None:
    _check_object(obj, MESSAGE, where)
    _check_time(obj, "sent_at", where)
    for i, attachment in enumerate(obj["attachments"]):
        _check_object(attachment, ATTACHMENT, f"{where}.attachments[{i}]")
    if "receipts" in obj and not isinstance(obj["receipts"], list):
        raise ProtocolError(f"{where}.receipts is not a list.")


def check_attachment(obj: Any, where: str = "attachment") -> None:
    _check_object(obj, ATTACHMENT, where)


def check_state(obj: Any, where: str = "state") -> None:
    _check_object(obj, STATE, where)
    if not isinstance(obj.get("in_sent", False), bool):
        raise ProtocolError(f"{where}.in_sent is not true or false.")


def check_draft(obj: Any, where: str = "draft") -> None:
    _check_object(obj, DRAFT, where)


def check_folder(obj: Any, where: str = "folder") -> None:
    _check_object(obj, FOLDER, where)


_CHECKERS = {
    "threads": check_thread,
    "messages": check_message,
    "states": check_state,
    "drafts": check_draft,
    "folders": check_folder,
    "people": check_person,
}


def check_page(page: Any) -> Json:
    """Returns the page with every list present (empty where the server left one out)."""
    if not isinstance(page, dict):
        raise ProtocolError("The change page is not a JSON object.")
    if not isinstance(page.get("cursor"), str) or not page["cursor"]:
        raise ProtocolError("The change page has no cursor.")
    if not isinstance(page.get("more"), bool):
        raise ProtocolError("The change page does not say whether more follows.")
    checked: Json = {"cursor": page["cursor"], "more": page["more"]}
    for name, check in _CHECKERS.items():
        items = page.get(name, [])
        if not isinstance(items, list):
            raise ProtocolError(f"The change page's '{name}' is not a list.")
        for i, item in enumerate(items):
            check(item, f"{name}[{i}]")
        checked[name] = items
    deleted = page.get("deleted", {})
    if not isinstance(deleted, dict):
        raise ProtocolError("The change page's 'deleted' is not an object.")
    checked["deleted"] = {}
    for kind in DELETED_KINDS:
        ids = deleted.get(kind, [])
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            raise ProtocolError(f"The change page's deleted.{kind} is not a list of ids.")
        checked["deleted"][kind] = ids
    return checked


def check_snapshot(snapshot: Any) -> Json:
    """The snapshot as a page of the feed's shape (no cursor of its own), with `newest` (thread
    ids by folder) and `feed_size` (None when the server did not say)."""
    if not isinstance(snapshot, dict):
        raise ProtocolError("The snapshot is not a JSON object.")
    checked = check_page({**snapshot, "cursor": "snapshot", "more": True})
    newest = snapshot.get("newest", {})
    if not isinstance(newest, dict) or not all(
            isinstance(ids, list) and all(isinstance(i, str) for i in ids)
            for ids in newest.values()):
        raise ProtocolError("The snapshot's 'newest' is not lists of thread ids by folder.")
    size = snapshot.get("feed_size")
    if size is not None and (not isinstance(size, int) or isinstance(size, bool) or size < 0):
        raise ProtocolError("The snapshot's 'feed_size' is not a count.")
    checked.update(newest=newest, feed_size=size)
    return checked


def check_session(obj: Any) -> Json:
    whole: Types = (dict,)
    _check_object(obj, {"user": whole, "practice": whole, "limits": whole}, "session")
    check_person(obj["user"], "session.user")
    return obj


def check_directory(obj: Any) -> Json:
    _check_object(obj, {"people": _LIST, "groups": _LIST}, "directory")
    for i, person in enumerate(obj["people"]):
        check_person(person, f"directory.people[{i}]")
    for i, group in enumerate(obj["groups"]):
        _check_object(group, {"id": _STR, "name": _STR, "member_ids": _LIST},
                      f"directory.groups[{i}]")
    return obj

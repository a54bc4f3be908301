"""Before re-sending a command the server cannot recognize as a repeat, look whether it landed.

POST /threads and POST /threads/{id}/messages honour Idempotency-Key. For the few other
creating requests whose key the server may ignore (a new folder, a quick note), a retry
after a lost answer could do the thing twice; so a retry first asks the server whether the
first attempt already did it, and takes that as the answer.
"""

from __future__ import annotations

import json
from typing import Any

from sync.api import ApiClient
from sync.cache import Cache
from sync.outbox import Command

Json = dict[str, Any]


def _known_folder_ids(cache: Cache) -> set[str]:
    with cache.read() as conn:
        rows = conn.exec_driver_sql("SELECT id FROM folders WHERE srv_name IS NOT NULL").all()
    return {r[0] for r in rows}


def _folder_made(api: ApiClient, cache: Cache, command: Command) -> Json | None:
    name = " ".join(str(command.payload["name"]).split())
    known = _known_folder_ids(cache)
    for folder in api.folders().get("folders") or []:
        if (isinstance(folder, dict) and folder.get("name") == name
                and folder.get("id") not in known):
            return folder
    return None


def _thread_client(cache: Cache, thread_id: str) -> str | None:
    with cache.read() as conn:
        row = conn.exec_driver_sql("SELECT participants FROM threads WHERE id = ?",
                                   (thread_id,)).first()
    for person in json.loads(row[0]) if row and row[0] else []:
        if person.get("kind") == "client":
            return str(person["id"])
    return None


def _note_made(api: ApiClient, cache: Cache, command: Command) -> Json | None:
    thread_id = command.payload["thread_id"]
    client_id = _thread_client(cache, thread_id)
    me = cache.me()
    if client_id is None or me is None:
        return None
    body = str(command.payload["body"]).strip()
    seen = set(command.payload.get("notes_before") or [])
    for note in api.client_notes(client_id).get("notes") or []:
        if (isinstance(note, dict) and note.get("thread_id") == thread_id
                and note.get("author_id") == me["id"] and note.get("body") == body
                and note.get("id") not in seen):
            return {"note": note}
    return None


#: Commands whose attempts are counted before sending, so a retry knows one may have landed.
CHECKED_BEFORE_RETRY = frozenset({"create_folder", "quick_note"})


def prepare(api: ApiClient, cache: Cache, command: Command) -> Command:
    """Before a quick note is first sent, remembers the notes that already exist."""
    if command.kind != "quick_note" or "notes_before" in command.payload:
        return command
    client_id = _thread_client(cache, command.payload["thread_id"])
    notes = api.client_notes(client_id).get("notes") or [] if client_id else []
    payload = dict(command.payload, notes_before=[n.get("id") for n in notes
                                                  if isinstance(n, dict)])
    with cache.write() as conn:
        conn.exec_driver_sql("UPDATE outbox SET payload = ? WHERE id = ?",
                             (json.dumps(payload), command.id))
    return Command(command.id, command.kind, payload, command.idempotency_key, command.summary,
                   command.attempts, command.last_error)


def already_done(api: ApiClient, cache: Cache, command: Command) -> Any:
    """The server's result of an earlier attempt of `command`, or None to send it (again)."""
    if command.kind not in CHECKED_BEFORE_RETRY or command.attempts == 0:
        return None
    if command.kind == "create_folder":
        return _folder_made(api, cache, command)
    return _note_made(api, cache, command)

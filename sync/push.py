"""The push side of the engine: sends outbox commands in order, each until the server answers.

Network failures and 5xx answers are retried with backoff and the same idempotency key; an
answer removes the command in the same transaction that stores what the server returned.
A refusal (4xx) rolls the optimistic change back and is reported with the server's detail.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import Connection

from sync import outbox, shapes
from sync.api import ApiClient
from sync.backoff import Backoff
from sync.blobs import BlobCache, upload_sealed
from sync.cache import Cache, mirror, optimistic
from sync.errors import ApiError, NetworkError, ProtocolError
from sync.events import CacheChanged, Change, CommandFailed, UploadProgress
from sync.outbox import Command
from sync.status import Emitter, StatusTracker
from sync.unsent_text import KEPT_NOTE, keep_as_draft

log = logging.getLogger(__name__)
Json = dict[str, Any]

#: Payload fields naming what a command itself creates (not things it waits for).
CREATES = {
    "send_new": ("local_thread_id", "local_message_id"),
    "reply": ("local_message_id",),
    "create_folder": ("local_folder_id",),
    "upload": ("local_attachment_id",),
}
#: Refusals that mean the thing is already gone: the command's goal is met.
GONE_IS_DONE = {"delete_draft", "delete_message", "delete_thread", "delete_folder",
                "delete_upload"}
#: Refusal codes that also meet a command's goal: an upload a sent message carries stays
#: with the message, which is all taking it off a draft asked for.
DONE_ANYWAY = {"delete_upload": "attachment_in_use"}
MAX_SERVER_ERRORS = 10


@dataclass
class Applied:
    keys: set[str] = field(default_factory=set)
    purged_attachments: list[str] = field(default_factory=list)


class Pusher:
    def __init__(
        self,
        cache: Cache,
        api: ApiClient,
        blobs: BlobCache,
        emit: Emitter,
        status: StatusTracker,
        stop: threading.Event,
        wake: threading.Event,
        *,
        backoff: Backoff,
        on_stopped: Callable[[str, str], None],
    ) -> None:
        self.cache = cache
        self.api = api
        self.blobs = blobs
        self.emit = emit
        self.status = status
        self.stop = stop
        self.wake = wake
        self.backoff = backoff
        self.on_stopped = on_stopped
        self.idle = threading.Event()
        self.last_answer = 0.0  # time.monotonic() of the last command the server answered
        self.answered = threading.Event()  # set after each answer, for the pull side

    # -- the loop -------------------------------------------------------------------------

    def run(self) -> None:
        while not self.stop.is_set():
            self.wake.clear()
            with self.cache.read() as conn:
                command = outbox.head(conn)
                size = outbox.count(conn)
            self.status.outbox_size(size)
            if command is None:
                self.idle.set()
                self.wake.wait(timeout=5.0)
                continue
            self.idle.clear()
            try:
                if not self.process(command):
                    return
            except Exception as exc:  # a bug must not kill the thread silently
                log.exception("push failed on %s", command.kind)
                self.on_stopped("internal_error", f"Sending stopped because of an error: {exc}")
                return

    def process(self, command: Command) -> bool:
        """Sends one command; False when pushing must stop (signed out)."""
        waiting_for = outbox.local_ids_in(command.payload) - {
            command.payload[name] for name in CREATES.get(command.kind, ())
        }
        if waiting_for:
            self._refuse(command, "depends_on_failed",
                         "This was not sent because something it needs (a conversation, "
                         "folder or attachment made while offline) could not be sent first.")
            return True
        try:
            response = self._send(command)
            check_answer(command.kind, response)
        except NetworkError as exc:
            self._retry(command, exc.reason, None, server_error=False)
            return True
        except ApiError as exc:
            if exc.status == 401:
                self.status.offline("Your session has ended; sign in again to send.")
                self.on_stopped(exc.code, "Your session has ended; sign in again to keep "
                                "syncing. Unsent messages are kept.")
                return False
            if exc.retryable:
                self._retry(command, exc.detail, exc.retry_after, server_error=exc.status >= 500)
            elif (exc.status == 404 and command.kind in GONE_IS_DONE
                  or DONE_ANYWAY.get(command.kind) == exc.code):
                self._succeed(command, None)
            else:
                self._refuse(command, exc.code, exc.detail)
            return True
        except ProtocolError:
            # The server acted (it answered 2xx) but its answer is unreadable: the change
            # feed will bring the result.
            log.warning("unreadable answer to %s; relying on the change feed", command.kind)
            self._succeed(command, None)
            return True
        self._succeed(command, response)
        self.status.online(synced=False)
        return True

    def _retry(self, command: Command, reason: str, retry_after: float | None,
               server_error: bool) -> None:
        with self.cache.write() as conn:
            outbox.note_attempt(conn, command.id, reason)
        if server_error and command.attempts + 1 >= MAX_SERVER_ERRORS:
            self._refuse(command, "server_error",
                         f"The server kept failing on this ({reason}); it was not sent.")
            return
        if not server_error:
            self.status.offline(reason)
        self.stop.wait(self.backoff.delay(command.attempts, retry_after))

    # -- sending --------------------------------------------------------------------------

    def _send(self, command: Command) -> Any:
        p, key, api = command.payload, command.idempotency_key, self.api
        kind = command.kind
        if kind == "send_new":
            return api.create_thread(p["to"], p["subject"], p["body_html"], p["attachment_ids"],
                                     p.get("draft_id"), idempotency_key=key)
        if kind == "reply":
            return api.add_message(p["thread_id"], p["body_html"], p["attachment_ids"],
                                   p.get("draft_id"), idempotency_key=key)
        if kind == "set_state":
            ids = list(p["thread_ids"])
            fields = {k: p.get(k) for k in ("folder", "unread", "starred")}
            if len(ids) == 1:
                return {"states": [api.set_thread_state(ids[0], **fields)]}
            return api.set_thread_states(ids, **fields, idempotency_key=key)
        if kind == "mark_read":
            return api.thread(p["thread_id"])
        if kind == "save_draft":
            return api.put_draft(p["draft"])
        if kind == "delete_draft":
            return api.delete_draft(p["draft_id"])
        if kind == "delete_message":
            return api.delete_message(p["message_id"])
        if kind == "delete_thread":
            return api.delete_thread(p["thread_id"])
        if kind == "quick_note":
            return api.quick_note(p["thread_id"], p["body"], idempotency_key=key)
        if kind == "set_client_status":
            return api.set_client_status(p["client_id"], p["status"])
        if kind == "create_folder":
            return api.create_folder(p["name"], idempotency_key=key)
        if kind == "rename_folder":
            return api.rename_folder(p["folder_id"], p["name"])
        if kind == "delete_folder":
            return api.delete_folder(p["folder_id"])
        if kind == "upload":
            return self._upload(command)
        if kind == "delete_upload":
            return api.delete_blob(p["attachment_id"])
        raise ValueError(f"unknown command kind {kind!r}")

    def _upload(self, command: Command) -> Json:
        p = command.payload
        local_id = p["local_attachment_id"]
        staged = self.blobs.staged_path(local_id)
        if not staged.exists():
            raise ApiError(410, "attachment_missing",
                           f"The copy of {p['filename']} kept for sending is gone; attach it "
                           "again.")

        def progress(done: int, total: int) -> None:
            self.emit(UploadProgress(local_id, done, total))

        return upload_sealed(self.api, staged, self.blobs.file_key, p["filename"], progress,
                             idempotency_key=command.idempotency_key)

    # -- outcomes -------------------------------------------------------------------------

    def _succeed(self, command: Command, response: Any) -> None:
        with self.cache.write() as conn:
            outbox.remove(conn, command.id)
            applied = store_answer(conn, command, response)
            applied.keys |= outbox.replay(conn, applied.keys)
        if command.kind == "upload" and isinstance(response, dict):
            self.blobs.adopt_staged(command.payload["local_attachment_id"], response["id"])
        if applied.purged_attachments:
            self.blobs.remove(applied.purged_attachments)
        self._changed(applied.keys)

    def _refuse(self, command: Command, code: str, detail: str) -> None:
        with self.cache.write() as conn:
            keys = outbox.rollback(conn, command)
            kept = keep_as_draft(conn, command)
        if kept is not None:
            keys.add(f"draft:{kept}")
            detail = f"{detail} {KEPT_NOTE}".strip()
        if command.kind == "upload":
            self.blobs.drop_staged(command.payload["local_attachment_id"])
        self._changed(keys)
        thread_id = command.payload.get("thread_id") if command.kind == "reply" else None
        self.emit(CommandFailed(command.kind, code, detail, str(thread_id or ""), kept or ""))

    def _changed(self, keys: set[str]) -> None:
        self.last_answer = time.monotonic()
        self.answered.set()
        kinds = {Change.OUTBOX}
        thread_ids = set()
        for key in keys:
            prefix, _, ident = key.partition(":")
            if prefix == "thread":
                kinds |= {Change.THREADS, Change.STATES, Change.MESSAGES}
                thread_ids.add(ident)
            elif prefix == "message":
                kinds.add(Change.MESSAGES)
            elif prefix == "draft":
                kinds.add(Change.DRAFTS)
            elif prefix == "folder":
                kinds |= {Change.FOLDERS, Change.STATES}
            elif prefix == "person":
                kinds.add(Change.PEOPLE)
        self.emit(CacheChanged(frozenset(kinds), frozenset(thread_ids)))
        with self.cache.read() as conn:
            self.status.outbox_size(outbox.count(conn))


def check_answer(kind: str, response: Any) -> None:
    """Raises ProtocolError unless the answer to a command has the shape API.md gives."""
    if kind in ("send_new", "reply"):
        if not isinstance(response, dict):
            raise ProtocolError("The answer to a sent message is not an object.")
        shapes.check_thread(response.get("thread"), "thread")
        shapes.check_message(response.get("message"), "message")
    elif kind == "set_state":
        for i, state in enumerate(response.get("states") or []):
            shapes.check_state(state, f"states[{i}]")
    elif kind == "mark_read":
        shapes.check_thread(response.get("thread"), "thread")
        shapes.check_state(response.get("state"), "state")
        for i, message in enumerate(response.get("messages") or []):
            shapes.check_message(message, f"messages[{i}]")
    elif kind == "save_draft":
        shapes.check_draft(response)
    elif kind == "set_client_status":
        shapes.check_person(response)
    elif kind in ("create_folder", "rename_folder"):
        shapes.check_folder(response)
    elif kind == "upload":
        shapes.check_attachment(response)


def store_answer(conn: Connection, command: Command, response: Any) -> Applied:
    """Writes the server's answer to a command into the cache (the command is removed)."""
    p, kind, out = command.payload, command.kind, Applied()
    if kind in ("send_new", "reply"):
        if response is not None:
            thread, message = response["thread"], response["message"]
            mirror.upsert_threads(conn, [thread])
            if kind == "send_new":
                mirror.set_state_if_unknown(conn, {"thread_id": thread["id"], "folder": "sent",
                                                   "unread": False, "starred": False,
                                                   "in_sent": True})
            mirror.upsert_messages(conn, [message])
            out.keys |= {f"thread:{thread['id']}", f"message:{message['id']}"}
            if kind == "send_new":
                out.keys |= outbox.rewrite_local_id(conn, p["local_thread_id"], thread["id"])
            out.keys |= outbox.rewrite_local_id(conn, p["local_message_id"], message["id"])
        else:
            out.keys |= optimistic.reset(conn, optimistic.targets(kind, p))
        if p.get("draft_id"):
            mirror.purge_drafts(conn, [p["draft_id"]])
            out.keys.add(f"draft:{p['draft_id']}")
    elif kind in ("set_state", "mark_read"):
        states: list[Json] = []
        if isinstance(response, dict):
            states = response.get("states") or ([response["state"]] if "state" in response
                                                else [])
        mirror.upsert_states(conn, states)
        if kind == "mark_read" and isinstance(response, dict):
            mirror.upsert_threads(conn, [response["thread"]])
            mirror.upsert_messages(conn, response.get("messages") or [])
        ids = p["thread_ids"] if kind == "set_state" else [p["thread_id"]]
        out.keys |= {f"thread:{i}" for i in ids}
    elif kind == "save_draft":
        if isinstance(response, dict):
            mirror.upsert_drafts(conn, [response])
        out.keys.add(f"draft:{p['draft']['id']}")
    elif kind == "delete_draft":
        mirror.purge_drafts(conn, [p["draft_id"]])
        out.keys.add(f"draft:{p['draft_id']}")
    elif kind == "delete_message":
        out.purged_attachments = mirror.purge_messages(conn, [p["message_id"]])
        out.keys |= {f"message:{p['message_id']}", f"thread:{p.get('thread_id')}"}
    elif kind == "delete_thread":
        out.purged_attachments = mirror.purge_threads(conn, [p["thread_id"]])
        out.keys.add(f"thread:{p['thread_id']}")
    elif kind == "set_client_status":
        if isinstance(response, dict):
            mirror.upsert_people(conn, [response])
        out.keys.add(f"person:{p['client_id']}")
    elif kind in ("create_folder", "rename_folder"):
        if isinstance(response, dict):
            mirror.upsert_folders(conn, [response])
            out.keys.add(f"folder:{response['id']}")
            if kind == "create_folder":
                out.keys |= outbox.rewrite_local_id(conn, p["local_folder_id"], response["id"])
    elif kind == "delete_folder":
        mirror.purge_folders(conn, [p["folder_id"]])
        out.keys |= {f"folder:{p['folder_id']}", "thread:*"}
    elif kind == "upload" and isinstance(response, dict):
        out.keys |= outbox.rewrite_local_id(conn, p["local_attachment_id"], response["id"])
    elif kind == "delete_upload":
        out.purged_attachments = [p["attachment_id"]]  # the local encrypted copy goes too
    out.keys.discard("thread:*")
    return out

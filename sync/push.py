"""The push side of the engine: sends outbox commands in order, each until the server answers.

Network failures and 5xx answers are retried with backoff and the same idempotency key; an
answer removes the command in the same transaction that stores what the server returned.
A refusal (4xx) rolls the optimistic change back and is reported with the server's detail;
since the server refused what the client's rules allowed, the limits and capabilities the
client knows may be out of date, and /session is asked again (`on_refused`).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from sync import commands, outbox
from sync.api import ApiClient
from sync.backoff import Backoff
from sync.blobs import BlobCache
from sync.cache import Cache
from sync.errors import ApiError, NetworkError, ProtocolError
from sync.events import CacheChanged, Change, CommandFailed
from sync.outbox import Command
from sync.status import Emitter, StatusTracker
from sync.unsent_text import KEPT_NOTE, keep_as_draft

log = logging.getLogger(__name__)

MAX_SERVER_ERRORS = 10


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
        on_refused: Callable[[], None] = lambda: None,
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
        self.on_refused = on_refused
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
        command_type = commands.by_kind(command.kind)
        waiting_for = outbox.local_ids_in(command.payload) - {
            command.payload[name] for name in command_type.creates
        }
        if waiting_for:
            self._refuse(command, "depends_on_failed",
                         "This was not sent because something it needs (a conversation, "
                         "folder or attachment made while offline) could not be sent first.")
            return True
        try:
            response = command_type.send(self, command)
            command_type.check(response)
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
            elif command_type.done_by(exc):
                self._succeed(command, None)
            else:
                self._refuse(command, exc.code, exc.detail)
                self.on_refused()
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

    # -- outcomes -------------------------------------------------------------------------

    def _succeed(self, command: Command, response: Any) -> None:
        command_type = commands.by_kind(command.kind)
        with self.cache.write() as conn:
            outbox.remove(conn, command.id)
            applied = command_type.store(conn, command, response)
            applied.keys |= outbox.replay(conn, applied.keys)
        command_type.answered(self.blobs, command, response)
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
        command_type = commands.by_kind(command.kind)
        command_type.refused(self.blobs, command)
        self._changed(keys)
        self.emit(CommandFailed(command.kind, code, detail,
                                command_type.reported_thread(command.payload), kept or ""))

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


"""The sync engine: keeps the cache current (pull) and delivers the user's commands (push).

Commands return at once: each is written to the outbox with its optimistic effect in one
transaction, then sent by the push thread. Everything the engine has to say arrives at the
listener as events (sync.events), called from the engine's threads.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from sync import outbox
from sync.api import ApiClient
from sync.backoff import Backoff
from sync.blobs import AttachmentRefused, BlobCache, check_attachment, content_type_of
from sync.cache import Cache
from sync.commands.drafts import SaveDraft
from sync.commands.messages import Reply, SendNew
from sync.commands.threads import SetState
from sync.events import CacheChanged, CacheRebuilt, Change, SyncStopped
from sync.pull import Puller
from sync.push import Pusher
from sync.status import Emitter, StatusTracker

Json = dict[str, Any]
Listener = Callable[[Any], None]
DEFAULT_BLOB_CAP = 512 * 1024 * 1024
PULL_JOIN_SECONDS = 0.3


def _short(text: str, n: int = 60) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= n else text[: n - 1] + "…"


class SyncEngine:
    """Runs pull and push for one signed-in user over one cache."""

    def __init__(
        self,
        cache: Cache,
        api: ApiClient,
        listener: Listener | None = None,
        *,
        blob_cache: BlobCache | None = None,
        page_limit: int = 500,
        poll_wait: float = 25.0,
        retry_base: float = 0.5,
        retry_cap: float = 60.0,
    ) -> None:
        self.cache = cache
        self.api = api
        self.emit = Emitter(listener)
        self.blobs = blob_cache or BlobCache(
            cache.path.with_name(cache.path.name + ".files"), cache.key, DEFAULT_BLOB_CAP, api)
        if self.blobs.api is None:
            self.blobs.api = api
        self.status = StatusTracker(self.emit, cache.outbox_count(), cache.last_sync())
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._threads: list[threading.Thread] = []
        self.stopped: tuple[str, str] | None = None
        backoff = Backoff(retry_base, retry_cap)
        self.puller = Puller(cache, api, self.blobs, self.emit, self.status, self._stop,
                             page_limit=page_limit, poll_wait=poll_wait, backoff=backoff,
                             on_stopped=self._on_stopped)
        self.pusher = Pusher(cache, api, self.blobs, self.emit, self.status, self._stop,
                             self._wake, backoff=backoff, on_stopped=self._on_stopped,
                             on_refused=self.puller.refresh_session)

    # -- lifecycle ------------------------------------------------------------------------

    def start(self) -> None:
        if self._threads:
            return
        if self.cache.rebuilt_reason:
            self.blobs.clear()
            self.emit(CacheRebuilt(self.cache.rebuilt_reason))
        for name, target in (("sync-pull", self.puller.run), ("sync-push", self.pusher.run)):
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self, timeout: float = 5.0) -> None:
        """Stops both threads without waiting out a long poll: the poll is cut, and once
        this has returned the pull side applies and reports nothing more (see sync.pull).

        A page being written is finished first; a command being sent is waited for up to
        `timeout` seconds."""
        self._stop.set()
        self._wake.set()
        self.puller.cut_poll()
        with self.puller.applying:
            pass  # a page being applied is done; none is applied after this
        self.emit.close()  # and nothing, a status change neither, is reported
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            wait = max(0.0, deadline - time.monotonic())
            if thread.name == "sync-pull":
                # It ends at once after the cut; left behind (harmless) if its answer was
                # already on the way, as during the initial sync's prefetch.
                wait = min(wait, PULL_JOIN_SECONDS)
            thread.join(wait)
        self.blobs.cleanup()

    @property
    def running(self) -> bool:
        """Whether a thread of the engine is still alive (False before start and once
        stop() has ended them)."""
        return any(thread.is_alive() for thread in self._threads)

    def _on_stopped(self, code: str, detail: str) -> None:
        """Pull or push cannot go on (signed out, unreadable server): both stop, once."""
        if self.stopped is None:
            self.stopped = (code, detail)
            self._stop.set()
            self._wake.set()
            self.emit(SyncStopped(code, detail))

    def wait_until_synced(self, timeout: float = 30.0) -> bool:
        """For scripts and tests: True once the outbox is empty and the cache holds
        everything the server had when this was called and when the last command was
        answered (a long poll out then is ended, to ask again at once)."""
        called = time.monotonic()
        deadline = called + timeout
        self.puller.poll_now()
        while time.monotonic() < deadline and not self.stopped:
            if self.pusher.answered.is_set():
                self.pusher.answered.clear()
                self.puller.poll_now()  # a long poll out may never hear of that answer
            since = self.puller.caught_up_since
            if (since is not None and since > max(called, self.pusher.last_answer)
                    and self.pusher.idle.is_set() and self.cache.outbox_count() == 0):
                return True
            with self.puller.caught_up:
                self.puller.caught_up.wait(0.05)
        return False

    # -- commands -------------------------------------------------------------------------

    def _enqueue(self, kind: str, payload: Json, summary: str,
                 thread_ids: Iterable[str] = ()) -> outbox.Command:
        return self._enqueue_all(kind, [(payload, summary)], thread_ids)[0]

    def _enqueue_all(self, kind: str, commands: list[tuple[Json, str]],
                     thread_ids: Iterable[str] = ()) -> list[outbox.Command]:
        """Queues commands of one action in one transaction: all of them or none."""
        with self.cache.write() as conn:
            queued = [outbox.enqueue(conn, kind, payload, summary)
                      for payload, summary in commands]
            size = outbox.count(conn)
        self._wake.set()
        self.status.outbox_size(size)
        kinds = {Change.OUTBOX, Change.THREADS, Change.STATES, Change.MESSAGES, Change.DRAFTS,
                 Change.FOLDERS, Change.PEOPLE}
        self.emit(CacheChanged(frozenset(kinds), frozenset(thread_ids)))
        return queued

    def attach(self, path: Path | str) -> Json:
        """Keeps an encrypted copy of a file and queues its upload; returns an Attachment
        with a local id to pass to send_new/reply. Refused at once (AttachmentRefused) if
        the server's limits forbid it."""
        return self.queue_upload(self.stage_attachment(path))

    def stage_attachment(self, path: Path | str) -> Json:
        """The slow half of `attach`, which writes nothing to the cache: checks the file and
        keeps an encrypted copy; returns the Attachment to give `queue_upload`."""
        path = Path(path)
        refusal = check_attachment(path, self.cache.limits())
        if refusal:
            raise AttachmentRefused(refusal)
        local_id = outbox.new_local_id()
        size = self.blobs.stage(path, local_id)
        return {"id": local_id, "filename": path.name, "size": size,
                "content_type": content_type_of(path), "sha256": ""}

    def queue_upload(self, attachment: Json) -> Json:
        """The outbox half of `attach`: queues the upload of a staged attachment."""
        self._enqueue("upload", {"local_attachment_id": attachment["id"],
                                 "filename": attachment["filename"],
                                 "size": attachment["size"]}, f"Upload {attachment['filename']}")
        return attachment

    def discard_upload(self, attachment_id: str) -> None:
        """An attachment taken off a draft before sending: queues removing the upload from
        the server (its file would otherwise wait there a day, counting against the quota).
        Works for an upload still queued too: the command follows it."""
        self._enqueue("delete_upload", {"attachment_id": attachment_id},
                      "Remove an attachment taken off a draft")

    def send_new(self, to: list[str], subject: str, body_html: str,
                 attachment_ids: list[str] | None = None, draft_id: str | None = None,
                 attachments: list[Json] | None = None) -> str:
        """Queues a new conversation; returns its local thread id."""
        payload = SendNew.build(to, subject, body_html, list(attachment_ids or []), draft_id,
                                attachments)
        self._enqueue("send_new", payload, f"New message: {_short(subject)}",
                      [payload["local_thread_id"]])
        return str(payload["local_thread_id"])

    def reply(self, thread_id: str, body_html: str, attachment_ids: list[str] | None = None,
              draft_id: str | None = None, attachments: list[Json] | None = None) -> str:
        """Queues a message in a thread; returns its local message id."""
        payload = Reply.build(thread_id, body_html, list(attachment_ids or []), draft_id,
                              attachments)
        self._enqueue("reply", payload, "Reply", [thread_id])
        return str(payload["local_message_id"])

    def set_state(self, thread_ids: Iterable[str], folder: str | None = None,
                  unread: bool | None = None, starred: bool | None = None) -> None:
        ids = list(dict.fromkeys(thread_ids))
        if not ids or (folder is None and unread is None and starred is None):
            return
        limit = self.cache.limits().get("max_bulk_ids")
        self._enqueue_all("set_state", SetState.build_all(
            ids, folder, unread, starred, limit if isinstance(limit, int) else None), ids)

    def mark_thread_read(self, thread_id: str) -> None:
        """Marks a thread read (GET /threads/{id} in the background, which also records
        read receipts); nothing is sent if it is read already."""
        with self.cache.read() as conn:
            row = conn.exec_driver_sql("SELECT unread FROM threads WHERE id = ?",
                                       (thread_id,)).first()
        if row is None or not row[0]:
            return
        self._enqueue("mark_read", {"thread_id": thread_id}, "Mark read", [thread_id])

    def save_draft(self, draft: Json, attachments: list[Json] | None = None) -> str:
        """Saves a draft (its "id" is made here when missing); returns the draft id.

        Attachment details (Attachments as `attach` or the server's upload returned them)
        come back from Cache.drafts() (see SaveDraft.build)."""
        payload = SaveDraft.build(draft, attachments)
        body = payload["draft"]
        self._enqueue("save_draft", payload, f"Save draft {_short(body['subject'])}")
        return str(body["id"])

    def delete_draft(self, draft_id: str) -> None:
        self._enqueue("delete_draft", {"draft_id": draft_id}, "Delete draft")

    def delete_message(self, message_id: str) -> None:
        with self.cache.read() as conn:
            row = conn.exec_driver_sql("SELECT thread_id FROM messages WHERE id = ?",
                                       (message_id,)).first()
        thread_id = row[0] if row else None
        self._enqueue("delete_message", {"message_id": message_id, "thread_id": thread_id},
                      "Delete message permanently", [thread_id] if thread_id else [])

    def delete_thread(self, thread_id: str) -> None:
        self._enqueue("delete_thread", {"thread_id": thread_id},
                      "Delete conversation permanently", [thread_id])

    def quick_note(self, thread_id: str, body: str) -> None:
        self._enqueue("quick_note", {"thread_id": thread_id, "body": body},
                      f"Chart note: {_short(body)}")

    def set_client_status(self, client_id: str, status: str) -> None:
        self._enqueue("set_client_status", {"client_id": client_id, "status": status},
                      f"Set client {status}")

    def create_folder(self, name: str) -> str:
        """Queues a new folder; returns its local id ("folder:local-...")."""
        local_id = outbox.new_local_id("folder:")
        self._enqueue("create_folder", {"local_folder_id": local_id, "name": name},
                      f"New folder {_short(name)}")
        return local_id

    def rename_folder(self, folder_id: str, name: str) -> None:
        self._enqueue("rename_folder", {"folder_id": folder_id, "name": name},
                      f"Rename folder to {_short(name)}")

    def delete_folder(self, folder_id: str) -> None:
        self._enqueue("delete_folder", {"folder_id": folder_id}, "Delete folder")

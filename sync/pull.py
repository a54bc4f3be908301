"""The pull side of the engine: the initial sync through /changes, then the long-poll loop.

Each page is applied in one transaction together with its cursor, so a crash at any moment
leaves a cache that resumes exactly where it stopped. An initial sync from nothing applies
the server's snapshot of the newest threads first (sync.backfill). While the initial sync
runs, the next page is already being fetched while the current one is written.

Stopping: every write (and the events telling of it) happens under `applying`, after a
check of the stop flag, so once SyncEngine.stop() has set the flag and taken that lock
once, nothing more is applied or reported. The long poll runs over a PollLine that
stop() cuts, so the thread ends at once instead of waiting out the poll; should an answer
still arrive, it is dropped.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sync import backfill, outbox, shapes
from sync.api import ApiClient
from sync.backoff import Backoff
from sync.blobs import BlobCache
from sync.cache import Cache, mirror, search_index
from sync.errors import ApiError, NetworkError, ProtocolError
from sync.events import (
    CacheChanged,
    CacheRebuilt,
    Change,
    NewMessage,
    SyncProgress,
)
from sync.status import Emitter, StatusTracker

log = logging.getLogger(__name__)
Json = dict[str, Any]

# Pages of the initial sync written in one transaction, at most this many messages together.
BATCH_MESSAGES = 4000

CURSOR_EXPIRED_REASON = (
    "The server can no longer update this computer's copy from where it left off; the copy "
    "is being downloaded again (unsent messages are kept)."
)


class Stopped(Exception):
    """The engine was stopped while a request was out; its answer is thrown away."""


class Puller:
    def __init__(
        self,
        cache: Cache,
        api: ApiClient,
        blobs: BlobCache | None,
        emit: Emitter,
        status: StatusTracker,
        stop: threading.Event,
        *,
        page_limit: int,
        poll_wait: float,
        backoff: Backoff,
        on_stopped: Callable[[str, str], None],
    ) -> None:
        self.cache = cache
        self.api = api
        self.blobs = blobs
        self.emit = emit
        self.status = status
        self.stop = stop
        self.page_limit = page_limit
        self.poll_wait = poll_wait
        self.backoff = backoff
        self.on_stopped = on_stopped
        self.caught_up = threading.Condition()
        # When (time.monotonic()) the request for the last page with nothing more after it
        # was sent: everything the server had committed by then is in the cache.
        self.caught_up_since: float | None = None
        self.generation = 0  # how many times the cache has caught up with the server
        self.fresh = threading.Event()  # set: the next request does not wait
        self._need_bootstrap = True
        self._progress = [0, 0]  # pages, messages of the current full sync
        self._fraction: float | None = None  # of the backfill (sync.backfill)
        self.applying = threading.RLock()  # see the module docstring
        self.polling = threading.Event()  # set while a long poll is out
        self._cut_on_purpose = threading.Event()
        self.line = api.poll_line()

    def poll_now(self) -> None:
        """Asks the server for its changes at once: the next request does not wait, and a long
        poll out now is ended (not as a failure) so that one can be sent. For a caller that
        needs the cache to hold what the server has now (`SyncEngine.wait_until_synced`)."""
        self.fresh.set()
        if self.polling.is_set():
            self._cut_on_purpose.set()
            self.line.cut()

    def refresh_session(self) -> None:
        """Asks /session and the directory again soon (from any thread): what the client
        knows of the limits and of what the user may do may be out of date."""
        self._need_bootstrap = True
        self.poll_now()

    def cut_poll(self) -> None:
        """Ends a long poll in flight at once (called by SyncEngine.stop)."""
        self.line.cut()

    # -- the loop -------------------------------------------------------------------------

    def run(self) -> None:
        try:
            self._loop()
        finally:
            self.line.close()

    def _loop(self) -> None:
        failures = 0
        while not self.stop.is_set():
            try:
                if self._need_bootstrap:
                    # Cleared first: a refresh asked for while this one runs is not lost.
                    self._need_bootstrap = False
                    try:
                        self.bootstrap()
                    except BaseException:
                        self._need_bootstrap = True
                        raise
                self.sync_pages()
                failures = 0
            except Stopped:
                return
            except (NetworkError, ProtocolError, ApiError) as exc:
                if self.stop.is_set():
                    return  # the failure of a request cut or dropped by stop()
                failures = self._failed(exc, failures)
            except Exception as exc:  # a bug must not kill the thread silently
                if self.stop.is_set():
                    return
                log.exception("pull failed")
                self._halt("internal_error", f"Syncing stopped because of an error: {exc}")
                return

    def _failed(self, exc: NetworkError | ProtocolError | ApiError, failures: int) -> int:
        """Reports a failed request and waits before the next; returns the failure count
        (the loop ends when this stops the engine)."""
        if isinstance(exc, NetworkError):
            self.status.offline(exc.reason)
            self._need_bootstrap = True
            failures += 1
            self.stop.wait(self.backoff.delay(failures))
        elif isinstance(exc, ProtocolError):
            self._halt("bad_server_answer",
                       f"Syncing stopped: the server sent something this program cannot "
                       f"read ({exc.detail.rstrip('.')}). Nothing in the local copy was "
                       "changed.")
        elif exc.status == 410 or exc.code == "cursor_expired":
            self.rebuild(CURSOR_EXPIRED_REASON)
        elif exc.status == 401:
            self._halt(exc.code, "Your session has ended; sign in again to keep syncing.")
        elif exc.retryable:
            self.status.offline(exc.detail)
            failures += 1
            self.stop.wait(self.backoff.delay(failures, exc.retry_after))
        else:
            self._halt(exc.code, f"Syncing stopped: {exc.detail}")
        return failures

    def _halt(self, code: str, detail: str) -> None:
        self.status.offline(detail)
        self.on_stopped(code, detail)

    # -- pieces ---------------------------------------------------------------------------

    def bootstrap(self) -> None:
        """Who am I, the practice, the limits, the directory: asked on start and reconnect."""
        session = shapes.check_session(self.api.session())
        session.pop("server_time", None)  # a moment, not something to keep
        directory = shapes.check_directory(self.api.directory())
        with self._applying():
            with self._write() as conn:
                Cache.set_meta(conn, "session", json.dumps(session))
                mirror.upsert_people(conn, directory["people"])
                mirror.replace_groups(conn, directory["groups"])
                outbox.replay(conn, {f"person:{p['id']}" for p in directory["people"]})
            self.emit(CacheChanged(frozenset({Change.SESSION, Change.PEOPLE})))

    @contextmanager
    def _applying(self) -> Iterator[None]:
        """Holds `applying` once the stop flag is known not to be set (see the module
        docstring); raises Stopped when it is."""
        with self.applying:
            if self.stop.is_set():
                raise Stopped()
            yield

    @contextmanager
    def _write(self) -> Iterator[Any]:
        with self._applying(), self.cache.write(durable=False) as conn:
            yield conn

    def sync_pages(self) -> None:
        """Fetches and applies pages until the feed has no more, then one long poll."""
        cursor, synced = self.cache.sync_position()
        if not synced:
            self.status.syncing()
            self._full_sync(cursor)
            return
        wait = 0 if self.fresh.is_set() else self.poll_wait
        self.fresh.clear()
        sent = time.monotonic()
        self.polling.set()
        try:
            answer = self.api.changes(cursor, self.page_limit, wait=wait, line=self.line)
        except NetworkError:
            if self._cut_on_purpose.is_set() and not self.stop.is_set():
                return  # poll_now() ended it: the loop asks again, without waiting
            raise
        finally:
            self.polling.clear()
            self._cut_on_purpose.clear()
        page = shapes.check_page(answer)
        self._apply(page, alert=True, sent=sent)
        while page["more"]:
            self.status.syncing()
            sent = time.monotonic()
            page = shapes.check_page(self.api.changes(page["cursor"], self.page_limit, wait=0))
            self._apply(page, alert=True, sent=sent)
        with self._applying():
            self.status.online()

    def _full_sync(self, cursor: str | None) -> None:
        """The initial sync: the snapshot first when starting from nothing (sync.backfill),
        then the feed, fetching page n + 1 while page n (or the snapshot) is written. Pages
        that have already arrived are written together, up to BATCH_MESSAGES messages in one
        transaction: each commit rewrites the index pages its rows touched, and a mailbox's
        ids are random, so fewer commits write far less."""
        def fetch(since: str | None) -> tuple[Json, float]:
            sent = time.monotonic()
            return shapes.check_page(self.api.changes(since, self.page_limit, wait=0)), sent

        snapshot = backfill.fetch_snapshot(self.api) if cursor is None else None
        with self._write() as conn:
            search_index.begin_bulk_load(conn)
        with self.cache.bulk_load(), \
                ThreadPoolExecutor(max_workers=1, thread_name_prefix="sync-prefetch") as pool:
            # Asked for only once the snapshot has arrived: the feed is read after it.
            future: Future[tuple[Json, float]] = pool.submit(fetch, cursor)
            if cursor is None:
                self._apply_snapshot(snapshot)
            page, sent = future.result()
            while True:
                # What each page written brought, kept for after the commit (not the page).
                written: list[tuple[bool, int, float, mirror.PageOutcome, set[str]]] = []
                with self._applying():
                    with self._write() as conn:
                        while True:
                            if page["more"]:
                                future = pool.submit(fetch, page["cursor"])
                            written.append((page["more"], len(page["messages"]), sent,
                                            *self._write_page(conn, page, full_sync=True)))
                            if (not page["more"] or not future.done() or self.stop.is_set()
                                    or sum(w[1] for w in written) >= BATCH_MESSAGES):
                                break
                            page, sent = future.result()
                    for more, messages, sent, outcome, touched in written:
                        self._after_write(more, outcome, touched, alert=False, full_sync=True,
                                          sent=sent)
                        self._progress[0] += 1
                        self._progress[1] += messages
                        self.emit(SyncProgress(self._progress[0], self._progress[1], False,
                                               self._fraction))
                if not page["more"]:
                    break
                page, sent = future.result()
        with self._applying():
            with self._write() as conn:
                search_index.end_bulk_load(conn, self._progress[1])
            self.emit(SyncProgress(self._progress[0], self._progress[1], True, self._fraction))
            self._progress = [0, 0]
            self._fraction = None
            self.status.online()

    def _apply_snapshot(self, snapshot: Json | None) -> None:
        """Shows the newest threads at once (or, with no snapshot, starts as before); sets no
        cursor, so a crash before the first page starts again from a new snapshot."""
        with self._applying():
            with self._write() as conn:
                backfill.start(conn, snapshot)
                if snapshot is None:
                    self._fraction = None
                    return
                outcome = mirror.apply_page(conn, snapshot, self._me_id(conn))
                touched = outbox.replay(conn, outcome.keys)
            self._fraction = None if snapshot["feed_size"] is None else 0.0
            self._tell_changed(outcome, touched)
            self.emit(SyncProgress(self._progress[0], self._progress[1], False, self._fraction))

    def _me_id(self, conn: Any) -> str | None:
        me = self.cache.get_meta(conn, "session")
        return json.loads(me)["user"]["id"] if me else None

    def _tell_changed(self, outcome: mirror.PageOutcome, touched: set[str]) -> None:
        if outcome.kinds or touched:
            thread_ids = set(outcome.thread_ids)
            thread_ids.update(k.partition(":")[2] for k in touched if k.startswith("thread:"))
            self.emit(CacheChanged(frozenset(outcome.kinds), frozenset(thread_ids)))

    def _apply(self, page: Json, alert: bool, full_sync: bool = False,
               sent: float | None = None) -> None:
        with self._applying():
            self._apply_held(page, alert, full_sync, sent)

    def _apply_held(self, page: Json, alert: bool, full_sync: bool,
                    sent: float | None) -> None:
        with self._write() as conn:
            outcome, touched = self._write_page(conn, page, full_sync)
        self._after_write(page["more"], outcome, touched, alert, full_sync, sent)

    def _write_page(self, conn: Any, page: Json,
                    full_sync: bool) -> tuple[mirror.PageOutcome, set[str]]:
        """Writes one page and its cursor in the caller's transaction."""
        outcome = mirror.apply_page(conn, page, self._me_id(conn))
        touched = outbox.replay(conn, outcome.keys)
        Cache.set_meta(conn, "cursor", page["cursor"])
        if full_sync:
            self._fraction = backfill.advance(conn, page)
        if not page["more"]:
            Cache.set_meta(conn, "synced", "1")
        Cache.set_meta(conn, "last_sync", datetime.now(UTC).isoformat())
        return outcome, touched

    def _after_write(self, more: bool, outcome: mirror.PageOutcome, touched: set[str],
                     alert: bool, full_sync: bool, sent: float | None) -> None:
        """Once a page (`more`: not the feed's last) is committed: its files removed, waiters
        woken, events sent."""
        if self.blobs is not None and outcome.purged_attachments:
            self.blobs.remove(outcome.purged_attachments)
        if not more and sent is not None:
            with self.caught_up:
                self.caught_up_since = sent
                self.generation += 1
                self.caught_up.notify_all()
        self._tell_changed(outcome, touched)
        if alert and not full_sync:
            for item in outcome.new_messages:
                self.emit(NewMessage(**item))
        if Change.PEOPLE in outcome.kinds:
            self._need_bootstrap = True

    def rebuild(self, reason: str) -> None:
        """Empties the cache (keeping the outbox) and starts a full sync from scratch."""
        with self._applying():
            with self._write() as conn:
                mirror.clear(conn)
                outbox.replay(conn, None)
            self.emit(CacheRebuilt(reason))
            self.emit(CacheChanged(frozenset({Change.THREADS, Change.MESSAGES, Change.STATES,
                                              Change.DRAFTS, Change.FOLDERS, Change.PEOPLE})))
        self._need_bootstrap = True

"""A new workstation shows the newest threads first: the snapshot is applied before the first
page of the feed, the feed then fills in the rest without ever going back in time, a message
written meanwhile arrives once, a stopped backfill resumes where it was, and an older server
without the snapshot still gets the whole mailbox."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from sync import backfill, keys
from sync.api import ApiClient
from sync.cache import Cache
from sync.engine import SyncEngine
from sync.events import SyncProgress
from tests.support.live_server import LiveServer
from tests.sync.conftest import Recorder
from tests.sync.fault_proxy import FaultProxy, Rewrite, set_body, without_snapshot
from tests.sync.server_truth import differences
from tests.sync.test_bad_server import wait_for_stop
from tests.sync.traffic import key, signed_in

THREADS = 12
NEWEST = 4


@pytest.fixture
def small_snapshot(monkeypatch: pytest.MonkeyPatch) -> None:
    """A snapshot of the newest few threads of each folder, so most of the mailbox is older."""
    monkeypatch.setattr(backfill, "SNAPSHOT_THREADS", NEWEST)
    monkeypatch.setattr(backfill, "SNAPSHOT_MESSAGES", 2)


def seed(server: LiveServer) -> list[str]:
    """Threads from alex to dr.rivera, three messages each; returns their ids oldest first."""
    alex = signed_in(server, "alex")
    rivera_id = server.person_id("dr.rivera")
    made = []
    for n in range(THREADS):
        thread = alex.create_thread([f"person:{rivera_id}"], f"Topic {n:02d}",
                                    f"<p>Opening message of topic {n:02d}.</p>", [],
                                    idempotency_key=key())["thread"]["id"]
        for reply in range(2):
            alex.add_message(thread, f"<p>Follow-up {reply} on topic {n:02d}.</p>", [],
                             idempotency_key=key())
        made.append(thread)
    alex.close()
    return made


class Requests:
    """The first line of every request through the proxy, in order."""

    def __init__(self, proxy: FaultProxy, then: Rewrite | None = None) -> None:
        self.lines: list[str] = []
        self.lock = threading.Lock()
        self.then = then
        proxy.rewrite = self.note

    def note(self, head: bytes, response: bytes) -> bytes:
        with self.lock:
            self.lines.append(head.split(b"\r\n")[0].decode())
        return response if self.then is None else self.then(head, response)

    def paths(self) -> list[str]:
        with self.lock:
            return [line.split()[1].split("?")[0].removeprefix("/api/v1") for line in self.lines]


def thread_marks(cache: Cache, ids: list[str]) -> dict[str, tuple[Any, ...]]:
    with cache.read() as conn:
        marks = ",".join("?" * len(ids))
        rows = conn.exec_driver_sql(
            f"SELECT id, last_message_ts, message_count, snippet_ts FROM threads "
            f"WHERE id IN ({marks})", tuple(ids)).all()
    return {r[0]: tuple(r[1:]) for r in rows}


def finished(events: Recorder, timeout: float = 30) -> bool:
    """Whether the last SyncProgress (sent just after the cache caught up) said done."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(p.done for p in events.of(SyncProgress)):
            return True
        time.sleep(0.02)
    return False


def sync_to_the_end(cache: Cache, api: ApiClient, listener: Any, events: Recorder,
                    page_limit: int) -> None:
    """Runs an engine over the cache until it has caught up and said so."""
    engine = SyncEngine(cache, api, listener, page_limit=page_limit, poll_wait=0.5)
    engine.start()
    try:
        assert engine.wait_until_synced(60) and finished(events)
    finally:
        engine.stop()


def cursor_of(cache: Cache) -> str | None:
    return cache.sync_position()[0]


def fts_hits(cache: Cache, word: str) -> int:
    with cache.read() as conn:
        return int(conn.exec_driver_sql(
            "SELECT count(*) FROM message_fts WHERE message_fts MATCH ?", (word,)).scalar_one())


def test_the_newest_threads_are_cached_before_the_first_page_and_never_go_back(
        live_server: LiveServer, rivera: ApiClient, tmp_path: Path,
        small_snapshot: None) -> None:
    threads = seed(live_server)
    newest = [i["thread"]["id"] for i in rivera.threads("inbox", limit=NEWEST)["items"]]
    assert newest == threads[::-1][:NEWEST]
    proxy = FaultProxy(live_server.port).start()
    seen = Requests(proxy)
    alex = signed_in(live_server, "alex")
    first_screen: dict[str, Any] = {}
    marks: list[dict[str, tuple[Any, ...]]] = []
    written: list[str] = []
    recorder = Recorder()
    cache = Cache.open(tmp_path / "first.db", keys.cache_key("first"))

    def listen(event: Any) -> None:
        recorder(event)
        if not isinstance(event, SyncProgress):
            return
        if not first_screen:
            first_screen.update(
                inbox=cache.thread_page("inbox", 50)["ids"], cursor=cursor_of(cache),
                requests=seen.paths(), conversation=cache.conversation(newest[0]),
                fraction=event.fraction)
        marks.append(thread_marks(cache, newest))
        if event.pages == 1 and not written:
            # Written while the older history is still on its way: it joins the feed's end.
            answer = alex.add_message(newest[1], "<p>A zebrafish note, written meanwhile.</p>",
                                      [], idempotency_key=key())
            written.append(answer["message"]["id"])

    try:
        sync_to_the_end(cache, ApiClient(proxy.url, rivera.token), listen, recorder, 3)
    finally:
        proxy.stop()
        alex.close()

    # The first event: the snapshot's threads are shown, and no page of the feed was applied.
    assert first_screen["inbox"] == newest
    assert first_screen["cursor"] is None
    assert "/snapshot" in first_screen["requests"]
    assert first_screen["fraction"] == 0.0
    shown = [m["body_text"] for m in first_screen["conversation"]["messages"]]
    assert shown == ["Follow-up 0 on topic 11.", "Follow-up 1 on topic 11."]
    paths = seen.paths()
    assert paths.index("/snapshot") < paths.index("/changes")
    assert paths.count("/snapshot") == 1

    # No page made a thread the snapshot showed look older than it did.
    for before, after in zip(marks, marks[1:], strict=False):
        for tid in newest:
            assert after[tid] >= before[tid], (tid, before[tid], after[tid])
    progress = recorder.of(SyncProgress)
    fractions = [p.fraction for p in progress]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert progress[-1].done and any(0 < f < 1 for f in fractions)

    # The whole mailbox, and the message written meanwhile exactly once.
    assert cache.thread_page("inbox", 50)["ids"] == [newest[1], *(t for t in threads[::-1]
                                                                  if t != newest[1])]
    assert differences(cache, rivera) == []
    with cache.read() as conn:
        copies = conn.exec_driver_sql("SELECT count(*) FROM messages WHERE id = ?",
                                      (written[0],)).scalar_one()
        meta = dict(conn.exec_driver_sql(
            "SELECT key, value FROM meta WHERE key LIKE 'backfill%'").all())
    assert copies == 1 and fts_hits(cache, "zebrafish") == 1
    assert [h["message_id"] for h in cache.search("zebrafish")] == written
    assert cache.thread_rows([newest[1]])[0]["message_count"] == 4
    assert meta == {}
    cache.close()


def test_a_stopped_backfill_resumes_from_its_cursor_without_a_second_snapshot(
        live_server: LiveServer, rivera: ApiClient, tmp_path: Path,
        small_snapshot: None) -> None:
    threads = seed(live_server)
    proxy = FaultProxy(live_server.port).start()
    seen = Requests(proxy)
    path, cache_key = tmp_path / "resume.db", keys.cache_key("resume")
    halfway = threading.Event()
    first = Recorder()

    def listen(event: Any) -> None:
        first(event)
        if isinstance(event, SyncProgress) and event.pages >= 3:
            halfway.set()

    cache = Cache.open(path, cache_key)
    engine = SyncEngine(cache, ApiClient(proxy.url, rivera.token), listen, page_limit=2,
                        poll_wait=0.5)
    engine.start()
    try:
        assert halfway.wait(30)
    finally:
        engine.stop()
    cursor, synced = cache.sync_position()
    assert cursor is not None and not synced
    stopped_at = [p.fraction for p in first.of(SyncProgress)][-1]
    assert stopped_at is not None and 0 < stopped_at < 1
    with cache.read() as conn:
        total = Cache.get_meta(conn, backfill.TOTAL)
    assert total is not None and int(total) > THREADS * 3
    cache.close()

    before = len(seen.paths())
    again = Recorder()
    cache = Cache.open(path, cache_key)
    try:
        sync_to_the_end(cache, ApiClient(proxy.url, rivera.token), again, again, 2)
    finally:
        proxy.stop()
    later = seen.paths()[before:]
    assert "/snapshot" not in later and "/changes" in later
    fractions = [p.fraction for p in again.of(SyncProgress)]
    assert fractions[0] is not None and fractions[0] > stopped_at and fractions[-1] == 1.0
    try:
        assert differences(cache, rivera) == []
        assert cache.thread_page("inbox", 50)["ids"] == threads[::-1]
        assert cache.integrity_check() == "ok"
    finally:
        cache.close()


def test_an_older_server_without_the_snapshot_gets_todays_sync(
        live_server: LiveServer, rivera: ApiClient, make_engine, small_snapshot: None) -> None:
    threads = seed(live_server)
    proxy = FaultProxy(live_server.port).start()
    seen = Requests(proxy, then=without_snapshot())
    engine, events = make_engine(ApiClient(proxy.url, rivera.token), page_limit=3)
    try:
        assert engine.wait_until_synced(60) and finished(events)
    finally:
        engine.stop()
        proxy.stop()
    paths = seen.paths()
    assert paths.count("/snapshot") == 1 and paths.index("/snapshot") < paths.index("/changes")
    progress = events.of(SyncProgress)
    assert progress[-1].done and len(progress) > 3
    assert all(p.fraction is None for p in progress)
    assert differences(engine.cache, rivera) == []
    assert engine.cache.thread_page("inbox", 50)["ids"] == threads[::-1]


def test_a_bad_snapshot_stops_the_sync_and_caches_nothing(
        live_server: LiveServer, rivera: ApiClient, tmp_path: Path) -> None:
    seed(live_server)
    proxy = FaultProxy(live_server.port).start()

    def without_text(head: bytes, response: bytes) -> bytes:
        if not head.startswith(b"GET /api/v1/snapshot"):
            return response
        answer = json.loads(response.partition(b"\r\n\r\n")[2])
        answer["messages"][-1].pop("body_text")
        return set_body(response, json.dumps(answer).encode())

    seen = Requests(proxy, then=without_text)
    events = Recorder()
    cache = Cache.open(tmp_path / "bad.db", keys.cache_key("bad"))
    engine = SyncEngine(cache, ApiClient(proxy.url, rivera.token), events, poll_wait=0.5)
    engine.start()
    try:
        stop = wait_for_stop(events)
        assert stop.code == "bad_server_answer" and "has no 'body_text'" in stop.detail
        with cache.read() as conn:
            rows = [conn.exec_driver_sql(f"SELECT count(*) FROM {t}").scalar_one()
                    for t in ("threads", "messages")]
        assert rows == [0, 0] and cache.sync_position() == (None, False)
        assert "/changes" not in seen.paths()
    finally:
        engine.stop()
        cache.close()
        proxy.stop()

"""Bad input from the server stops the sync with a clear error and changes nothing cached.

The real server's answers are altered on their way by the loopback proxy.
"""

from __future__ import annotations

import json
import time

import pytest

from sync import keys
from sync.api import ApiClient
from sync.cache import Cache
from sync.engine import SyncEngine
from sync.events import SyncStopped
from tests.support.live_server import LiveServer
from tests.sync.conftest import Recorder
from tests.sync.fault_proxy import FaultProxy, set_body, without_snapshot
from tests.sync.pages import message
from tests.sync.traffic import make_traffic, signed_in

TABLES = ("meta", "people", "groups", "threads", "messages", "drafts", "folders", "outbox")


def snapshot(cache: Cache) -> dict[str, list]:
    with cache.read() as conn:
        return {t: sorted(map(tuple, conn.exec_driver_sql(f"SELECT * FROM {t}").all()),
                          key=repr) for t in TABLES}


def _feed_body(response: bytes) -> dict:
    return json.loads(response.partition(b"\r\n\r\n")[2])


def not_json(head: bytes, response: bytes) -> bytes:
    return set_body(response, b'{"cursor": "99", "more": fal')


def message_without_text(head: bytes, response: bytes) -> bytes:
    page = _feed_body(response)
    page["messages"] = page["messages"] or [message("m" * 20, "t" * 20, "text", 1)]
    page["messages"] = [{k: v for k, v in m.items() if k != "body_text"}
                        for m in page["messages"]]
    return set_body(response, json.dumps(page).encode())


def page_without_cursor(head: bytes, response: bytes) -> bytes:
    page = _feed_body(response)
    del page["cursor"]
    return set_body(response, json.dumps(page).encode())


def only_feed(rewrite):
    def apply(head: bytes, response: bytes) -> bytes:
        if head.startswith(b"GET /api/v1/changes") and b" 200 " in response[:20]:
            return rewrite(head, response)
        return response
    return apply


def wait_for_stop(events: Recorder, timeout: float = 20) -> SyncStopped:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        stops = events.of(SyncStopped)
        if stops:
            return stops[0]
        time.sleep(0.05)
    raise AssertionError("the sync did not stop")


@pytest.mark.parametrize("rewrite, says", [
    (not_json, "not valid JSON"),
    (message_without_text, "has no 'body_text'"),
    (page_without_cursor, "no cursor"),
])
def test_a_bad_page_stops_the_sync_and_leaves_the_cache_as_it_was(
        live_server: LiveServer, tmp_path, rewrite, says) -> None:
    make_traffic(live_server)
    rivera = signed_in(live_server, "dr.rivera")
    proxy = FaultProxy(live_server.port).start()
    path, key = tmp_path / "bad.db", keys.cache_key("bad")

    cache = Cache.open(path, key)
    first = SyncEngine(cache, ApiClient(proxy.url, rivera.token), None, poll_wait=0.5)
    first.start()
    assert first.wait_until_synced(30)
    first.stop()
    before = snapshot(cache)
    assert before["messages"]

    proxy.rewrite = only_feed(rewrite)
    events = Recorder()
    engine = SyncEngine(cache, ApiClient(proxy.url, rivera.token), events, poll_wait=0.5)
    engine.start()
    try:
        stop = wait_for_stop(events)
        assert stop.code == "bad_server_answer"
        assert says in stop.detail and "Nothing in the local copy was changed" in stop.detail
        assert engine.status.snapshot().state == "offline"
        time.sleep(0.5)  # nothing more happens after the stop
        assert snapshot(cache) == before
        assert cache.integrity_check() == "ok"
    finally:
        engine.stop()
        cache.close()
        proxy.stop()


def test_a_bad_page_in_the_initial_sync_keeps_the_pages_before_it(
        live_server: LiveServer, tmp_path) -> None:
    make_traffic(live_server)
    rivera = signed_in(live_server, "dr.rivera")
    proxy = FaultProxy(live_server.port).start()
    good_cursors: list[str] = []

    def break_message_pages(head: bytes, response: bytes) -> bytes:
        page = _feed_body(response)
        if page["messages"]:
            return message_without_text(head, response)
        good_cursors.append(page["cursor"])
        return response

    # The feed's pages are what is tested: a server without the snapshot sends every message
    # in them (a bad snapshot is in test_recent_first).
    proxy.rewrite = without_snapshot(only_feed(break_message_pages))
    events = Recorder()
    cache = Cache.open(tmp_path / "initial.db", keys.cache_key("initial"))
    engine = SyncEngine(cache, ApiClient(proxy.url, rivera.token), events, page_limit=1)
    engine.start()
    try:
        assert "has no 'body_text'" in wait_for_stop(events).detail
        cursor, synced = cache.sync_position()
        assert not synced and good_cursors and cursor == good_cursors[-1]
        with cache.read() as conn:
            assert conn.exec_driver_sql("SELECT count(*) FROM messages").scalar_one() == 0
        assert cache.integrity_check() == "ok"
    finally:
        engine.stop()
        cache.close()
        proxy.stop()

"""Stopping the engine while its long poll waits: stop() does not wait the poll out, the
pull thread ends, and nothing the server says afterwards reaches the cache."""

from __future__ import annotations

import time

from sync.api import ApiClient
from sync.events import CacheChanged
from tests.support.live_server import LiveServer
from tests.sync.traffic import key, signed_in

POLL_WAIT = 20.0


def test_stop_cuts_the_long_poll_and_applies_nothing_afterwards(
        live_server: LiveServer, rivera: ApiClient, make_engine) -> None:
    engine, events = make_engine(rivera, name="stopping", poll_wait=POLL_WAIT)
    assert engine.wait_until_synced(30)
    assert engine.puller.polling.wait(10)
    time.sleep(0.5)  # the poll's request is on the wire, waiting for the server
    assert engine.puller.polling.is_set()
    before = engine.cache.sync_position()
    heard = len(events.events)

    started = time.monotonic()
    engine.stop()
    took = time.monotonic() - started
    assert took < POLL_WAIT  # it did not wait the poll out
    assert not engine.running  # the poll was cut: no thread left waiting for its answer

    # The server now has something new for dr.rivera; the stopped engine must not take it.
    alex = signed_in(live_server, "alex")
    try:
        alex.create_thread([f"person:{live_server.person_id('dr.rivera')}"],
                           "Written after the stop", "<p>This must not reach the cache.</p>",
                           [], idempotency_key=key())
    finally:
        alex.close()
    time.sleep(1.0)
    assert engine.cache.sync_position() == before
    assert engine.cache.search("Written after the stop") == []
    engine.status.offline("a state change reported after the stop")
    assert len(events.events) == heard

    # The cache is still good to resume from: a new engine over it gets the thread.
    engine.cache.close()
    again, again_events = make_engine(rivera, name="stopping")
    assert again.wait_until_synced(30)
    assert again.cache.search("Written after the stop")
    assert again_events.of(CacheChanged)

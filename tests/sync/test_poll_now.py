"""Asking for the server's changes now while a long poll waits: the poll is ended and asked
again without waiting (not counted as a failure), so `wait_until_synced` need not wait out a
poll that nothing on the server will end."""

from __future__ import annotations

import time

from sync.api import ApiClient
from sync.events import SyncStatus
from tests.support.live_server import LiveServer
from tests.sync.traffic import key, signed_in

POLL_WAIT = 20.0


def test_a_waiting_poll_is_ended_to_ask_again_at_once(
        live_server: LiveServer, rivera: ApiClient, make_engine) -> None:
    engine, events = make_engine(rivera, name="poll-now", poll_wait=POLL_WAIT)
    assert engine.wait_until_synced(30)
    assert engine.puller.polling.wait(10)
    time.sleep(0.5)  # the poll's request is on the wire, waiting for the server
    heard = len(events.events)

    # Nothing changes on the server, so nothing would end this poll for 20 s.
    assert engine.wait_until_synced(5)
    assert not [e for e in events.events[heard:]
                if isinstance(e, SyncStatus) and e.state == "offline"]
    assert engine.puller.polling.wait(10)  # polling again, as before

    alex = signed_in(live_server, "alex")
    try:
        alex.create_thread([f"person:{live_server.person_id('dr.rivera')}"],
                           "Written after the early poll", "<p>This reaches the cache.</p>",
                           [], idempotency_key=key())
    finally:
        alex.close()
    deadline = time.monotonic() + 10
    while not engine.cache.search("Written after the early poll") and time.monotonic() < deadline:
        time.sleep(0.05)
    assert engine.cache.search("Written after the early poll")

"""A bulk action larger than the server takes in one request is split into commands of the
size the server publishes, each with its own idempotency key: archiving 50,000 threads works."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import func, select

from server.db.models import ThreadState
from sync.api import ApiClient
from sync.events import CommandFailed
from tests.support.live_server import LiveServer
from tests.support.many_threads import seed_threads

THREADS = 50_000


def folder_counts(server: LiveServer, username: str) -> dict[str, int]:
    person_id = server.person_id(username)
    with server.ctx.sessions() as db:
        return dict(db.execute(
            select(ThreadState.folder, func.count()).where(ThreadState.person_id == person_id)
            .group_by(ThreadState.folder)).all())


@pytest.mark.slow
def test_archiving_fifty_thousand_threads_is_sent_in_chunks_the_server_takes(
        live_server: LiveServer, rivera: ApiClient, make_engine) -> None:
    with live_server.ctx.sessions() as db:
        ids = seed_threads(db, "dr.rivera", "alex", THREADS)
    first, _ = make_engine(rivera, name="bulk")
    assert first.wait_until_synced(300)
    first.stop()
    engine, events = make_engine(rivera, name="bulk", start=False)
    limit = engine.cache.limits()["max_bulk_ids"]
    assert limit < THREADS
    inbox = engine.cache.thread_ids("inbox")
    assert set(ids) <= set(inbox)

    engine.set_state(inbox, folder="archive")
    queued = engine.cache.outbox_items()
    assert len(queued) == -(-len(inbox) // limit)
    with engine.cache.read() as conn:
        chunks = conn.exec_driver_sql(
            "SELECT json_array_length(payload, '$.thread_ids'), idempotency_key "
            "FROM outbox").all()
    assert sum(n for n, _ in chunks) == len(inbox) and max(n for n, _ in chunks) <= limit
    assert len({key for _, key in chunks}) == len(chunks)
    assert engine.cache.thread_ids("inbox") == []  # shown at once, before any answer

    engine.start()
    deadline = time.monotonic() + 600
    while engine.cache.outbox_items() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert engine.cache.outbox_items() == []
    assert events.of(CommandFailed) == []
    assert folder_counts(live_server, "dr.rivera").get("inbox", 0) == 0
    assert folder_counts(live_server, "dr.rivera")["archive"] >= THREADS
    assert engine.wait_until_synced(120)
    assert engine.cache.thread_ids("inbox") == []

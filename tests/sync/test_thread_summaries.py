"""Each thread row's summary of its messages (snippet, attachments, count) stays equal to
what computing it from the messages gives, through every way messages change."""

from __future__ import annotations

import json
import os
from pathlib import Path

from sync import outbox
from sync.cache import Cache, mirror
from sync.cache.derived import (
    SUMMARY_COLUMNS,
    SUMMARY_TRIGGER_NAMES,
    add_thread_summaries,
    summaries_by_page,
)
from sync.cache.schema import MIGRATIONS, SCHEMA_VERSION
from tests.sync.derived_checks import assert_summaries_right
from tests.sync.pages import (
    ALEX,
    CHEN,
    ME,
    message,
    offline_reply,
    offline_send,
    page,
    state,
    thread,
)
from tests.sync.test_cache import M1, M3, M4, T1, T2, T3, apply, basic_page

T4 = "thread-0000000000000004"
M5, M6 = "message-000000000000005", "message-000000000000006"
PDF = {"id": "blob-00000000000002", "filename": "notes.pdf", "size": 5,
       "content_type": "application/pdf", "sha256": "cd"}


def summary(cache: Cache, thread_id: str) -> tuple[str, bool, int]:
    row = next(r for r in assert_summaries_right(cache) if r[0] == thread_id)
    return row[1], bool(row[3]), row[4]


def test_feed_pages_keep_summaries(cache: Cache) -> None:
    apply(cache, basic_page())
    assert summary(cache, T2) == ("My invoice shows <script>alert(1)</script> twice.", True, 1)
    apply(cache, page(cursor="2", messages=[
        message(M4, T1, "Afternoon works, see the notes.", 40, attachments=[PDF]),
        message(M5, T2, "An older message arriving late.", 1),
        # Before its thread: no row to summarize on yet.
        message(M6, T4, "Sent before its thread arrived.", 50, sender=CHEN),
        dict(message(M3, T3, "Tacos, definitely.", 5, sender=CHEN),
             receipts=[{"person_id": ME["id"], "read_at": "2026-03-01T09:06:00Z"}]),
    ]))
    assert summary(cache, T1) == ("Afternoon works, see the notes.", True, 2)
    assert summary(cache, T2)[0].startswith("My invoice") and summary(cache, T2)[2] == 2
    assert summary(cache, T3) == ("Tacos, definitely.", False, 1)
    apply(cache, page(cursor="3", people=[CHEN], threads=[thread(T4, "Late thread", 50)],
                      states=[state(T4)]))
    assert summary(cache, T4) == ("Sent before its thread arrived.", False, 1)
    # Sent again unchanged (a receipt, a reconnect): nothing moves.
    apply(cache, page(cursor="4", messages=[message(M1, T1, basic_page()["messages"][0]
                                                    ["body_text"], 10)]))
    assert summary(cache, T1)[0] == "Afternoon works, see the notes."

    rows = {r["id"]: r for r in cache.thread_rows([T1, T2, T4])}
    assert rows[T1]["snippet"] == "Afternoon works, see the notes."
    assert rows[T1]["has_attachments"] and rows[T1]["message_count"] == 2
    assert rows[T4]["message_count"] == 1 and not rows[T4]["has_attachments"]
    assert rows[T1]["can_delete"] is False

    apply(cache, page(cursor="5", deleted={"messages": [M4], "threads": [T4]}))
    assert summary(cache, T1) == ("Could we move Tuesday's session to the afternoon?", False, 1)
    assert T4 not in [r[0] for r in assert_summaries_right(cache)]


def test_several_messages_of_a_thread_in_one_page(cache: Cache) -> None:
    apply(cache, basic_page())
    apply(cache, page(cursor="2", messages=[
        message(M4, T1, "Later, first copy.", 40),
        message(M5, T1, "Same minute, arrived after.", 40, attachments=[PDF]),
        message(M6, T1, "Older than the rest.", 2),
        message(M4, T1, "Later, second copy wins.", 40),  # an id twice: its last copy
    ]))
    assert summary(cache, T1) == ("Same minute, arrived after.", True, 4)
    apply(cache, page(cursor="3", messages=[message(M5, T1, "Edited on the server.", 40)]))
    assert summary(cache, T1) == ("Edited on the server.", False, 4)  # sent without it
    assert cache.search("second copy") and not cache.search("first copy")
    assert cache.integrity_check() == "ok"


def test_the_snippet_is_the_newest_message_whitespace_folded(cache: Cache) -> None:
    long_text = "Line one\n\n   line two " + "word " * 200
    apply(cache, page(people=[ME, ALEX], threads=[thread(T1, "Long", 10)],
                      messages=[message(M1, T1, long_text, 10)], states=[state(T1)]))
    row = cache.thread_rows([T1])[0]
    assert row["snippet"].startswith("Line one line two word word")
    assert len(row["snippet"]) == 160
    assert_summaries_right(cache)


def test_local_sends_replies_and_deletes_keep_summaries(cache: Cache) -> None:
    apply(cache, basic_page())
    local_thread = outbox.new_local_id()
    with cache.write() as conn:
        outbox.enqueue(conn, "send_new", offline_send(
            local_thread, outbox.new_local_id(), "<p>Written on the <b>train</b>.</p>",
            [dict(PDF, id="a")]), "new")
    assert summary(cache, local_thread) == ("Written on the train.", True, 1)
    with cache.write() as conn:
        outbox.enqueue(conn, "reply",
                       offline_reply(T2, outbox.new_local_id(), "<p>Paid, thanks.</p>"), "reply")
    assert summary(cache, T2) == ("Paid, thanks.", True, 2)
    assert cache.thread_rows([T2])[0]["message_count"] == 2

    # The server took the new thread: the local rows go, the real ones come by the feed.
    real = "thread-real-00000000001"
    with cache.write() as conn:
        outbox.remove(conn, outbox.head(conn).id)
        outbox.rewrite_local_id(conn, local_thread, real)
    apply(cache, page(cursor="2", threads=[thread(real, "Offline note", 59)],
                      messages=[message("message-real-0000001", real,
                                        "Written on the train.", 59, sender=ME)],
                      states=[state(real, folder="inbox", in_sent=True)]))
    assert summary(cache, real) == ("Written on the train.", False, 1)
    assert local_thread not in [r[0] for r in assert_summaries_right(cache)]


def test_a_pending_delete_hides_and_a_failed_one_brings_the_row_back(cache: Cache) -> None:
    apply(cache, basic_page())
    apply(cache, page(cursor="2", messages=[
        message(M4, T1, "Afternoon works, see the notes.", 40, attachments=[PDF])]))
    with cache.write() as conn:
        outbox.enqueue(conn, "delete_message", {"message_id": M4, "thread_id": T1}, "m")
    assert summary(cache, T1) == ("Could we move Tuesday's session to the afternoon?", False, 1)
    # The feed sends the message again while the delete waits: it stays hidden.
    apply(cache, page(cursor="3", messages=[
        message(M4, T1, "Afternoon works, see the notes.", 40, attachments=[PDF])]))
    assert summary(cache, T1)[2] == 1
    with cache.write() as conn:
        outbox.rollback(conn, outbox.head(conn))  # the server refused it
    assert summary(cache, T1) == ("Afternoon works, see the notes.", True, 2)

    with cache.write() as conn:
        outbox.enqueue(conn, "delete_thread", {"thread_id": T2}, "t")
    assert summary(cache, T2) == (None, False, 0)
    assert cache.thread_rows([T2]) == []
    with cache.write() as conn:
        outbox.rollback(conn, outbox.head(conn))
    assert summary(cache, T2)[1:] == (True, 1)
    assert cache.thread_rows([T2])[0]["has_attachments"]

    # Deleted for good: the tombstones remove the rows.
    with cache.write() as conn:
        outbox.enqueue(conn, "delete_message", {"message_id": M4, "thread_id": T1}, "m")
    apply(cache, page(cursor="4", deleted={"messages": [M4]}))
    with cache.write() as conn:
        outbox.remove(conn, outbox.head(conn).id)
    assert summary(cache, T1) == ("Could we move Tuesday's session to the afternoon?", False, 1)


def test_clearing_for_a_resync_keeps_summaries_right(cache: Cache) -> None:
    apply(cache, basic_page())
    with cache.write() as conn:
        mirror.clear(conn)
    assert assert_summaries_right(cache) == []
    apply(cache, basic_page())
    assert summary(cache, T3) == ("Pizza or tacos for the team lunch?", False, 1)


def _as_previous_version(path: Path, key: bytes) -> None:
    """Turns a cache file into one as the previous schema version left it."""
    cache = Cache.open(path, key)
    with cache.write() as conn:
        for name in SUMMARY_TRIGGER_NAMES:
            conn.exec_driver_sql(f"DROP TRIGGER {name}")
        for name, _ in SUMMARY_COLUMNS:
            conn.exec_driver_sql(f"ALTER TABLE threads DROP COLUMN {name}")
        conn.exec_driver_sql(
            f"PRAGMA user_version = {MIGRATIONS.index(add_thread_summaries)}")
    cache.close()


def test_a_cache_from_the_previous_version_gets_its_summaries(tmp_path: Path) -> None:
    path, key = tmp_path / "old.db", os.urandom(32)
    cache = Cache.open(path, key)
    with cache.write() as conn:
        Cache.set_meta(conn, "session", json.dumps({"user": ME, "limits": {}}))
    apply(cache, basic_page())
    apply(cache, page(cursor="2", messages=[message(M4, T1, "The newest one.", 40)]))
    with cache.write() as conn:
        outbox.enqueue(conn, "delete_message", {"message_id": M3, "thread_id": T3}, "m")
    cache.close()
    _as_previous_version(path, key)

    cache = Cache.open(path, key)
    try:
        with cache.read() as conn:
            assert conn.exec_driver_sql("PRAGMA user_version").scalar_one() == SCHEMA_VERSION
        assert summary(cache, T1) == ("The newest one.", False, 2)
        assert summary(cache, T2)[1:] == (True, 1)
        assert summary(cache, T3) == (None, False, 0)
        assert cache.thread_rows([T1])[0]["snippet"] == "The newest one."
        # And kept from then on.
        apply(cache, page(cursor="3", messages=[message(M5, T3, "Back again.", 45)]))
        assert summary(cache, T3) == ("Back again.", False, 1)
    finally:
        cache.close()


def test_a_cache_with_the_per_row_trigger_is_recomputed_without_it(tmp_path: Path) -> None:
    path, key = tmp_path / "v4.db", os.urandom(32)
    cache = Cache.open(path, key)
    apply(cache, basic_page())
    with cache.write() as conn:  # as version 4 left it: a trigger adding each new row
        conn.exec_driver_sql(
            "CREATE TRIGGER summary_message_insert AFTER INSERT ON messages BEGIN "
            "UPDATE threads SET cached_count = cached_count + 1 WHERE id = new.thread_id; END")
        conn.exec_driver_sql("UPDATE threads SET cached_count = 7")
        conn.exec_driver_sql(
            f"PRAGMA user_version = {MIGRATIONS.index(summaries_by_page)}")
    cache.close()

    cache = Cache.open(path, key)
    try:
        assert summary(cache, T1)[2] == 1
        apply(cache, page(cursor="2", messages=[message(M4, T1, "One more.", 40)]))
        assert summary(cache, T1) == ("One more.", False, 2)  # counted once
    finally:
        cache.close()

"""The folder list's counts, kept by triggers, stay equal to counting the threads through
feed pages, optimistic commands and their undo, tombstones, a resync and a migration."""

from __future__ import annotations

import json
import os
from pathlib import Path

from sync import outbox
from sync.cache import Cache, mirror
from sync.cache.derived import COUNT_TRIGGER_NAMES, add_thread_counts
from sync.cache.schema import MIGRATIONS
from tests.sync.derived_checks import assert_counts_right
from tests.sync.pages import ME, message, offline_reply, offline_send, page, state, thread
from tests.sync.test_cache import M1, T1, T2, T3, apply, basic_page

FOLDER = {"id": "folder:custom-0000000001", "name": "Consults"}
T4 = "thread-0000000000000004"


def test_feed_pages_and_tombstones_keep_counts(cache: Cache) -> None:
    apply(cache, basic_page())
    counts = assert_counts_right(cache)
    assert (counts["inbox"], counts["archive"], counts["sent"]) == ((2, 1), (1, 1), (0, 0))
    # A state before its thread: not listed (no subject yet) until the thread comes.
    apply(cache, page(cursor="2", folders=[FOLDER],
                      states=[state(T4, folder=FOLDER["id"]), state(T1, unread=False),
                              state(T2, folder="trash", in_sent=True),
                              state(T3, folder="archive", in_sent=True)]))
    counts = assert_counts_right(cache)
    assert counts[FOLDER["id"]] == (0, 0)
    assert (counts["inbox"], counts["trash"], counts["sent"]) == ((1, 0), (1, 1), (1, 1))
    apply(cache, page(cursor="3", threads=[thread(T4, "Late thread", 50)]))
    assert assert_counts_right(cache)[FOLDER["id"]] == (1, 1)
    # The folder deleted on the server: its threads go to the archive.
    apply(cache, page(cursor="4", deleted={"folders": [FOLDER["id"]], "threads": [T3]}))
    counts = assert_counts_right(cache)
    assert (counts["archive"], counts["sent"]) == ((1, 1), (0, 0))
    assert FOLDER["id"] not in counts


def test_commands_and_their_undo_keep_counts(cache: Cache) -> None:
    apply(cache, basic_page())
    apply(cache, page(cursor="2", folders=[FOLDER]))
    local_thread = outbox.new_local_id()
    with cache.write() as conn:
        outbox.enqueue(conn, "send_new",
                       offline_send(local_thread, outbox.new_local_id()), "new")
        outbox.enqueue(conn, "reply",
                       offline_reply(T1, outbox.new_local_id(), "<p>Yes, 3 pm.</p>"), "reply")
    assert assert_counts_right(cache)["sent"] == (2, 1)  # T1 is unread still
    with cache.write() as conn:
        outbox.enqueue(conn, "mark_read", {"thread_id": T1}, "read")
        outbox.enqueue(conn, "set_state", {"thread_ids": [T2, T3], "folder": FOLDER["id"],
                                           "unread": True, "starred": None}, "move")
        outbox.enqueue(conn, "delete_message", {"message_id": M1, "thread_id": T1}, "m")
    counts = assert_counts_right(cache)
    assert (counts["inbox"], counts[FOLDER["id"]], counts["sent"]) == ((1, 0), (2, 2), (2, 0))
    with cache.write() as conn:
        outbox.enqueue(conn, "delete_thread", {"thread_id": T2}, "t")
        outbox.enqueue(conn, "delete_folder", {"folder_id": FOLDER["id"]}, "f")
    counts = assert_counts_right(cache)
    assert (counts["archive"], counts["inbox"]) == ((1, 1), (1, 0))
    # The server sends T2 again meanwhile: the pending delete keeps it out.
    apply(cache, page(cursor="3", states=[state(T2, unread=False, starred=True)]))
    assert assert_counts_right(cache)["inbox"] == (1, 0)

    with cache.write() as conn:  # every command refused, newest first
        for command in reversed(outbox.pending(conn)):
            outbox.rollback(conn, command)
    counts = assert_counts_right(cache)
    assert (counts["inbox"], counts["archive"], counts["sent"]) == ((2, 1), (1, 1), (0, 0))

    apply(cache, page(cursor="4", deleted={"threads": [T1, T2]}))
    assert assert_counts_right(cache)["inbox"] == (0, 0)


def test_a_resync_clears_and_recounts(cache: Cache) -> None:
    apply(cache, basic_page())
    with cache.write() as conn:
        mirror.clear(conn)
    assert assert_counts_right(cache)["inbox"] == (0, 0)
    apply(cache, basic_page())
    assert assert_counts_right(cache)["inbox"] == (2, 1)


def test_a_cache_from_the_previous_version_gets_its_counts(tmp_path: Path) -> None:
    path, key = tmp_path / "old.db", os.urandom(32)
    cache = Cache.open(path, key)
    with cache.write() as conn:
        Cache.set_meta(conn, "session", json.dumps({"user": ME, "limits": {}}))
    apply(cache, basic_page())
    with cache.write() as conn:
        outbox.enqueue(conn, "set_state", {"thread_ids": [T1], "folder": "trash",
                                           "unread": None, "starred": None}, "trash")
        for name in COUNT_TRIGGER_NAMES:
            conn.exec_driver_sql(f"DROP TRIGGER {name}")
        conn.exec_driver_sql("DROP TABLE thread_counts")
        conn.exec_driver_sql(f"PRAGMA user_version = {MIGRATIONS.index(add_thread_counts)}")
    cache.close()

    cache = Cache.open(path, key)
    try:
        counts = assert_counts_right(cache)
        assert (counts["inbox"], counts["trash"], counts["archive"]) == ((1, 0), (1, 1), (1, 1))
        apply(cache, page(cursor="2", threads=[thread(T4, "New", 50)],
                          messages=[message("message-000000000000009", T4, "Hello there", 50)],
                          states=[state(T4)]))
        assert assert_counts_right(cache)["inbox"] == (2, 1)
    finally:
        cache.close()

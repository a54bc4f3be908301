"""The cache on a real SQLCipher file, fed hand-made pages: queries, search, optimistic edits."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sync import outbox, shapes
from sync.cache import Cache, CacheTooNew, mirror
from sync.cache.schema import SCHEMA_VERSION
from sync.cache.search import build_match
from sync.errors import ProtocolError
from sync.events import Change
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

T1, T2, T3 = "thread-0000000000000001", "thread-0000000000000002", "thread-0000000000000003"
M1, M2, M3, M4 = ("message-000000000000001", "message-000000000000002",
                  "message-000000000000003", "message-000000000000004")


def apply(cache: Cache, the_page: dict) -> mirror.PageOutcome:
    checked = shapes.check_page(the_page)
    with cache.write() as conn:
        outcome = mirror.apply_page(conn, checked, ME["id"])
        outbox.replay(conn, outcome.keys)
    return outcome


def basic_page() -> dict:
    return page(
        people=[ME, ALEX, CHEN],
        threads=[thread(T1, "Rescheduling Tuesday", 10), thread(T2, "Billing question", 20),
                 thread(T3, "Team lunch", 5, [ME, CHEN])],
        messages=[
            message(M1, T1, "Could we move Tuesday's session to the afternoon?", 10),
            message(M2, T2, "My invoice shows <script>alert(1)</script> twice.", 20,
                    attachments=[{"id": "blob-00000000000001", "filename": "invoice march.pdf",
                                  "size": 5, "content_type": "application/pdf", "sha256": "ab"}]),
            message(M3, T3, "Pizza or tacos for the team lunch?", 5, sender=CHEN),
        ],
        states=[state(T1), state(T2, unread=False, starred=True), state(T3, folder="archive")],
    )


def test_folders_threads_and_conversations(cache: Cache) -> None:
    outcome = apply(cache, basic_page())
    assert [m["message_id"] for m in outcome.new_messages] == [M1, M2, M3]
    folders = {f["id"]: f for f in cache.folders()}
    assert [f["id"] for f in cache.folders()] == ["inbox", "sent", "drafts", "archive", "trash"]
    assert (folders["inbox"]["total"], folders["inbox"]["unread"]) == (2, 1)
    assert folders["archive"]["total"] == 1
    assert cache.thread_ids("inbox") == [T2, T1]  # newest first

    first = cache.thread_page("inbox", limit=1)
    assert first["ids"] == [T2] and first["next"] is not None
    second = cache.thread_page("inbox", limit=1, before=first["next"])
    assert second == {"ids": [T1], "next": None}

    rows = cache.thread_rows([T1, T2, "missing-thread-00000"])
    assert [r["id"] for r in rows] == [T1, T2]
    assert rows[1]["has_attachments"] and rows[1]["starred"] and not rows[1]["unread"]
    assert rows[0]["participants_label"] == "Alex Morgan"
    assert rows[0]["snippet"].startswith("Could we move")

    conversation = cache.conversation(T3)
    assert conversation["messages"][0]["sender"]["name"] == "Dr. Wei Chen"
    assert conversation["state"]["folder"] == "archive"
    assert cache.conversation("missing-thread-00000") is None


def test_search_ranks_snippets_and_never_passes_user_syntax(cache: Cache) -> None:
    apply(cache, basic_page())
    hits = cache.search("tuesday")
    assert hits[0]["thread_id"] == T1  # subject matches rank first
    assert "<b>Tuesday</b>" in hits[0]["snippet"] or "<b>Tuesday's</b>" in hits[0]["snippet"]
    # The body's markup-like text comes back escaped; only the match is bold.
    script_hit = cache.search("invoice")[0]
    assert "&lt;script&gt;" in script_hit["snippet"] and "<script>" not in script_hit["snippet"]
    assert cache.search("march")[0]["message_id"] == M2  # attachment names are indexed
    assert cache.search("Wei Chen")[0]["message_id"] == M3  # sender names are indexed
    assert cache.search("resched")[0]["thread_id"] == T1  # prefix while typing
    assert cache.search('"team lunch"')[0]["thread_id"] == T3
    for odd in ('"', "AND OR NOT", "a*b(c", "NEAR(", "-", "''", "   "):
        cache.search(odd)  # no FTS5 syntax error reaches the user
    assert build_match("  ") is None
    assert build_match('tacos "team lunch" piz') == '"team lunch" "tacos" "piz"*'


def test_deletes_in_a_page_purge_rows_and_report_attachments(cache: Cache) -> None:
    apply(cache, basic_page())
    outcome = apply(cache, page(cursor="2", deleted={"messages": [M2], "threads": [T3]}))
    assert outcome.purged_attachments == ["blob-00000000000001"]
    assert outcome.kinds == {Change.THREADS, Change.MESSAGES}
    assert all(type(kind) is Change for kind in outcome.kinds)
    assert cache.search("invoice") == [] and cache.search("tacos") == []
    assert cache.thread_ids("archive") == []
    assert cache.integrity_check() == "ok"


def test_an_optimistic_state_survives_a_pull_and_a_rollback_restores_the_server(
        cache: Cache) -> None:
    apply(cache, basic_page())
    with cache.write() as conn:
        outbox.enqueue(conn, "set_state", {"thread_ids": [T1], "folder": "archive",
                                           "unread": False}, "archive")
    assert cache.thread_ids("archive") == [T1, T3]
    # The server starred the thread meanwhile; the pending move still shows on top.
    apply(cache, page(cursor="3", states=[state(T1, starred=True)]))
    row = cache.thread_rows([T1])[0]
    assert (row["folder"], row["unread"], row["starred"]) == ("archive", False, True)
    with cache.write() as conn:
        changed = outbox.rollback(conn, outbox.head(conn))
    assert f"thread:{T1}" in changed
    row = cache.thread_rows([T1])[0]
    assert (row["folder"], row["unread"], row["starred"]) == ("inbox", True, True)
    assert cache.outbox_items() == []


def test_a_rolled_back_send_leaves_nothing_and_a_reply_to_it_moves_to_the_real_id(
        cache: Cache) -> None:
    apply(cache, basic_page())
    local_thread = outbox.new_local_id()
    with cache.write() as conn:
        outbox.enqueue(conn, "send_new",
                       offline_send(local_thread, outbox.new_local_id()), "new")
        outbox.enqueue(conn, "reply", offline_reply(local_thread, outbox.new_local_id(),
                                                    "<p>And one more thing.</p>"), "reply")
    assert cache.thread_ids("sent") == [local_thread]
    conversation = cache.conversation(local_thread)
    assert [m["pending"] for m in conversation["messages"]] == [True, True]
    assert [p["name"] for p in conversation["thread"]["participants"]] == [
        "Dr. Sofia Rivera", "Alex Morgan"]

    # The server creates the thread: the queued reply now points at the real id.
    real = "thread-real-00000000001"
    with cache.write() as conn:
        first = outbox.head(conn)
        outbox.remove(conn, first.id)
        mirror.upsert_threads(conn, [thread(real, "Offline note", 40)])
        outbox.rewrite_local_id(conn, local_thread, real)
        pending = outbox.pending(conn)
    assert pending[0].payload["thread_id"] == real
    assert cache.resolve_id(local_thread) == real
    assert cache.conversation(local_thread)["thread"]["id"] == real  # a view may hold the old id
    assert [m["body_text"] for m in cache.conversation(real)["messages"]] == [
        "And one more thing."]

    # Refused: its local message disappears, nothing else changes.
    with cache.write() as conn:
        outbox.rollback(conn, outbox.head(conn))
    assert cache.conversation(real)["messages"] == []
    assert cache.search("train") == [] and cache.search("one more thing") == []


def test_drafts_deletes_and_folders_roll_back(cache: Cache) -> None:
    draft = {"id": "draft-00000000000000001", "to": [], "subject": "Server copy",
             "body_html": "<p>v1</p>", "attachment_ids": [], "thread_id": None,
             "updated_at": "2026-03-01T09:00:00Z"}
    folder = {"id": "folder:custom-0000000001", "name": "Consults"}
    apply(cache, page(people=[ME, ALEX], threads=[thread(T1, "Rescheduling", 1)],
                      messages=[message(M1, T1, "Please call me back.", 1)],
                      states=[state(T1, folder=folder["id"])], drafts=[draft],
                      folders=[folder]))
    with cache.write() as conn:
        outbox.enqueue(conn, "save_draft", {"draft": dict(draft, subject="Local edit")}, "d")
        outbox.enqueue(conn, "delete_message", {"message_id": M1, "thread_id": T1}, "m")
        outbox.enqueue(conn, "delete_folder", {"folder_id": folder["id"]}, "f")
        outbox.enqueue(conn, "create_folder", {"local_folder_id": outbox.new_local_id("folder:"),
                                               "name": "Made offline"}, "c")
    assert cache.drafts()[0]["subject"] == "Local edit" and cache.drafts()[0]["pending"]
    assert cache.conversation(T1)["messages"] == []
    assert [f["name"] for f in cache.folders() if f.get("custom")] == ["Made offline"]
    assert cache.thread_ids("archive") == [T1]
    with cache.write() as conn:
        for command in outbox.pending(conn):
            outbox.rollback(conn, command)
    assert cache.drafts()[0]["subject"] == "Server copy" and not cache.drafts()[0]["pending"]
    assert len(cache.conversation(T1)["messages"]) == 1
    assert [f["name"] for f in cache.folders() if f.get("custom")] == ["Consults"]
    assert cache.thread_ids(folder["id"]) == [T1]


def test_clearing_for_a_resync_keeps_the_outbox(cache: Cache) -> None:
    apply(cache, basic_page())
    with cache.write() as conn:
        outbox.enqueue(conn, "reply", {
            "thread_id": T1, "local_message_id": outbox.new_local_id(),
            "body_html": "<p>Kept through the resync.</p>", "attachment_ids": [],
            "attachments": [], "draft_id": None, "sent_at": "2026-03-01T10:00:00Z"}, "reply")
        Cache.set_meta(conn, "cursor", "99")
        mirror.clear(conn)
        outbox.replay(conn, None)
    assert cache.sync_position() == (None, False)
    assert cache.thread_ids("inbox") == [] and cache.search("session") == []
    assert len(cache.outbox_items()) == 1
    assert cache.search("resync") == []  # its thread is not back yet
    apply(cache, basic_page())
    assert cache.search("resync")  # the pending reply shows in it again
    assert cache.integrity_check() == "ok"


def test_messages_are_searchable_once_their_thread_and_sender_arrive(cache: Cache) -> None:
    # The feed may send messages pages before their thread or their sender.
    apply(cache, page(messages=[message(M4, T1, "Early bird message about kayaks", 30)]))
    assert cache.search("kayaks") == []
    apply(cache, page(cursor="2", threads=[thread(T1, "Weekend plans", 30)]))
    assert cache.search("kayaks")[0]["subject"] == "Weekend plans"
    assert cache.search("Weekend")[0]["message_id"] == M4
    assert cache.search("Morgan") == []
    apply(cache, page(cursor="3", people=[ALEX]))
    assert cache.search("Morgan")[0]["message_id"] == M4
    apply(cache, page(cursor="4", people=[dict(ALEX, name="Alexandra Morgan")],
                      threads=[thread(T1, "Canoe plans", 30)]))
    assert cache.search("Alexandra canoe")[0]["message_id"] == M4
    assert cache.search("Weekend") == []
    assert cache.integrity_check() == "ok"


def test_schema_version_and_a_cache_from_a_newer_program(tmp_path: Path) -> None:
    key = os.urandom(32)
    cache = Cache.open(tmp_path / "c.db", key)
    with cache.read() as conn:
        assert conn.exec_driver_sql("PRAGMA user_version").scalar_one() == SCHEMA_VERSION
    with cache.write() as conn:
        conn.exec_driver_sql(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    cache.close()
    with pytest.raises(CacheTooNew):
        Cache.open(tmp_path / "c.db", key)


@pytest.mark.parametrize("broken, complaint", [
    ({"more": False}, "no cursor"),
    ({"cursor": "5"}, "whether more follows"),
    ({"cursor": "5", "more": False, "messages": [{"id": "m"}]}, r"messages\[0\] has no .thread_id"),
    ({"cursor": "5", "more": False, "threads": "nope"}, "'threads' is not a list"),
    ({"cursor": "5", "more": False, "messages": [dict(message(M1, T1, "x", 1), sent_at="soon")]},
     "not a time"),
    ({"cursor": "5", "more": False, "states": [dict(state(T1), unread="yes")]}, "wrong type"),
    ({"cursor": "5", "more": False, "deleted": {"threads": [1]}}, "deleted.threads"),
    ([], "not a JSON object"),
])
def test_malformed_pages_are_refused_with_a_clear_reason(broken, complaint) -> None:
    with pytest.raises(ProtocolError, match=complaint):
        shapes.check_page(broken)


def test_a_bulk_load_checkpoints_the_wal_less_often_until_it_ends(cache: Cache) -> None:
    def wal_pages() -> int:
        with cache.write(durable=False) as conn:
            return int(conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar_one())

    normal = wal_pages()
    with cache.bulk_load():
        during = wal_pages()
        with cache.write(durable=False) as conn:
            mirror.apply_page(conn, page(threads=[thread("t1", "Intake", 1)],
                                         messages=[message("m1", "t1", "Welcome aboard", 1)]),
                              ME["id"])
    assert (normal, during, wal_pages()) == (1000, 20000, 1000)
    assert [r["id"] for r in cache.thread_rows(["t1"])] == ["t1"]


def test_a_reply_queued_offline_dates_its_row_until_the_server_has_a_newer_message(
        cache: Cache) -> None:
    apply(cache, basic_page())
    server_time = cache.thread_rows([T1])[0]["last_message_at"]
    reply = offline_reply(T1, outbox.new_local_id(), "<p>Afternoon works for me.</p>")
    reply["sent_at"] = "2031-05-06T07:08:09.250Z"
    with cache.write() as conn:
        outbox.enqueue(conn, "reply", reply, "reply")
    assert cache.thread_rows([T1])[0]["last_message_at"] == "2031-05-06T07:08:09.250Z"
    assert cache.thread_rows([T2])[0]["last_message_at"] != reply["sent_at"]
    assert server_time != reply["sent_at"]

"""The engine mirrors the server: initial sync, incremental changes, and deletes that purge."""

from __future__ import annotations

from sync.api import ApiClient
from sync.events import CacheChanged, NewMessage, SyncProgress
from tests.support.live_server import LiveServer
from tests.sync.server_truth import differences, server_mailbox
from tests.sync.traffic import key, make_traffic, signed_in, upload_pdf


def test_initial_sync_equals_what_the_api_returns(live_server: LiveServer, rivera: ApiClient,
                                                  make_engine) -> None:
    traffic = make_traffic(live_server)
    engine, events = make_engine(rivera, page_limit=3)
    assert engine.wait_until_synced(30)

    assert differences(engine.cache, rivera) == []
    truth = server_mailbox(rivera)
    assert len(truth.messages) >= 5
    progress = events.of(SyncProgress)
    assert progress[-1].done and progress[-1].messages >= len(truth.messages)
    assert len(progress) > 1  # small pages: several of them

    cache = engine.cache
    assert cache.me()["username"] == "dr.rivera"
    assert cache.limits()["max_attachment_bytes"] > 0
    folders = {f["id"]: f for f in cache.folders()}
    assert folders["inbox"]["total"] == len(rivera.threads("inbox")["items"])
    assert folders["inbox"]["unread"] == 1  # alex's thread; the chen one was answered, moved
    assert folders["drafts"]["total"] == 1
    consults = [f for f in folders.values() if f["name"] == "Consults"]
    assert consults and consults[0]["total"] == 1

    rows = cache.thread_rows(cache.thread_ids("inbox"))
    assert [r["id"] for r in rows] == [traffic.with_client]
    assert rows[0]["has_attachments"] and rows[0]["message_count"] == 2
    assert rows[0]["snippet"].startswith("Also, can we talk")
    conversation = cache.conversation(traffic.with_client)
    assert [m["sender"]["username"] for m in conversation["messages"]] == ["alex", "alex"]
    assert conversation["messages"][0]["attachments"][0]["filename"] == "intake form.pdf"
    assert conversation["thread"]["can_reply"] is True

    hits = cache.search("intake")
    assert {h["thread_id"] for h in hits} == {traffic.with_client}
    assert any("<b>intake</b>" in h["snippet"].lower() for h in hits)
    assert cache.search("Blair plan")[0]["thread_id"] == traffic.staff_only
    assert cache.search('"mood journal"')[0]["thread_id"] == traffic.from_rivera
    assert cache.search("Alex Morgan")  # sender names are searchable
    assert cache.search("nonexistentword") == []


def test_an_incremental_change_arrives_with_a_new_message_event(
        live_server: LiveServer, rivera: ApiClient, make_engine) -> None:
    traffic = make_traffic(live_server)
    engine, events = make_engine(rivera)
    assert engine.wait_until_synced(30)
    assert events.of(NewMessage) == []  # the initial sync raises no alerts

    alex = signed_in(live_server, "alex")
    answer = alex.add_message(traffic.with_client, "<p>Running ten minutes late today.</p>", [],
                              idempotency_key=key())
    assert engine.wait_until_synced(30)
    alerts = events.of(NewMessage)
    assert [(a.message_id, a.sender_name, a.subject) for a in alerts] == [
        (answer["message"]["id"], "Alex Morgan", "Question about my intake paperwork")]
    assert any(isinstance(e, CacheChanged) and traffic.with_client in e.thread_ids
               for e in events.events)
    assert engine.cache.search("ten minutes late")[0]["message_id"] == answer["message"]["id"]

    # One's own messages never alert.
    rivera2 = signed_in(live_server, "dr.rivera")
    rivera2.add_message(traffic.with_client, "<p>No problem, see you soon.</p>", [],
                        idempotency_key=key())
    assert engine.wait_until_synced(30)
    assert len(events.of(NewMessage)) == 1
    assert differences(engine.cache, rivera) == []


def fts_rows(engine, word: str) -> list:
    with engine.cache.read() as conn:
        return conn.exec_driver_sql(
            "SELECT rowid FROM message_fts WHERE message_fts MATCH ?", (word,)).all()


def test_deletes_purge_rows_index_entries_and_cached_files(
        live_server: LiveServer, rivera: ApiClient, make_engine) -> None:
    alex_id = live_server.person_id("alex")
    attachment = upload_pdf(rivera, "worksheet.pdf", "purge-me")
    sent = rivera.create_thread([f"person:{alex_id}"], "Xylophone worksheet",
                                "<p>The quokka exercise is attached.</p>",
                                [attachment["id"]], idempotency_key=key())
    second = rivera.add_message(sent["thread"]["id"], "<p>And a wombat follow-up note.</p>", [],
                                idempotency_key=key())
    engine, _ = make_engine(rivera)
    assert engine.wait_until_synced(30)
    opened = engine.blobs.open_path(attachment)
    assert opened.read_bytes().endswith(b"% purge-me\n")
    assert engine.blobs.has(attachment["id"])
    assert fts_rows(engine, "quokka") and fts_rows(engine, "wombat")

    # A message deleted through the engine: hidden at once, purged once the server agrees.
    engine.delete_message(second["message"]["id"])
    assert engine.cache.search("wombat") == []
    assert engine.wait_until_synced(30)
    assert fts_rows(engine, "wombat") == []

    # A thread deleted elsewhere (another device): the tombstone purges everything.
    other_device = signed_in(live_server, "dr.rivera")
    other_device.delete_thread(sent["thread"]["id"])
    assert engine.wait_until_synced(30)
    with engine.cache.read() as conn:
        left = conn.exec_driver_sql("SELECT count(*) FROM messages WHERE thread_id = ?",
                                    (sent["thread"]["id"],)).scalar_one()
        threads = conn.exec_driver_sql("SELECT count(*) FROM threads WHERE id = ?",
                                       (sent["thread"]["id"],)).scalar_one()
    assert (left, threads) == (0, 0)
    assert fts_rows(engine, "quokka") == [] and fts_rows(engine, "Xylophone") == []
    assert not engine.blobs.has(attachment["id"])
    assert engine.cache.integrity_check() == "ok"
    assert differences(engine.cache, rivera) == []

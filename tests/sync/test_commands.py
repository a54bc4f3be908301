"""Engine commands against the real server: refusals roll back, offline ids resolve in order,
lost answers are not repeated, and the feed's special answers (410, 401) are handled."""

from __future__ import annotations

import time

from sqlalchemy import update

from server.db.models import FeedCounter
from sync.api import ApiClient
from sync.events import CacheRebuilt, CommandFailed, SyncStopped
from tests.support.live_server import LiveServer
from tests.sync.fault_proxy import FaultProxy
from tests.sync.server_truth import differences, server_mailbox
from tests.sync.traffic import key, make_traffic, signed_in


def wait_for(condition, timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_a_refusal_rolls_back_and_reports_the_servers_detail(
        live_server: LiveServer, rivera: ApiClient, make_engine) -> None:
    traffic = make_traffic(live_server)
    first, _ = make_engine(rivera, name="refusal")
    assert first.wait_until_synced(30)
    first.stop()
    engine, events = make_engine(rivera, name="refusal", start=False)
    alex = f"person:{live_server.person_id('alex')}"

    local = engine.send_new([alex], "Too short", "<p>hi</p>")
    engine.reply(local, "<p>This reply depends on the refused message.</p>")
    engine.set_state([traffic.with_client], folder="sent")  # placing in Sent is not allowed
    assert engine.cache.thread_ids("sent")[0] == local  # shown at once, optimistically
    assert engine.cache.thread_rows([traffic.with_client])[0]["folder"] == "sent"
    engine.start()
    assert engine.wait_until_synced(30)

    failed = events.of(CommandFailed)
    assert [(f.kind, f.code) for f in failed] == [
        ("send_new", "body_too_short"), ("reply", "depends_on_failed"),
        ("set_state", "validation_error")]
    assert "10" in failed[0].detail  # the server's own sentence, naming its limit
    assert engine.cache.conversation(local) is None
    assert engine.cache.search("Too short") == []
    assert engine.cache.thread_rows([traffic.with_client])[0]["folder"] == "inbox"
    assert engine.cache.outbox_items() == []
    assert differences(engine.cache, rivera) == []


def test_a_refusal_makes_the_engine_ask_for_the_servers_limits_again(
        live_server: LiveServer, rivera: ApiClient, make_engine) -> None:
    """The server refused what the client's limits allowed: those limits were out of date, so
    /session is asked again and the cache holds the server's new minimum."""
    traffic = make_traffic(live_server)
    engine, events = make_engine(rivera)
    # Twice: the first sync brings people, after which the directory is read again.
    assert engine.wait_until_synced(30) and engine.wait_until_synced(30)
    assert engine.cache.limits()["min_body_chars"] == 10
    live_server.settings.min_body_chars = 40
    engine.reply(traffic.with_client, "<p>Yes, thank you.</p>")
    assert wait_for(lambda: events.of(CommandFailed))
    assert events.of(CommandFailed)[0].code == "body_too_short"
    assert wait_for(lambda: engine.cache.limits()["min_body_chars"] == 40)


def test_offline_commands_resolve_in_order_once_the_server_is_back(
        live_server: LiveServer, rivera: ApiClient, make_engine) -> None:
    traffic = make_traffic(live_server)
    engine, events = make_engine(rivera)
    assert engine.wait_until_synced(30)
    alex_id = live_server.person_id("alex")

    live_server.stop()
    thread = engine.send_new([f"person:{alex_id}"], "Written offline",
                             "<p>First message, written with the server down.</p>")
    engine.reply(thread, "<p>Second message, a reply to the first one.</p>")
    folder = engine.create_folder("Offline folder")
    engine.set_state([thread], folder=folder, starred=True)
    draft = engine.save_draft({"to": [f"person:{alex_id}"], "subject": "Draft offline",
                               "thread_id": thread})
    engine.mark_thread_read(traffic.with_client)
    assert engine.cache.thread_ids(folder) == [thread]
    assert len(engine.cache.conversation(thread)["messages"]) == 2
    assert not engine.cache.thread_rows([traffic.with_client])[0]["unread"]
    assert wait_for(lambda: engine.status.snapshot().state == "offline")
    assert len(engine.cache.outbox_items()) == 6

    live_server.start()
    assert engine.wait_until_synced(60)
    assert events.of(CommandFailed) == []
    truth = server_mailbox(rivera)
    mine = [t for t in truth.threads.values() if t["subject"] == "Written offline"]
    assert len(mine) == 1 and mine[0]["message_count"] == 2
    real = mine[0]["id"]
    folders = [f for f in truth.folders.values() if f["name"] == "Offline folder"]
    assert len(folders) == 1
    assert truth.states[real]["folder"] == folders[0]["id"] and truth.states[real]["starred"]
    assert truth.drafts[draft]["thread_id"] == real
    assert truth.states[traffic.with_client]["unread"] is False
    assert engine.cache.resolve_id(thread) == real
    assert differences(engine.cache, rivera) == []


def test_reading_a_thread_records_the_read_receipt(live_server: LiveServer, rivera: ApiClient,
                                                   make_engine) -> None:
    traffic = make_traffic(live_server)
    chen = signed_in(live_server, "dr.chen")
    sent = chen.add_message(traffic.staff_only, "<p>One more question on the consult.</p>", [],
                            idempotency_key=key())
    engine, _ = make_engine(rivera)
    assert engine.wait_until_synced(30)
    assert engine.cache.thread_rows([traffic.staff_only])[0]["unread"]
    engine.mark_thread_read(traffic.staff_only)
    assert engine.wait_until_synced(30)
    messages = {m["id"]: m for m in chen.thread(traffic.staff_only)["messages"]}
    receipts = messages[sent["message"]["id"]]["receipts"]
    assert [r["read_at"] is not None for r in receipts] == [True]
    engine.mark_thread_read(traffic.staff_only)  # already read: nothing is queued
    assert engine.cache.outbox_items() == []


def test_lost_answers_to_a_quick_note_and_a_new_folder_do_not_make_them_twice(
        live_server: LiveServer, rivera: ApiClient, make_engine) -> None:
    traffic = make_traffic(live_server)
    proxy = FaultProxy(live_server.port).start()
    try:
        engine, events = make_engine(ApiClient(proxy.url, rivera.token))
        assert engine.wait_until_synced(30)
        proxy.once(f"POST /api/v1/threads/{traffic.with_client}/quick-note".encode(),
                   "drop_after")
        proxy.once(b"POST /api/v1/folders", "drop_after")
        proxy.once(b"POST /api/v1/threads ", "drop_after")
        engine.quick_note(traffic.with_client, "Client asked to move Tuesday's session.")
        engine.create_folder("Follow-ups")
        engine.send_new([f"person:{live_server.person_id('alex')}"], "Answer lost once",
                        "<p>The first answer to this never arrives.</p>")
        assert engine.wait_until_synced(30)
        assert proxy.counts["drop_after"] == 3
    finally:
        proxy.stop()
    assert events.of(CommandFailed) == []
    notes = rivera.client_notes(live_server.person_id("alex"))["notes"]
    assert [n["body"] for n in notes].count("Client asked to move Tuesday's session.") == 1
    assert [f["name"] for f in rivera.folders()["folders"]].count("Follow-ups") == 1
    subjects = [t["subject"] for t in server_mailbox(rivera).threads.values()]
    assert subjects.count("Answer lost once") == 1


def test_an_expired_cursor_rebuilds_the_cache_and_keeps_the_outbox(
        live_server: LiveServer, rivera: ApiClient, make_engine) -> None:
    traffic = make_traffic(live_server)
    first, _ = make_engine(rivera, name="resync")
    assert first.wait_until_synced(30)
    first.stop()
    first.cache.close()

    alex = signed_in(live_server, "alex")
    alex.add_message(traffic.with_client, "<p>Written while the desk was away.</p>", [],
                     idempotency_key=key())
    with live_server.ctx.sessions() as db:
        db.execute(update(FeedCounter).values(pruned_below=FeedCounter.value))
        db.commit()

    engine, events = make_engine(rivera, name="resync", start=False)
    engine.reply(traffic.with_client, "<p>Queued before the cache was rebuilt.</p>")
    engine.start()
    assert engine.wait_until_synced(30)
    assert len(events.of(CacheRebuilt)) == 1
    assert "downloaded again" in events.of(CacheRebuilt)[0].reason
    texts = [m["body_text"] for m in server_mailbox(rivera).messages.values()]
    assert texts.count("Queued before the cache was rebuilt.") == 1
    assert engine.cache.search("desk was away")
    assert differences(engine.cache, rivera) == []


def test_a_revoked_token_stops_syncing_and_asks_to_sign_in(
        live_server: LiveServer, rivera: ApiClient, make_engine) -> None:
    engine, events = make_engine(rivera)
    assert engine.wait_until_synced(30)
    ApiClient(live_server.url, rivera.token).logout()
    engine.set_state([], starred=True)  # nothing to do: not queued
    alex = signed_in(live_server, "alex")
    alex.create_thread([f"person:{live_server.person_id('dr.rivera')}"], "Wakes the poll",
                       "<p>Something to make the long poll return.</p>", [],
                       idempotency_key=key())
    assert wait_for(lambda: events.of(SyncStopped))
    stop = events.of(SyncStopped)[0]
    assert stop.code == "unauthenticated" and "sign in again" in stop.detail
    assert engine.stopped is not None


def test_a_refused_message_keeps_what_was_sent_as_its_draft(
        live_server: LiveServer, rivera: ApiClient, make_engine) -> None:
    """The draft comes back with the text that was sent (newer than the draft last saved),
    its recipients and subject; a reply nobody saved as a draft is kept all the same."""
    traffic = make_traffic(live_server)
    first, _ = make_engine(rivera, name="kept")
    assert first.wait_until_synced(30)
    first.stop()
    engine, events = make_engine(rivera, name="kept", start=False)
    alex = f"person:{live_server.person_id('alex')}"
    draft_id = engine.save_draft({"to": [alex], "subject": "Kept", "body_html": "<p>h</p>"})
    engine.send_new([alex], "Kept", "<p>hi there</p>", draft_id=draft_id)
    engine.reply(traffic.with_client, "<p>Ok          .</p>")
    engine.start()
    assert engine.wait_until_synced(30)

    failed = events.of(CommandFailed)
    assert [f.code for f in failed] == ["body_too_short", "body_too_short"]
    assert all("kept in Drafts" in f.detail for f in failed)
    drafts = {d["body_html"]: d for d in engine.cache.drafts()}
    assert drafts["<p>hi there</p>"]["id"] == draft_id
    assert drafts["<p>hi there</p>"]["to"] == [alex]
    assert drafts["<p>hi there</p>"]["subject"] == "Kept"
    assert drafts["<p>Ok          .</p>"]["thread_id"] == traffic.with_client
    on_server = {d["body_html"]: d for d in rivera.drafts()["drafts"]}
    assert set(on_server) >= {"<p>hi there</p>", "<p>Ok          .</p>"}
    assert engine.cache.outbox_items() == []
    assert differences(engine.cache, rivera) == []

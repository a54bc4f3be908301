"""The command classes (sync.commands) without a server: every kind the engine queues has
one, and each says in one place what it creates, how it is sent, what answer it takes, which
refusals still meet its goal, and that its effect is undone without a trace."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from sync import commands, outbox
from sync.cache import Cache
from sync.engine import SyncEngine
from sync.errors import ApiError, ProtocolError
from sync.outbox import Command
from tests.sync.pages import ALEX, ME, message, page, state, thread
from tests.sync.test_cache import apply

T1, T2 = "thread-0000000000000001", "thread-0000000000000002"
M1, M2 = "message-000000000000001", "message-000000000000002"
DRAFT = {"id": "draft-00000000000000001", "to": [], "subject": "Server copy",
         "body_html": "<p>v1</p>", "attachment_ids": [], "thread_id": None,
         "updated_at": "2026-03-01T09:00:00Z"}
FOLDER = {"id": "folder:custom-0000000001", "name": "Consults"}
#: The kind names caches on disk hold: each must keep its class.
STORED_KINDS = {"send_new", "reply", "set_state", "mark_read", "save_draft", "delete_draft",
                "delete_message", "delete_thread", "quick_note", "set_client_status",
                "create_folder", "rename_folder", "delete_folder", "upload", "delete_upload"}
TABLES = ("threads", "messages", "drafts", "folders", "people", "id_map", "outbox")


class Calls:
    """An API client that records what it was asked and answers nothing."""

    def __init__(self) -> None:
        self.made: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []

    def __getattr__(self, name: str) -> Any:
        def call(*args: Any, **kwargs: Any) -> Any:
            self.made.append((name, args, kwargs))
        return call


class Channel:
    def __init__(self, api: Any, blobs: Any = None) -> None:
        self.api, self.blobs, self.emit = api, blobs, lambda event: None


def mailbox(cache: Cache) -> None:
    apply(cache, page(people=[ME, ALEX],
                      threads=[thread(T1, "Rescheduling", 1), thread(T2, "Billing", 2)],
                      messages=[message(M1, T1, "Please call me back.", 1),
                                message(M2, T2, "My invoice, twice.", 2)],
                      states=[state(T1, folder=FOLDER["id"]), state(T2)], drafts=[DRAFT],
                      folders=[FOLDER]))


def rows(cache: Cache) -> dict[str, list[Any]]:
    with cache.read() as conn:
        return {table: conn.exec_driver_sql(f"SELECT * FROM {table} ORDER BY 1").all()
                for table in TABLES}


def one_of_each(engine: SyncEngine) -> list[Callable[[], Any]]:
    """Every public command of the engine, once."""
    return [
        lambda: engine.send_new([f"person:{ALEX['id']}"], "Hello", "<p>Written offline.</p>",
                                draft_id=DRAFT["id"]),
        lambda: engine.reply(T1, "<p>Tuesday at three works.</p>", draft_id=DRAFT["id"]),
        lambda: engine.mark_thread_read(T2),
        lambda: engine.set_state([T1, T2], folder="archive", unread=False),
        lambda: engine.save_draft(dict(DRAFT, subject="Local edit")),
        lambda: engine.delete_draft(DRAFT["id"]),
        lambda: engine.delete_message(M1),
        lambda: engine.delete_thread(T2),
        lambda: engine.quick_note(T1, "Called back."),
        lambda: engine.set_client_status(ALEX["id"], "inactive"),
        lambda: engine.create_folder("Made offline"),
        lambda: engine.rename_folder(FOLDER["id"], "Consultations"),
        lambda: engine.delete_folder(FOLDER["id"]),
        lambda: engine.queue_upload({"id": outbox.new_local_id(), "filename": "note.pdf",
                                     "size": 3}),
        lambda: engine.discard_upload("blob-00000000000001"),
    ]


@pytest.fixture
def engine(cache: Cache) -> SyncEngine:
    """An engine that is never started: its commands stay in the outbox."""
    mailbox(cache)
    return SyncEngine(cache, Calls())


def test_every_kind_the_outbox_holds_has_a_class_naming_its_fields_and_what_it_creates(
        engine: SyncEngine) -> None:
    for command in one_of_each(engine):
        command()
    with engine.cache.read() as conn:
        queued = outbox.pending(conn)
    assert {c.kind for c in queued} == STORED_KINDS == commands.KINDS
    for command in queued:
        command_type = commands.by_kind(command.kind)
        assert command_type.kind == command.kind
        assert tuple(command.payload) == command_type.fields, command.kind
        for name in command_type.creates:  # made here, so never waited for
            assert outbox.LOCAL_ID.match(command.payload[name]), (command.kind, name)


def test_the_registry_and_the_outbox_refuse_an_unknown_kind(cache: Cache) -> None:
    with pytest.raises(ValueError, match="unknown command kind 'archive_all'"):
        commands.by_kind("archive_all")
    with pytest.raises(ValueError, match="unknown command kind"), cache.write() as conn:
        outbox.enqueue(conn, "archive_all", {}, "Archive everything")
    assert cache.outbox_items() == []


def test_each_effect_is_undone_without_a_trace(engine: SyncEngine) -> None:
    cache = engine.cache
    before = rows(cache)
    for command in one_of_each(engine):
        command()
        with cache.read() as conn:
            [queued] = outbox.pending(conn)
        assert rows(cache) != before or queued.kind in ("quick_note", "upload",
                                                         "delete_upload"), queued.kind
        with cache.write() as conn:
            changed = outbox.rollback(conn, queued)
        assert changed >= commands.by_kind(queued.kind).targets(queued.payload) - {"thread:*"}
        assert rows(cache) == before, queued.kind


def test_all_effects_together_are_undone_in_any_order(engine: SyncEngine) -> None:
    cache = engine.cache
    before = rows(cache)
    for command in one_of_each(engine):
        command()
    with cache.write() as conn:
        for queued in reversed(outbox.pending(conn)):
            outbox.rollback(conn, queued)
    assert rows(cache) == before


def sent(kind: str, payload: dict[str, Any]) -> tuple[str, tuple[Any, ...], dict[str, Any]]:
    api = Calls()
    command = Command(1, kind, payload, "key-1", "summary", 0, None)
    commands.by_kind(kind).send(Channel(api), command)
    [call] = api.made
    return call


def test_each_kind_is_sent_to_its_own_endpoint_with_a_key_where_one_is_safe() -> None:
    message_payload = {"to": ["person:x"], "subject": "s", "body_html": "<p>b</p>",
                       "attachment_ids": [], "thread_id": T1}
    expected = {
        ("send_new", "create_thread", True): message_payload,
        ("reply", "add_message", True): message_payload,
        ("set_state", "set_thread_state", False): {"thread_ids": [T1], "folder": "archive"},
        ("set_state", "set_thread_states", True): {"thread_ids": [T1, T2], "unread": True},
        ("mark_read", "thread", False): {"thread_id": T1},
        ("save_draft", "put_draft", False): {"draft": DRAFT},
        ("delete_draft", "delete_draft", False): {"draft_id": DRAFT["id"]},
        ("delete_message", "delete_message", False): {"message_id": M1, "thread_id": T1},
        ("delete_thread", "delete_thread", False): {"thread_id": T1},
        ("quick_note", "quick_note", True): {"thread_id": T1, "body": "Called."},
        ("set_client_status", "set_client_status", False): {"client_id": "c", "status": "x"},
        ("create_folder", "create_folder", True): {"local_folder_id": "l", "name": "n"},
        ("rename_folder", "rename_folder", False): {"folder_id": "f", "name": "n"},
        ("delete_folder", "delete_folder", False): {"folder_id": "f"},
        ("delete_upload", "delete_blob", False): {"attachment_id": "a"},
    }
    for (kind, endpoint, keyed), payload in expected.items():
        name, _args, kwargs = sent(kind, payload)
        assert (name, kwargs.get("idempotency_key") == "key-1") == (endpoint, keyed), kind


def test_an_upload_whose_staged_copy_is_gone_is_refused_without_asking(tmp_path: Path) -> None:
    class Blobs:
        def staged_path(self, local_id: str) -> Path:
            return tmp_path / "gone.blob"

    api = Calls()
    command = Command(1, "upload", {"local_attachment_id": "local-1", "filename": "scan.pdf",
                                    "size": 3}, "key-1", "Upload scan.pdf", 0, None)
    with pytest.raises(ApiError) as refused:
        commands.by_kind("upload").send(Channel(api, Blobs()), command)
    assert (refused.value.status, refused.value.code) == (410, "attachment_missing")
    assert "scan.pdf" in refused.value.detail and api.made == []


@pytest.mark.parametrize(("kind", "answer"), [
    ("send_new", []), ("reply", {"thread": {}, "message": {}}), ("set_state", {"states": [{}]}),
    ("mark_read", {"thread": None}), ("save_draft", {"id": 1}), ("set_client_status", {}),
    ("create_folder", {}), ("rename_folder", {"id": "f"}), ("upload", {}),
])
def test_an_answer_of_the_wrong_shape_is_refused(kind: str, answer: Any) -> None:
    with pytest.raises(ProtocolError):
        commands.by_kind(kind).check(answer)


def test_kinds_whose_answer_says_nothing_take_any_answer() -> None:
    for kind in ("delete_draft", "delete_message", "delete_thread", "quick_note",
                 "delete_folder", "delete_upload"):
        commands.by_kind(kind).check(None)


def test_which_refusals_still_meet_a_commands_goal() -> None:
    gone, in_use = ApiError(404, "not_found", "Gone."), ApiError(409, "attachment_in_use", "")
    assert {k for k in STORED_KINDS if commands.by_kind(k).done_by(gone)} == {
        "delete_draft", "delete_message", "delete_thread", "delete_folder", "delete_upload"}
    assert {k for k in STORED_KINDS if commands.by_kind(k).done_by(in_use)} == {"delete_upload"}
    refused = ApiError(422, "validation_error", "No.")
    assert not any(commands.by_kind(k).done_by(refused) for k in STORED_KINDS)


def test_only_a_refused_message_keeps_its_text_and_only_a_reply_names_its_thread() -> None:
    assert {k for k in STORED_KINDS if commands.by_kind(k).keeps_text} == {"send_new", "reply"}
    payload = {"thread_id": T1}
    assert {k: commands.by_kind(k).reported_thread(payload) for k in
            ("reply", "mark_read", "quick_note", "delete_thread")} == {
        "reply": T1, "mark_read": "", "quick_note": "", "delete_thread": ""}


def test_an_unreadable_answer_to_a_new_message_undoes_it_and_drops_its_draft(
        engine: SyncEngine) -> None:
    cache = engine.cache
    local = engine.send_new([f"person:{ALEX['id']}"], "Hello", "<p>Written offline.</p>",
                            draft_id=DRAFT["id"])
    with cache.write() as conn:
        command = outbox.head(conn)
        outbox.remove(conn, command.id)
        applied = commands.by_kind("send_new").store(conn, command, None)
    assert f"draft:{DRAFT['id']}" in applied.keys and f"thread:{local}" in applied.keys
    assert cache.conversation(local) is None
    assert cache.drafts() == []  # the feed brings the message the server made of it

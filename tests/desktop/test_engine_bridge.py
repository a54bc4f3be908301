"""The engine bridge: each sync event reaches its signal by class (kinds of change as
sync.events.Change), other objects are ignored, and a command runs on the single writer with
its failure told to the user."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest

from desktop.engine_bridge import EngineBridge
from desktop.notices import Notices
from desktop.tasks import TaskRunner
from sync.events import CacheChanged, Change, CommandFailed, SyncStatus


@pytest.fixture
def bridge(qapp: Any) -> Iterator[EngineBridge]:
    runner = TaskRunner()
    yield EngineBridge(runner, Notices())
    runner.shutdown()


class Engine:
    """Stands in for the sync engine: records the thread each command ran on."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []

    def create_folder(self, name: str) -> str:
        self.calls.append((name, threading.current_thread().name))
        return f"folder-{name}"

    def delete_folder(self, folder_id: str) -> None:
        raise ValueError(f"no folder {folder_id}")


def test_cache_changes_reach_cacheChanged_as_change_members(bridge: EngineBridge) -> None:
    seen: list[tuple[frozenset, frozenset]] = []
    bridge.cacheChanged.connect(lambda kinds, ids: seen.append((kinds, ids)))
    bridge.deliver(CacheChanged(frozenset({Change.THREADS, Change.SESSION}), frozenset({"t1"})))
    assert seen == [(frozenset({Change.THREADS, Change.SESSION}), frozenset({"t1"}))]
    assert all(isinstance(kind, Change) for kind in seen[0][0])


def test_a_refused_reply_is_told_and_its_draft_named(bridge: EngineBridge) -> None:
    failed: list[tuple] = []
    refused: list[tuple] = []
    bridge.commandFailed.connect(lambda *args: failed.append(args))
    bridge.replyRefused.connect(lambda *args: refused.append(args))
    bridge.deliver(CommandFailed("reply", "forbidden", "Not allowed", "t1", "d1"))
    assert failed == [("reply", "forbidden", "Not allowed")]
    assert refused == [("t1", "d1", "Not allowed")]
    assert bridge.notices.history == [("error", "Not allowed")]


def test_sync_status_is_remembered(bridge: EngineBridge) -> None:
    status = SyncStatus("online", 0, None)
    bridge.deliver(status)
    assert bridge.last_status is status


def test_an_unknown_event_class_is_ignored(bridge: EngineBridge) -> None:
    emitted: list[object] = []
    for signal in (bridge.cacheChanged, bridge.newMessage, bridge.syncStatus,
                   bridge.commandFailed, bridge.syncStopped):
        signal.connect(lambda *args: emitted.append(args))

    # A class of the same name and shape is not sync.events.CacheChanged.
    look_alike = type("CacheChanged", (), {"kinds": frozenset({Change.THREADS}),
                                           "thread_ids": frozenset()})
    bridge.deliver(object())
    bridge.deliver(look_alike())
    assert emitted == [] and bridge.notices.history == []


def test_a_command_runs_on_the_writer_and_answers_on_the_gui_thread(
        qtbot: Any, bridge: EngineBridge) -> None:
    engine = Engine()
    bridge.attach(engine)
    answers: list[str] = []
    bridge.command(lambda e: e.create_folder("Follow-ups"), on_done=answers.append)
    qtbot.waitUntil(lambda: answers == ["folder-Follow-ups"], timeout=5_000)
    assert engine.calls[0][0] == "Follow-ups"
    assert engine.calls[0][1] != "MainThread"


def test_a_failed_command_is_told_to_the_user_and_its_caller(
        qtbot: Any, bridge: EngineBridge) -> None:
    bridge.attach(Engine())
    errors: list[BaseException] = []
    bridge.command(lambda e: e.delete_folder("f1"), on_error=errors.append)
    qtbot.waitUntil(lambda: bool(errors), timeout=5_000)
    assert isinstance(errors[0], ValueError)
    assert bridge.notices.history == [("error", "Could not do that: no folder f1")]


def test_without_an_engine_a_command_is_dropped(qtbot: Any, bridge: EngineBridge) -> None:
    called: list[object] = []
    bridge.command(lambda e: called.append(e), on_done=called.append, on_error=called.append)
    qtbot.wait(50)
    assert called == [] and bridge.notices.history == []

"""While older messages download behind the newest threads, the status bar says how far that
is ("Downloading older messages… 40%") and search says its results may be incomplete."""

from __future__ import annotations

from typing import Any

from sync.events import SyncProgress
from tests.desktop.people import Person

INCOMPLETE = "Still downloading older messages: results may be incomplete"


def test_the_status_bar_says_how_far_the_older_messages_are(qtbot: Any, open_inbox: Any,
                                                          live_server: Any) -> None:
    alex = Person(live_server, "alex")
    for n in range(3):
        alex.send(["dr.rivera"], f"Note {n}", "Something for the first sync to fetch.")
    inbox = open_inbox("dr.rivera")
    progress = [e for e in inbox.events if isinstance(e, SyncProgress)]
    # The engine told of the snapshot first (nothing of the feed yet), then of the whole.
    assert progress[0].fraction == 0.0 and progress[0].pages == 0
    assert progress[-1].done and progress[-1].fraction == 1.0
    status, bridge = inbox.window.status, inbox.session.bridge
    assert not status.backfill_label.isVisible() and not status.progress.isVisible()

    bridge.syncProgress.emit(SyncProgress(3, 1500, False, 0.4))
    assert status.backfill_label.isVisible() and status.progress.isVisible()
    assert status.backfill_label.text() == "Downloading older messages… 40%"
    assert status.progress.value() == 40 and status.progress.maximum() == 100
    bridge.syncProgress.emit(SyncProgress(9, 4100, False, 0.996))
    assert status.backfill_label.text() == "Downloading older messages… 99%"
    bridge.syncProgress.emit(SyncProgress(10, 4200, True, 1.0))
    assert not status.backfill_label.isVisible() and not status.progress.isVisible()

    # A server that sends everything oldest first: a count of messages, no percentage.
    bridge.syncProgress.emit(SyncProgress(2, 120, False, None))
    assert status.progress.isVisible() and not status.backfill_label.isVisible()
    assert status.progress.maximum() == 0 and "120 messages" in status.progress.toolTip()


def test_search_says_when_its_results_may_be_incomplete(qtbot: Any, open_inbox: Any,
                                                       live_server: Any) -> None:
    Person(live_server, "alex").send(["dr.rivera"], "Medication question",
                                     "The pharmacist mentioned sertraline and my sleep aid.")
    window = open_inbox("dr.rivera").window
    bridge, note, model = window.session.bridge, window.search_note, window.thread_model
    qtbot.waitUntil(lambda: model.total() == 1)
    qtbot.keyClicks(window.search, "sertraline")
    qtbot.waitUntil(lambda: model.is_search and model.has_loaded and model.total() == 1,
                    timeout=10_000)
    assert not note.isVisible()  # the first sync is over: nothing is missing

    bridge.syncProgress.emit(SyncProgress(3, 1500, False, 0.4))
    assert note.isVisible() and note.text() == INCOMPLETE
    window.search.clear()
    qtbot.waitUntil(lambda: not model.is_search and model.has_loaded, timeout=10_000)
    assert not note.isVisible()  # a folder lists what it lists
    qtbot.keyClicks(window.search, "pharmacist")
    qtbot.waitUntil(lambda: model.is_search and model.has_loaded, timeout=10_000)
    assert note.isVisible()
    bridge.syncProgress.emit(SyncProgress(10, 4200, True, 1.0))
    assert not note.isVisible()

"""Search over everything cached, with the matches highlighted in the list and the message."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from desktop.models.roles import ID_ROLE
from tests.desktop.people import Person


def test_search_finds_an_old_message_and_highlights_it(qtbot: Any, open_inbox: Any,
                                                      live_server: Any) -> None:
    alex = Person(live_server, "alex")
    old = alex.send(["dr.rivera"], "Medication question",
                    "The pharmacist mentioned sertraline interactions with my sleep aid.")
    for n in range(5):
        alex.send(["dr.rivera"], f"Update {n}", f"Nothing special happened on day {n}.")
    window = open_inbox("dr.rivera").window
    qtbot.waitUntil(lambda: window.thread_model.total() == 6)
    window.thread_model.set_checked([old["id"]], True)  # archived before the search
    window.bulk_bar.archive.trigger()
    qtbot.waitUntil(lambda: window.thread_model.total() == 5, timeout=10_000)

    qtbot.keyClicks(window.search, "sertraline")
    qtbot.waitUntil(lambda: window.thread_model.is_search and window.thread_model.total() == 1,
                    timeout=10_000)
    record = window.thread_model.record(0)
    assert record["id"] == old["id"]
    assert "<b>sertraline</b>" in record["snippet"].lower()

    window.thread_list.select_thread(old["id"])
    qtbot.waitUntil(lambda: bool(window.conversation.cards), timeout=10_000)
    assert window.conversation.apply_highlight() == 1

    window.search.clear()
    qtbot.waitUntil(lambda: not window.thread_model.is_search
                    and window.thread_model.total() == 5, timeout=10_000)


def test_search_with_no_match_shows_an_empty_list(qtbot: Any, open_inbox: Any,
                                                 live_server: Any) -> None:
    Person(live_server, "alex").send(["dr.rivera"], "Hello", "Just checking in with you.")
    window = open_inbox("dr.rivera").window
    qtbot.waitUntil(lambda: window.thread_model.total() == 1)
    qtbot.keyClicks(window.search, "xylophone")
    qtbot.waitUntil(lambda: window.thread_model.is_search, timeout=10_000)
    qtbot.waitUntil(lambda: window.thread_model.total() == 0, timeout=10_000)
    qtbot.keyClick(window.search, Qt.Key.Key_Escape)


def test_while_searching_no_folder_is_current_and_any_folder_leaves_the_search(
        qtbot: Any, open_inbox: Any, live_server: Any) -> None:
    Person(live_server, "alex").send(["dr.rivera"], "Medication question",
                                     "The pharmacist mentioned sertraline and my sleep aid.")
    window = open_inbox("dr.rivera").window
    pane, model = window.folder_pane, window.thread_model
    pane.select_folder("sent")
    assert model.source == ("folder", "sent")

    qtbot.keyClicks(window.search, "sertraline")
    qtbot.waitUntil(lambda: model.is_search and model.total() == 1, timeout=10_000)
    assert not pane.currentIndex().isValid() and not pane.selectedIndexes()
    pane.select_folder("sent")  # the folder shown before the search can be clicked again
    assert window.search.text() == "" and model.source == ("folder", "sent")

    qtbot.keyClicks(window.search, "sertraline")
    qtbot.waitUntil(lambda: model.is_search, timeout=10_000)
    window.search.clear()
    assert model.source == ("folder", "sent")
    assert pane.currentIndex().data(ID_ROLE) == "sent"

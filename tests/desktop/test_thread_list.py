"""The thread list: checking rows without opening them, the keyboard, and each bulk action."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence

from desktop.models.thread_list_model import CHECK, SUBJECT
from tests.desktop.modal import DialogAnswer
from tests.desktop.people import Person


def inbox_with(qtbot: Any, open_inbox: Any, live_server: Any, count: int = 3,
               username: str = "dr.rivera") -> tuple[Any, list[dict]]:
    alex = Person(live_server, "alex")
    threads = [alex.send([username], f"Question {n}", f"Here is question number {n}.")
               for n in range(count)]
    inbox = open_inbox(username)
    qtbot.waitUntil(lambda: inbox.window.thread_model.total() == count)
    return inbox, threads


def click_check(qtbot: Any, view: Any, row: int) -> None:
    rect = view.visualRect(view.model().index(row, CHECK))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def server_states(live_server: Any, username: str, ids: list[str]) -> list[dict]:
    states = Person(live_server, username).states()
    return [states.get(i, {"folder": None, "unread": None, "starred": None}) for i in ids]


def test_clicking_the_checkbox_selects_without_opening(qtbot: Any, open_inbox: Any,
                                                       live_server: Any) -> None:
    inbox, _ = inbox_with(qtbot, open_inbox, live_server)
    window = inbox.window
    click_check(qtbot, window.thread_list, 1)
    assert window.thread_model.checked_ids() == [window.thread_model.thread_id(1)]
    assert window.conversation_model.thread_id is None
    assert window.bulk_bar.isVisible()
    assert "1 selected" in window.bulk_bar.count_label.text()
    click_check(qtbot, window.thread_list, 1)
    assert window.thread_model.checked_ids() == []
    assert not window.bulk_bar.isVisible()

    rect = window.thread_list.visualRect(window.thread_model.index(0, SUBJECT))
    qtbot.mouseClick(window.thread_list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.conversation_model.thread_id == window.thread_model.thread_id(0)


def test_keyboard_space_ctrl_a_and_delete(qtbot: Any, open_inbox: Any, live_server: Any) -> None:
    inbox, threads = inbox_with(qtbot, open_inbox, live_server)
    window, view = inbox.window, inbox.window.thread_list
    view.setFocus()
    view.setCurrentIndex(window.thread_model.index(0, SUBJECT))
    qtbot.keyClick(view, Qt.Key.Key_Down)
    assert view.currentIndex().row() == 1
    qtbot.keyClick(view, Qt.Key.Key_Space)
    assert window.thread_model.checked_ids() == [window.thread_model.thread_id(1)]
    qtbot.keySequence(view, QKeySequence.StandardKey.SelectAll)
    assert len(window.thread_model.checked_ids()) == 3
    qtbot.keyClick(view, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: window.thread_model.total() == 0, timeout=10_000)
    ids = [t["id"] for t in threads]
    qtbot.waitUntil(lambda: all(s["folder"] == "trash"
                                for s in server_states(live_server, "dr.rivera", ids)),
                    timeout=10_000)


def test_bulk_mark_read_unread_star_and_archive(qtbot: Any, open_inbox: Any,
                                               live_server: Any) -> None:
    inbox, threads = inbox_with(qtbot, open_inbox, live_server)
    window, bar = inbox.window, inbox.window.bulk_bar
    ids = [t["id"] for t in threads]
    window.thread_model.check_all()

    bar.mark_read.trigger()
    qtbot.waitUntil(lambda: not any(s["unread"] for s in
                                    server_states(live_server, "dr.rivera", ids)),
                    timeout=10_000)
    qtbot.waitUntil(lambda: window.folder_model.unread("inbox") == 0, timeout=10_000)

    bar.mark_unread.trigger()
    qtbot.waitUntil(lambda: all(s["unread"] for s in
                                server_states(live_server, "dr.rivera", ids)), timeout=10_000)

    bar.star.trigger()
    qtbot.waitUntil(lambda: all(s["starred"] for s in
                                server_states(live_server, "dr.rivera", ids)), timeout=10_000)
    qtbot.waitUntil(lambda: window.thread_model.record(0).get("starred"), timeout=10_000)

    bar.archive.trigger()
    qtbot.waitUntil(lambda: window.thread_model.total() == 0, timeout=10_000)
    qtbot.waitUntil(lambda: all(s["folder"] == "archive" for s in
                                server_states(live_server, "dr.rivera", ids)), timeout=10_000)


def test_bulk_move_to_own_folder_and_trash(qtbot: Any, open_inbox: Any,
                                          live_server: Any) -> None:
    rivera = Person(live_server, "dr.rivera")
    folder = rivera.api.create_folder("Intake")
    inbox, threads = inbox_with(qtbot, open_inbox, live_server, count=2)
    window, bar = inbox.window, inbox.window.bulk_bar
    qtbot.waitUntil(lambda: window.folder_model.row_of(folder["id"]) >= 0, timeout=10_000)

    window.thread_model.set_checked([threads[0]["id"]], True)
    bar.on_move_menu_aboutToShow()
    move = next(a for a in bar.move_menu.actions() if a.text() == "Intake")
    move.trigger()
    qtbot.waitUntil(lambda: window.thread_model.total() == 1, timeout=10_000)
    qtbot.waitUntil(lambda: rivera.states()[threads[0]["id"]]["folder"] == folder["id"],
                    timeout=10_000)

    window.thread_model.check_all()
    bar.trash.trigger()
    qtbot.waitUntil(lambda: rivera.states()[threads[1]["id"]]["folder"] == "trash",
                    timeout=10_000)


def test_permanent_delete_of_too_many_at_once_says_so(qtbot: Any, open_inbox: Any) -> None:
    window = open_inbox("dr.rivera").window
    bar = window.bulk_bar
    window.thread_model.set_checked([f"thread-{n}" for n in range(501)], True)
    qtbot.waitUntil(lambda: "at most 500 conversations" in bar.delete_forever.toolTip(),
                    timeout=10_000)
    assert not bar.delete_forever.isEnabled()


def test_permanent_delete_only_where_the_server_allows_it(qtbot: Any, open_inbox: Any,
                                                         live_server: Any) -> None:
    rivera = Person(live_server, "dr.rivera")
    own = rivera.send(["alex"], "Worksheet for next week", "Please fill in the worksheet.")
    alex = Person(live_server, "alex")
    theirs = alex.send(["dr.rivera"], "A question from Alex", "Can we talk about the plan?")
    inbox = open_inbox("dr.rivera")
    window, bar = inbox.window, inbox.window.bulk_bar

    window.folder_pane.select_folder("sent")
    qtbot.waitUntil(lambda: window.thread_model.row_of(own["id"]) >= 0, timeout=10_000)
    window.thread_model.set_checked([own["id"]], True)
    qtbot.waitUntil(lambda: bar.delete_forever.isEnabled(), timeout=10_000)

    window.folder_pane.select_folder("inbox")
    qtbot.waitUntil(lambda: window.thread_model.row_of(theirs["id"]) >= 0, timeout=10_000)
    window.thread_model.set_checked([theirs["id"]], True)
    qtbot.waitUntil(lambda: "Only conversations you started" in bar.delete_forever.toolTip(),
                    timeout=10_000)
    assert not bar.delete_forever.isEnabled()

    window.folder_pane.select_folder("sent")
    qtbot.waitUntil(lambda: window.thread_model.row_of(own["id"]) >= 0, timeout=10_000)
    window.thread_model.set_checked([own["id"]], True)
    qtbot.waitUntil(lambda: bar.delete_forever.isEnabled(), timeout=10_000)
    confirm = DialogAnswer("delete for everyone")
    bar.delete_forever.trigger()
    assert "cannot be undone" in confirm.text
    qtbot.waitUntil(lambda: own["id"] not in
                    [i["thread"]["id"] for i in alex.api.threads("inbox")["items"]],
                    timeout=10_000)

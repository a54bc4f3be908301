"""The thread list as a mail-client user expects it: checking never moves the list, a
select-all box in the header, Undo after a move, every folder in "Move to", the star column
toggles the star, and an empty folder says so."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage

from desktop.models.roles import ID_ROLE
from desktop.models.thread_list_model import STAR
from tests.desktop.people import Person
from tests.desktop.test_thread_list import click_check, inbox_with, server_states


def test_checking_the_first_row_leaves_the_list_where_it_was(qtbot: Any, open_inbox: Any,
                                                            live_server: Any) -> None:
    inbox, _ = inbox_with(qtbot, open_inbox, live_server)
    window, view = inbox.window, inbox.window.thread_list
    before = (view.geometry(), view.viewport().mapToGlobal(view.visualRect(
        window.thread_model.index(1, 0)).topLeft()))
    click_check(qtbot, view, 0)
    assert window.bulk_bar.isVisible()
    after = (view.geometry(), view.viewport().mapToGlobal(view.visualRect(
        window.thread_model.index(1, 0)).topLeft()))
    assert after == before
    click_check(qtbot, view, 1)  # the row under the pointer is still the second one
    assert len(window.thread_model.checked_ids()) == 2
    click_check(qtbot, view, 0)
    click_check(qtbot, view, 1)
    assert not window.bulk_bar.isVisible()
    assert view.geometry() == before[0]


def test_the_header_box_checks_every_thread_and_then_none(qtbot: Any, open_inbox: Any,
                                                         live_server: Any) -> None:
    inbox, threads = inbox_with(qtbot, open_inbox, live_server)
    window, header = inbox.window, inbox.window.thread_list.check_header
    assert header.check_state == Qt.CheckState.Unchecked
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=header.box_rect().center())
    qtbot.waitUntil(lambda: len(window.thread_model.checked_ids()) == 3)
    assert sorted(window.thread_model.checked_ids()) == sorted(t["id"] for t in threads)
    assert header.check_state == Qt.CheckState.Checked

    click_check(qtbot, window.thread_list, 0)
    assert header.check_state == Qt.CheckState.PartiallyChecked
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=header.box_rect().center())
    qtbot.waitUntil(lambda: header.check_state == Qt.CheckState.Checked)
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=header.box_rect().center())
    assert window.thread_model.checked_ids() == []
    assert header.check_state == Qt.CheckState.Unchecked


def test_undo_puts_each_thread_back_in_its_own_folder(qtbot: Any, open_inbox: Any,
                                                     live_server: Any) -> None:
    rivera = Person(live_server, "dr.rivera")
    intake = rivera.api.create_folder("Intake")
    alex = Person(live_server, "alex")
    first = alex.send(["dr.rivera"], "Sleep diary", "The sleep diary for this week.")
    second = alex.send(["dr.rivera"], "Sleep question", "A question about sleep hygiene.")
    rivera.api.set_thread_state(second["id"], folder=intake["id"])
    inbox = open_inbox("dr.rivera")
    window, model = inbox.window, inbox.window.thread_model
    ids = [first["id"], second["id"]]

    qtbot.keyClicks(window.search, "sleep")  # a search lists both folders' threads
    qtbot.waitUntil(lambda: model.is_search and model.has_loaded and model.total() == 2,
                    timeout=10_000)
    notice = window.undo_notice
    notice._timer.setInterval(120_000)  # a loaded machine may take longer than Undo is offered
    window.thread_model.check_all()
    window.bulk_bar.trash.trigger()
    qtbot.waitUntil(lambda: [s["folder"] for s in server_states(live_server, "dr.rivera", ids)]
                    == ["trash", "trash"], timeout=10_000)
    qtbot.waitUntil(lambda: notice.isVisible() and notice.button.isVisible(), timeout=10_000)
    assert notice.label.text() == "2 conversations moved to the trash."

    qtbot.mouseClick(notice.button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: [s["folder"] for s in server_states(live_server, "dr.rivera", ids)]
                    == ["inbox", intake["id"]], timeout=10_000)
    assert not notice.isVisible()

    window.search.clear()
    qtbot.waitUntil(lambda: model.source == ("folder", "inbox") and model.total() == 1,
                    timeout=10_000)
    model.check_all()
    window.bulk_bar.archive.trigger()
    qtbot.waitUntil(lambda: notice.label.text() == "1 conversation archived.", timeout=10_000)
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: server_states(live_server, "dr.rivera", ids[:1])[0]["folder"]
                    == "inbox", timeout=10_000)


def test_move_to_offers_every_folder_and_the_move_can_be_undone(qtbot: Any, open_inbox: Any,
                                                               live_server: Any) -> None:
    rivera = Person(live_server, "dr.rivera")
    rivera.api.create_folder("Intake")
    rivera.api.create_folder("Billing")
    inbox, threads = inbox_with(qtbot, open_inbox, live_server, count=1)
    window, bar = inbox.window, inbox.window.bulk_bar
    qtbot.waitUntil(lambda: window.folder_model.rowCount() == 7, timeout=10_000)
    window.thread_model.check_all()
    bar.on_move_menu_aboutToShow()
    offered = {a.text(): a.isEnabled() for a in bar.move_menu.actions()}
    assert offered == {"Inbox": False, "Archive": True, "Trash": True, "Billing": True,
                       "Intake": True}

    next(a for a in bar.move_menu.actions() if a.text() == "Billing").trigger()
    qtbot.waitUntil(lambda: window.undo_notice.label.text().endswith("moved to Billing."),
                    timeout=10_000)
    window.undo_notice.undo()
    qtbot.waitUntil(lambda: server_states(live_server, "dr.rivera",
                                          [threads[0]["id"]])[0]["folder"] == "inbox",
                    timeout=10_000)


def test_clicking_the_star_column_toggles_the_star(qtbot: Any, open_inbox: Any,
                                                  live_server: Any) -> None:
    inbox, threads = inbox_with(qtbot, open_inbox, live_server, count=1)
    window, view = inbox.window, inbox.window.thread_list
    ids = [threads[0]["id"]]

    def click_star() -> None:
        rect = view.visualRect(window.thread_model.index(0, STAR))
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())

    click_star()
    qtbot.waitUntil(lambda: server_states(live_server, "dr.rivera", ids)[0]["starred"],
                    timeout=10_000)
    qtbot.waitUntil(lambda: window.thread_model.record(0).get("starred"), timeout=10_000)
    assert window.conversation_model.thread_id is None  # starring does not open the thread
    click_star()
    qtbot.waitUntil(lambda: not server_states(live_server, "dr.rivera", ids)[0]["starred"],
                    timeout=10_000)


def ink_rows(image: QImage) -> int:
    """Pixels that differ clearly from the image's top-left (background) colour."""
    background = QColor(image.pixel(0, 0))
    return sum(1 for y in range(image.height()) for x in range(image.width())
               if abs(QColor(image.pixel(x, y)).lightness() - background.lightness()) > 60)


def test_an_empty_folder_says_it_is_empty(qtbot: Any, open_inbox: Any) -> None:
    window = open_inbox("dr.rivera").window
    window.folder_pane.select_folder("archive")
    qtbot.waitUntil(lambda: window.thread_model.source == ("folder", "archive")
                    and window.thread_model.has_loaded, timeout=10_000)
    assert window.thread_list.empty_text == "Archive is empty."
    assert window.list_header.title.text() == "Archive"
    assert ink_rows(window.thread_list.viewport().grab().toImage()) > 20


def test_sent_shows_no_unread_count(qtbot: Any, open_inbox: Any, live_server: Any) -> None:
    rivera = Person(live_server, "dr.rivera")
    thread = rivera.send(["alex"], "Homework", "Please try the breathing exercise.")
    Person(live_server, "alex").reply(thread["id"], "I will try it tonight.")
    window = open_inbox("dr.rivera").window
    model = window.folder_model
    qtbot.waitUntil(lambda: model.unread("inbox") == 1, timeout=10_000)
    sent = model.row_of("sent")
    assert model.unread("sent") == 0
    assert model.index(sent, 1).data() == ""
    assert model.index(sent, 0).data(Qt.ItemDataRole.FontRole) is None
    window.folder_pane.select_folder("sent")
    qtbot.waitUntil(lambda: window.list_header.title.text() == "Sent", timeout=10_000)
    assert "unread" not in window.list_header.summary.text()
    assert [model.index(r, 0).data(ID_ROLE) for r in range(model.rowCount())][:2] == \
        ["inbox", "sent"]


def test_the_delete_key_offers_undo_too(qtbot: Any, open_inbox: Any, live_server: Any) -> None:
    inbox, threads = inbox_with(qtbot, open_inbox, live_server, count=2)
    window, view = inbox.window, inbox.window.thread_list
    view.setFocus()
    view.setCurrentIndex(window.thread_model.index(0, 3))
    deleted = window.thread_model.thread_id(0)
    qtbot.keyClick(view, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: window.undo_notice.offered, timeout=10_000)
    assert window.undo_notice.label.text() == "1 conversation moved to the trash."
    qtbot.waitUntil(lambda: server_states(live_server, "dr.rivera", [deleted])[0]["folder"]
                    == "trash", timeout=10_000)
    window.undo_notice.button.click()
    qtbot.waitUntil(lambda: server_states(live_server, "dr.rivera", [deleted])[0]["folder"]
                    == "inbox", timeout=10_000)
    qtbot.waitUntil(lambda: window.thread_model.total() == 2, timeout=10_000)

"""The folder pane: counts that stay right, own folders, and threads dropped onto a folder."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QLineEdit

from desktop.models.roles import ID_ROLE
from tests.desktop.modal import DialogAnswer
from tests.desktop.people import Person


def folder_ids(window: Any) -> list[str]:
    model = window.folder_model
    return [model.index(r, 0).data(ID_ROLE) for r in range(model.rowCount())]


def test_built_in_folders_and_unread_counts_follow_the_server(qtbot: Any, open_inbox: Any,
                                                             live_server: Any) -> None:
    alex = Person(live_server, "alex")
    alex.send(["dr.rivera"], "First question", "Is Tuesday still on for us?")
    inbox = open_inbox("dr.rivera")
    window = inbox.window
    assert folder_ids(window)[:5] == ["inbox", "sent", "drafts", "archive", "trash"]
    qtbot.waitUntil(lambda: window.folder_model.unread("inbox") == 1)
    assert "(1 unread)" in window.windowTitle()

    alex.send(["dr.rivera"], "Second question", "And can I bring my partner along?")
    qtbot.waitUntil(lambda: window.folder_model.unread("inbox") == 2, timeout=10_000)
    qtbot.waitUntil(lambda: window.thread_model.total() == 2)

    window.thread_list.select_thread(window.thread_model.thread_id(0))
    qtbot.waitUntil(lambda: window.folder_model.unread("inbox") == 1, timeout=10_000)
    rivera_view = Person(live_server, "dr.rivera").api.threads("inbox")["items"]
    assert sum(1 for item in rivera_view if item["state"]["unread"]) == 1


def test_create_rename_and_delete_an_own_folder(qtbot: Any, open_inbox: Any) -> None:
    window = open_inbox("frontdesk").window
    pane = window.folder_pane

    def type_name(name: str):  # noqa: ANN202
        return lambda dialog: dialog.findChild(QLineEdit).setText(name)

    answer = DialogAnswer("ok", before=type_name("Billing questions"))
    pane.create_folder()
    assert answer.answered
    qtbot.waitUntil(lambda: any(f.get("name") == "Billing questions"
                                for f in window.folder_model.folders()), timeout=10_000)
    qtbot.waitUntil(lambda: any(i.startswith("folder:") and "local" not in i
                                for i in folder_ids(window)), timeout=10_000)
    folder_id = next(i for i in folder_ids(window) if i.startswith("folder:"))

    DialogAnswer("ok", before=type_name("Insurance"))
    pane.rename_folder(folder_id)
    qtbot.waitUntil(lambda: any(f.get("name") == "Insurance"
                                for f in window.folder_model.folders()), timeout=10_000)

    confirm = DialogAnswer("delete folder")
    pane.delete_folder(folder_id)
    assert "move to Archive" in confirm.text
    qtbot.waitUntil(lambda: not any(i.startswith("folder:") for i in folder_ids(window)),
                    timeout=10_000)


def drop_on(widget: Any, point: QPoint, mime: Any,
            actions: Qt.DropAction = Qt.DropAction.MoveAction) -> QDropEvent:
    """A real drag-enter, drag-move and drop sequence delivered to `widget`."""
    position = QPointF(point)
    enter = QDragEnterEvent(point, actions, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, enter)
    move = QDragMoveEvent(point, actions, mime, Qt.MouseButton.LeftButton,
                          Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, move)
    drop = QDropEvent(position, actions, mime, Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier, QEvent.Type.Drop)
    QApplication.sendEvent(widget, drop)
    return drop


def test_threads_dropped_on_a_folder_move_there(qtbot: Any, open_inbox: Any,
                                               live_server: Any) -> None:
    alex = Person(live_server, "alex")
    thread = alex.send(["dr.rivera"], "Move me", "Please file this one away somewhere.")
    window = open_inbox("dr.rivera").window
    qtbot.waitUntil(lambda: window.thread_model.total() == 1)
    mime = window.thread_model.mimeData([window.thread_model.index(0, 3)])
    archive_row = window.folder_model.row_of("archive")
    target = window.folder_pane.visualRect(window.folder_model.index(archive_row, 0)).center()
    drop_on(window.folder_pane.viewport(), target, mime)
    qtbot.waitUntil(lambda: window.thread_model.total() == 0, timeout=10_000)
    rivera = Person(live_server, "dr.rivera")
    qtbot.waitUntil(lambda: rivera.states()[thread["id"]]["folder"] == "archive",
                    timeout=10_000)

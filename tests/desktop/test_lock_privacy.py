"""While the window is locked nothing names a person or a subject: not the tray's alerts or
tooltip, not the window's title (the taskbar's), not the status bar's notices, not a dialog
that was left open — even with "show sender and subject" turned on."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QLabel, QVBoxLayout

from desktop.tray import Tray
from tests.desktop.conftest import PASSWORD
from tests.desktop.people import Person

PRIVATE = ("Alex", "Morgan", "Rivera", "lithium", "Lab results")


@pytest.fixture
def tray(app_settings: Any, monkeypatch: pytest.MonkeyPatch) -> Tray:
    # The offscreen test platform has no system tray; everything else is the real tray code.
    monkeypatch.setattr(Tray, "available", staticmethod(lambda: True))
    return Tray(app_settings)


def shown_text(window: Any, tray: Tray) -> str:
    """Everything a passer-by could read outside the lock screen itself."""
    return " ".join([window.windowTitle(), tray.icon.toolTip(), " ".join(tray.last_alert or ()),
                     window.status.currentMessage()])


def test_nothing_identifying_shows_while_locked_even_with_details_on(
        qtbot: Any, open_inbox: Any, live_server: Any, tray: Tray, app_settings: Any) -> None:
    app_settings.set("notifications/show_details", True)
    window = open_inbox("dr.rivera", tray=tray).window
    window.lock()
    window.showMinimized()
    with qtbot.waitSignal(window.session.bridge.newMessage, timeout=15_000):
        Person(live_server, "alex").send(["dr.rivera"], "Lab results", "My lithium level.")
    window.session.notices.error.emit("Alex Morgan's file could not be attached.")
    qtbot.waitUntil(lambda: tray.unread == 1, timeout=10_000)
    assert tray.last_alert == ("New secure message", "Open Practice Inbox to read it.")
    assert window.windowTitle() == "Practice Inbox (locked)"
    assert tray.icon.toolTip() == "Practice Inbox (locked)"
    assert window.status.currentMessage() == ""
    for private in PRIVATE:
        assert private not in shown_text(window, tray)

    window.showNormal()
    window.lock_screen.password.setText(PASSWORD)
    window.lock_screen.unlock.click()
    qtbot.waitUntil(lambda: not window.locked, timeout=15_000)
    assert "Rivera" in window.windowTitle() and "1 unread" in tray.icon.toolTip()
    assert "could not be attached" in window.status.currentMessage()  # held, now shown
    with qtbot.waitSignal(window.session.bridge.newMessage, timeout=15_000):
        Person(live_server, "alex").send(["dr.rivera"], "Running late", "Ten minutes late.")
    assert tray.last_alert == ("New secure message from Alex Morgan", "Running late")


def test_a_dialog_left_open_is_covered_and_unlocks_too(qtbot: Any, open_inbox: Any) -> None:
    """A dialog waiting for an answer (a quick note holding a conversation) is covered with
    the lock screen, its title hidden, and keeps what it held once unlocked."""
    window = open_inbox("dr.rivera").window
    dialog = QDialog(window)
    dialog.setWindowTitle("Quick note: Alex Morgan")
    QVBoxLayout(dialog).addWidget(QLabel("Alex Morgan said her lithium level is high."))
    dialog.resize(420, 300)
    dialog.show()
    qtbot.waitExposed(dialog)

    window.lock()
    assert dialog.isVisible() and dialog.windowTitle() == "Practice Inbox (locked)"
    cover = window.covers.covered[0][1]
    assert cover.isVisible() and cover.geometry() == dialog.rect()
    qtbot.keyClicks(cover.password, "wrong password")
    qtbot.keyClick(cover.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: cover.error.text() == "That password is not right.",
                    timeout=15_000)
    assert window.locked
    cover.password.setText(PASSWORD)
    cover.unlock.click()
    qtbot.waitUntil(lambda: not window.locked, timeout=15_000)
    assert dialog.isVisible() and dialog.windowTitle() == "Quick note: Alex Morgan"
    assert window.covers.covered == []

"""The tray: unread count, alerts with no PHI unless opted in, a click opens the thread,
closing keeps the app in the tray, Quit from the tray menu."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication

from desktop.session import account_name
from desktop.startup import Startup
from desktop.tray import Tray
from sync.keys import save_token
from tests.desktop.people import Person


@pytest.fixture
def tray(app_settings: Any, monkeypatch: pytest.MonkeyPatch) -> Tray:
    # The offscreen test platform has no system tray; everything else is the real tray code.
    monkeypatch.setattr(Tray, "available", staticmethod(lambda: True))
    return Tray(app_settings)


def test_alert_says_only_new_secure_message_by_default(qtbot: Any, open_inbox: Any,
                                                      live_server: Any, tray: Tray) -> None:
    window = open_inbox("dr.rivera", tray=tray).window
    alex = Person(live_server, "alex")
    with qtbot.waitSignal(window.session.bridge.newMessage, timeout=15_000):
        thread = alex.send(["dr.rivera"], "Results of my blood test",
                           "My lithium level came back high.")
    title, body = tray.last_alert
    assert title == "New secure message"
    alert = title + body
    for private in ("Alex", "blood", "lithium", "Results"):
        assert private not in alert
    qtbot.waitUntil(lambda: tray.unread == 1, timeout=10_000)
    assert "1 unread" in tray.icon.toolTip()

    tray.icon.messageClicked.emit()
    qtbot.waitUntil(lambda: window.conversation_model.thread_id == thread["id"],
                    timeout=10_000)
    assert window.isVisible()


def test_sender_and_subject_only_when_opted_in(qtbot: Any, open_inbox: Any, live_server: Any,
                                              tray: Tray, app_settings: Any) -> None:
    app_settings.set("notifications/show_details", True)
    window = open_inbox("dr.rivera", tray=tray).window
    with qtbot.waitSignal(window.session.bridge.newMessage, timeout=15_000):
        Person(live_server, "alex").send(["dr.rivera"], "Running late", "Ten minutes late.")
    title, body = tray.last_alert
    assert title == "New secure message from Alex Morgan"
    assert body == "Running late"


def test_own_messages_raise_no_alert(qtbot: Any, open_inbox: Any, live_server: Any,
                                    tray: Tray) -> None:
    window = open_inbox("dr.rivera", tray=tray).window
    with qtbot.assertNotEmitted(window.session.bridge.newMessage, wait=1500):
        Person(live_server, "dr.rivera").send(["alex"], "From me", "Sent from the portal.")
    assert tray.last_alert is None


def test_close_keeps_running_in_the_tray_and_quit_is_in_its_menu(qtbot: Any, open_inbox: Any,
                                                                tray: Tray) -> None:
    window = open_inbox("dr.rivera", tray=tray).window
    with qtbot.assertNotEmitted(window.quitRequested):
        window.close()
    assert not window.isVisible()
    tray.openRequested.emit()
    assert window.isVisible()
    assert [a.text() for a in tray.menu.actions() if a.text()] == ["Open Practice Inbox",
                                                                   "Quit"]
    with qtbot.waitSignal(tray.quitRequested):
        tray.quit_action.trigger()


def test_quit_from_the_tray_menu_cuts_the_long_poll(qtbot: Any, live_server: Any,
                                                    app_settings: Any, tmp_path: Path) -> None:
    save_token(account_name(live_server.url, "dr.rivera"), live_server.token("dr.rivera"))
    app_settings.set("account/server_url", live_server.url)
    app_settings.set("account/username", "dr.rivera")
    startup = Startup(QApplication.instance(), app_settings, data_root=tmp_path / "inbox")
    assert startup.start()
    engine = startup.session.bridge.engine
    qtbot.waitUntil(lambda: engine.puller.polling.is_set(), timeout=30_000)
    qtbot.wait(300)  # the poll's request is on the wire, waiting for the server
    assert engine.puller.polling.is_set()

    started = time.monotonic()
    startup.tray.quit_action.trigger()
    took = time.monotonic() - started
    assert startup.session is None and startup.window is None
    assert not engine.running  # the pull thread ended: the poll was cut, not waited out
    assert took < engine.puller.poll_wait

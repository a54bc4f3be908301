"""Starting the inbox: the token from the keyring, sign-out, a missing keyring, and the demo."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import keyring
import pytest
import requests
import shiboken6
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMenu

from desktop import app as app_module
from desktop.main_window import MainWindow
from desktop.notices import Notices
from desktop.session import account_name, open_session
from desktop.startup import Startup
from desktop.tasks import TaskRunner
from sync.api import ApiClient
from sync.keys import KeyringUnavailable, load_token
from tests.desktop.conftest import PASSWORD
from tests.desktop.memory_keyring import NoKeyring
from tests.desktop.modal import DialogAnswer


@pytest.fixture
def no_keyring() -> Any:
    previous = keyring.get_keyring()
    keyring.set_keyring(NoKeyring())
    yield
    keyring.set_keyring(previous)


def test_saved_token_opens_the_inbox_and_sign_out_forgets_it(
        qtbot: Any, live_server: Any, app_settings: Any, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The session check at start and the logout at sign-out are made off the GUI thread."""
    import threading

    from sync.keys import save_token

    calls: list[tuple[str, str]] = []
    for name in ("session", "logout"):
        def recorded(self: ApiClient, *args: Any, _name: str = name,
                     _real: Any = getattr(ApiClient, name), **kwargs: Any) -> Any:
            calls.append((_name, threading.current_thread().name))
            return _real(self, *args, **kwargs)
        monkeypatch.setattr(ApiClient, name, recorded)

    account = account_name(live_server.url, "frontdesk")
    token = live_server.token("frontdesk")
    save_token(account, token)
    app_settings.set("account/server_url", live_server.url)
    app_settings.set("account/username", "frontdesk")
    startup = Startup(QApplication.instance(), app_settings, data_root=tmp_path / "inbox")
    assert startup.start()  # no sign-in dialog: the token was in the keyring
    window = startup.window
    assert window is not None and window.windowTitle().startswith("Practice Inbox")
    assert window.session.user["username"] == "frontdesk"

    cancel = DialogAnswer("cancel")  # the sign-in dialog that follows a sign-out
    startup.sign_out()  # the logout runs off the GUI thread; the dialog follows its answer
    qtbot.waitUntil(lambda: cancel.answered and startup.window is None, timeout=30_000)
    assert "Sign in" in cancel.text
    assert load_token(account) is None
    assert {name for name, _ in calls} == {"session", "logout"}
    assert all(thread != threading.main_thread().name for _, thread in calls)
    # Signed out on the server too: the token opens no session any more.
    again = requests.get(
        f"{live_server.api}/session", headers={"Authorization": f"Bearer {token}"}, timeout=30
    )
    assert again.status_code == 401
    # Cancelling quits: the inbox is closed and deleted, and no background work is taken on.
    assert startup.window is None and startup.session is None
    qtbot.waitUntil(lambda: not shiboken6.isValid(window))
    startup.runner.run(lambda: None)
    assert startup.runner.pending == 0


def test_without_a_keyring_the_cache_key_needs_the_keyring_or_a_key_given(
        qtbot: Any, live_server: Any, app_settings: Any, tmp_path: Path, no_keyring: Any) -> None:
    api = ApiClient(live_server.url)
    answer = api.login("dr.rivera", PASSWORD)
    with pytest.raises(KeyringUnavailable):
        open_session(server_url=live_server.url, username="dr.rivera", api=api,
                     user=answer["user"], data_root=tmp_path, settings=app_settings,
                     runner=TaskRunner(), notices=Notices())
    assert not any(tmp_path.rglob("cache.db"))  # nothing written unencrypted, nothing at all


def test_demo_runs_without_a_keyring_with_the_key_in_memory(
        qtbot: Any, tmp_path: Path, no_keyring: Any, monkeypatch: pytest.MonkeyPatch,
        capfd: pytest.CaptureFixture[str]) -> None:
    seen: dict[str, Any] = {}

    def look() -> None:
        windows = [w for w in QApplication.topLevelWidgets()
                   if isinstance(w, MainWindow) and w.isVisible()]
        if not windows or not windows[0].thread_model.total():
            QTimer.singleShot(200, look)
            return
        window = windows[0]
        seen["title"] = window.windowTitle()
        seen["user"] = window.session.user["username"]
        seen["status"] = window.status.lasting_label.text()
        seen["threads"] = window.thread_model.total()
        seen["help"] = [a.text() for menu in window.menuBar().findChildren(QMenu)
                        for a in menu.actions()]
        window.grab().save(str(tmp_path / "demo.png"))
        QApplication.instance().quit()

    QTimer.singleShot(200, look)
    code = app_module.main(["--demo", "--as", "dr.rivera", "--data-dir", str(tmp_path / "d"),
                            "--quit-after", "60"])
    assert code == 0
    assert seen["title"].startswith("Practice Inbox")
    assert seen["user"] == "dr.rivera"
    assert "memory" in seen["status"]
    assert seen["threads"] > 0
    portal = [text for text in seen["help"] if text.startswith("Client portal: ")]
    assert len(portal) == 1 and "/portal/lakeside/ (sign in as alex)" in portal[0]
    assert "Open the client portal in the browser" in seen["help"]
    assert "Client portal: http://127.0.0.1:" in capfd.readouterr().err


def test_command_line_refuses_demo_options_without_demo(capsys: Any) -> None:
    assert app_module.main(["--as", "frontdesk"]) == 2
    assert "--demo" in capsys.readouterr().err
    assert app_module.main(["--demo", "--as", "alex"]) == 2


def test_sign_out_in_the_demo_shows_the_sign_in_dialog(
        qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Outside the demo, signing out brings the sign-in dialog; the demo does the same (and
    another demo person can sign in there) instead of quitting without a word."""
    seen: dict[str, Any] = {}

    def sign_out_when_shown() -> None:
        windows = [w for w in QApplication.topLevelWidgets()
                   if isinstance(w, MainWindow) and w.isVisible()]
        if not windows or not windows[0].thread_model.total():
            QTimer.singleShot(200, sign_out_when_shown)
            return

        def as_front_desk(dialog: Any) -> None:
            seen["dialog"] = dialog.windowTitle()
            seen["server"] = dialog.server.text()
            dialog.username.setText("frontdesk")
            dialog.password.setText(PASSWORD)

        seen["answer"] = DialogAnswer("sign in", before=as_front_desk)
        windows[0].sign_out_action.trigger()
        QTimer.singleShot(200, look_again)

    def look_again() -> None:
        windows = [w for w in QApplication.topLevelWidgets()
                   if isinstance(w, MainWindow) and w.isVisible()]
        if not windows or windows[0].session.user.get("username") != "frontdesk":
            QTimer.singleShot(200, look_again)
            return
        seen["user"] = windows[0].session.user["username"]
        QApplication.instance().quit()

    QTimer.singleShot(200, sign_out_when_shown)
    code = app_module.main(["--demo", "--data-dir", str(tmp_path / "d"), "--quit-after", "90"])
    assert code == 0
    assert seen["answer"].answered and "Sign in" in seen["dialog"]
    assert seen["server"].startswith("http://127.0.0.1:")
    assert seen["user"] == "frontdesk"


def test_the_demo_shows_its_window_at_once_with_the_first_syncs_progress(
        qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The window is up before the demo's server even listens, saying it is connecting and
    downloading; never "Offline" while that first connection is being made."""
    import socket
    from urllib.parse import urlsplit

    from desktop.widgets.status_bar import InboxStatusBar

    states: list[str] = []
    show_state = InboxStatusBar.show_state

    def recorded(self: InboxStatusBar, state: str, *args: Any) -> None:
        states.append(state)
        show_state(self, state, *args)

    monkeypatch.setattr(InboxStatusBar, "show_state", recorded)
    seen: dict[str, Any] = {}
    show = MainWindow.show

    def first_look(window: MainWindow) -> None:
        port = urlsplit(window.session.server_url).port
        with socket.socket() as probe:
            seen["server_listening"] = probe.connect_ex(("127.0.0.1", port)) == 0
        seen["state"] = window.status.state_label.text()
        seen["notice"] = window.first_sync.text() if window.first_sync.isVisibleTo(window) \
            else ""
        show(window)
        QTimer.singleShot(100, lambda: wait_for_rows(window))

    def wait_for_rows(window: MainWindow) -> None:
        if not window.thread_model.total():
            QTimer.singleShot(100, lambda: wait_for_rows(window))
            return
        seen["notice_after"] = window.first_sync.isVisible()
        window.grab().save(str(tmp_path / "demo-synced.png"))
        QApplication.instance().quit()

    monkeypatch.setattr(MainWindow, "show", first_look)
    code = app_module.main(["--demo", "--data-dir", str(tmp_path / "d"), "--quit-after", "90"])
    assert code == 0
    assert seen["server_listening"] is False
    assert seen["state"] == "Connecting…"
    assert seen["notice"].startswith("Downloading your messages…")
    assert seen["notice_after"] is False
    assert "offline" not in states and states[0] == "connecting"

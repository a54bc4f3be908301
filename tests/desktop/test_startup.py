"""Starting the inbox: the token from the keyring, sign-out, a missing keyring, and the demo."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import keyring
import pytest
import requests
import shiboken6
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

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
        qtbot: Any, live_server: Any, app_settings: Any, tmp_path: Path) -> None:
    from sync.keys import save_token

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
    startup.sign_out()  # the dialog runs, and is cancelled, inside the call
    assert cancel.answered and "Sign in" in cancel.text
    assert load_token(account) is None
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


def test_missing_keyring_is_a_clear_error_outside_the_demo(
        qtbot: Any, live_server: Any, app_settings: Any, tmp_path: Path, no_keyring: Any) -> None:
    api = ApiClient(live_server.url)
    answer = api.login("dr.rivera", PASSWORD)
    with pytest.raises(KeyringUnavailable):
        open_session(server_url=live_server.url, username="dr.rivera", api=api,
                     user=answer["user"], data_root=tmp_path, settings=app_settings,
                     runner=TaskRunner(), notices=Notices())
    assert not any(tmp_path.rglob("cache.db"))  # nothing written unencrypted, nothing at all

    app_settings.set("account/server_url", live_server.url)
    app_settings.set("account/username", "dr.rivera")
    startup = Startup(QApplication.instance(), app_settings, data_root=tmp_path / "inbox")
    told = DialogAnswer("ok")
    assert not startup.start()
    assert startup.exit_code == 2
    assert "keyring" in told.text and "gnome-keyring" in told.text


def test_demo_runs_without_a_keyring_with_the_key_in_memory(
        qtbot: Any, tmp_path: Path, no_keyring: Any, monkeypatch: pytest.MonkeyPatch) -> None:
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


def test_command_line_refuses_demo_options_without_demo(capsys: Any) -> None:
    assert app_module.main(["--as", "frontdesk"]) == 2
    assert "--demo" in capsys.readouterr().err
    assert app_module.main(["--demo", "--as", "alex"]) == 2

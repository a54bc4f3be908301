"""Starting and stopping the inbox: sign in (token from the keyring, the sign-in dialog, or the
demo's embedded server), open the session, show the main window and the tray, and quit."""

from __future__ import annotations

import gc
import logging
from pathlib import Path
from typing import Any

import platformdirs
from PySide6.QtCore import QObject, Slot
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

from desktop.dialogs.sign_in import SignInDialog, certificate_error_text
from desktop.main_window import MainWindow
from desktop.notices import Notices
from desktop.server_trust import verify_setting
from desktop.session import Session, account_name, open_session
from desktop.settings import AppSettings
from desktop.tasks import TaskRunner
from desktop.tray import Tray

log = logging.getLogger(__name__)

KEYRING_HELP = (
    "Practice Inbox keeps the key of its encrypted cache and your sign-in in the system "
    "keyring, and none is available on this computer.\n\n"
    "To fix this, install and unlock a keyring service: GNOME Keyring or KWallet on Linux "
    "(for example `sudo apt install gnome-keyring`, then sign in to the desktop again); "
    "Windows and macOS have one built in. Your messages are never stored unencrypted, so the "
    "inbox cannot start without it."
)


def settle_memory() -> None:
    """Once the inbox is up: move what startup made out of the collector's sight and collect
    less often, so scrolling a long list does not stall on full collections."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 50, 1000)


class Startup(QObject):
    """Owns the running session and its window; brings up sign-in again after sign-out."""

    def __init__(self, app: QApplication, settings: AppSettings, data_root: Path | None = None,
                 demo: Any = None, demo_user: str = "dr.rivera") -> None:
        super().__init__(app)
        self.app = app
        self.settings = settings
        self.data_root = data_root or Path(platformdirs.user_data_dir("practice-inbox"))
        self.demo = demo
        self.demo_user = demo_user
        self.runner = TaskRunner(self)
        self.notices = Notices(self)
        self.tray = Tray(settings, self)
        self.tray.quitRequested.connect(self.quit)
        self.session: Session | None = None
        self.window: MainWindow | None = None
        self.exit_code = 0

    # starting ----------------------------------------------------------------------------------
    def start(self) -> bool:
        """Sign in and show the inbox; False when the user gave up or startup failed."""
        try:
            signed_in = self._sign_in_demo() if self.demo is not None else self._sign_in()
        except _KeyringMissing:
            QMessageBox.critical(None, self.tr("Practice Inbox"), self.tr(KEYRING_HELP))
            self.exit_code = 2
            return False
        if signed_in is None:
            return False
        server_url, username, api, user, password = signed_in
        from sync.keys import KeyringUnavailable

        try:
            self.session = open_session(
                server_url=server_url, username=username, api=api, user=user,
                data_root=self.data_root, settings=self.settings, runner=self.runner,
                notices=self.notices, allow_memory_key=self.demo is not None)
        except KeyringUnavailable:
            QMessageBox.critical(None, self.tr("Practice Inbox"), self.tr(KEYRING_HELP))
            self.exit_code = 2
            return False
        self._show_window(password)
        return True

    def _sign_in_demo(self) -> tuple | None:
        from desktop.demo.conversations import DEMO_PASSWORD
        from sync.api import ApiClient

        api = ApiClient(self.demo.url)
        answer = api.login(self.demo_user, DEMO_PASSWORD)
        return self.demo.url, self.demo_user, api, answer["user"], DEMO_PASSWORD

    def _sign_in(self) -> tuple | None:
        from sync.api import ApiClient
        from sync.errors import ApiError, NetworkError, TlsError
        from sync.keys import KeyringUnavailable, load_token, save_token

        server_url = self.settings.get("account/server_url")
        username = self.settings.get("account/username")
        certificate_problem: str | None = None
        if server_url and username:
            account = account_name(server_url, username)
            try:
                token = load_token(account)
            except KeyringUnavailable as error:
                raise _KeyringMissing() from error
            if token:
                api = ApiClient(server_url, token, verify=verify_setting(self.settings))
                try:
                    user = api.session()["user"]
                    return server_url, username, api, user, None
                except TlsError as error:
                    # Never carried on unverified: the person sees why and may choose a CA.
                    api.close()
                    certificate_problem = certificate_error_text(error, server_url)
                except NetworkError:
                    user = _cached_user(self.data_root, account) or {"username": username}
                    return server_url, username, api, user, None
                except ApiError:
                    api.close()  # token expired or revoked: sign in again
        dialog = SignInDialog(self.runner, server_url, username,
                              ca_file=self.settings.get("account/ca_file"))
        if certificate_problem:
            dialog.show_error(certificate_problem)
        if dialog.exec() != QDialog.DialogCode.Accepted or dialog.result_login is None:
            return None
        server_url, username = dialog.server_url(), dialog.username_text()
        try:
            save_token(account_name(server_url, username), dialog.result_login["token"])
        except KeyringUnavailable as error:
            raise _KeyringMissing() from error
        self.settings.set("account/server_url", server_url)
        self.settings.set("account/username", username)
        self.settings.set("account/ca_file", dialog.ca_file_text())
        return (server_url, username, dialog.api, dialog.result_login["user"],
                dialog.password.text())

    def _show_window(self, password: str | None) -> None:
        assert self.session is not None
        window = MainWindow(self.session, self.tray)
        if password:
            window.password_check.remember(password)
        window.signOutRequested.connect(self.sign_out)
        window.quitRequested.connect(self.quit)
        self.window = window
        self.tray.show()
        if self.settings.get("startup/start_minimized") and self.tray.available():
            window.hide()
        else:
            window.show()
        session = self.session
        self.runner.run(session.api.session,
                        lambda answer: setattr(session, "server_session", answer),
                        lambda error: log.info("limits not refreshed: %s", error))
        session.bridge.start()
        settle_memory()

    # stopping ----------------------------------------------------------------------------------
    def _close_session(self) -> None:
        if self.window is not None:
            self.window.quit_now()
            self.window.deleteLater()
            self.window = None
        if self.session is not None:
            self.session.close()
            self.session = None

    @Slot()
    def sign_out(self) -> None:
        session = self.session
        if session is None:
            return
        from sync.errors import ApiError, NetworkError
        from sync.keys import KeyringUnavailable, forget_token

        try:
            session.api.logout()
        except (ApiError, NetworkError) as error:
            log.info("signing out on the server failed: %s", error)
        try:
            forget_token(session.account)
        except KeyringUnavailable:
            log.warning("the keyring could not forget the token")
        self._close_session()
        if self.demo is not None or not self.start():
            self.quit()

    @Slot()
    def quit(self) -> None:
        self._close_session()
        self.tray.hide()
        self.runner.shutdown()
        self.app.quit()


class _KeyringMissing(Exception):
    pass


def _cached_user(data_root: Path, account: str) -> dict | None:
    """The signed-in person as last cached, for starting while the server is away."""
    from desktop.session import account_dir
    from sync.cache import Cache
    from sync.keys import cache_key

    path = account_dir(data_root, account) / "cache.db"
    if not path.exists():
        return None
    try:
        cache = Cache.open(path, cache_key(account))
    except Exception:
        return None
    try:
        return cache.me()
    finally:
        getattr(cache, "close", lambda: None)()

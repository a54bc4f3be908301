"""Starting and stopping the inbox: sign in (token from the keyring, the sign-in dialog, or the
demo's embedded server), open the session, show the main window and the tray, and quit.

Where the computer has no keyring service the token is not kept and the cache key is wrapped
with the password (sync.wrapped_key): each start shows the sign-in dialog, and the password
opens the same cache again.
"""

from __future__ import annotations

import gc
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import platformdirs
from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWidgets import QApplication, QDialog

from desktop.dialogs.previous_password import PreviousPasswordDialog
from desktop.dialogs.sign_in import SignInDialog
from desktop.error_text import certificate_error_text
from desktop.main_window import MainWindow
from desktop.notices import Notices
from desktop.server_trust import verify_setting
from desktop.session import Session, account_dir, account_name, open_session
from desktop.settings import AppSettings
from desktop.tasks import TaskRunner
from desktop.tray import Tray
from desktop.widgets.snippet_line import prepare_match_painting

log = logging.getLogger(__name__)

NO_KEYRING_NOTE = (
    "This computer has no keyring, so Practice Inbox does not stay signed in: your password "
    "opens the messages saved here each time it starts.")


def settle_memory() -> None:
    """Move what startup made out of the collector's sight and collect less often, so
    scrolling a long list does not stall on full collections."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 50, 1000)


def settle_after_first_paint() -> None:
    """What start-up leaves until the inbox has painted its list, for nobody waits on it: the
    collection (some 30 ms with the window built) and the types a first search paints with."""
    prepare_match_painting()
    settle_memory()


@dataclass
class SignedIn:
    server_url: str
    username: str
    api: Any
    user: dict
    password: str | None = None
    keyring: bool = True  # False: the token is not kept and the cache key is wrapped


class Startup(QObject):
    """Owns the running session and its window; brings up sign-in again after sign-out.

    Signals:
        demoReady(): the demo's embedded server is up and the inbox signed in to it.
    """

    demoReady = Signal()

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
        if self.demo is not None and not self.demo.started:
            return self._start_demo()
        signed_in = self._sign_in_demo() if self.demo is not None else self._sign_in()
        if signed_in is None:
            return False
        key: bytes | None = None
        created = False
        if not signed_in.keyring:
            opened = self._wrapped_key(signed_in)
            if opened is None:
                signed_in.api.close()
                return False
            key, created = opened
        self.session = open_session(
            server_url=signed_in.server_url, username=signed_in.username, api=signed_in.api,
            user=signed_in.user, data_root=self.data_root, settings=self.settings,
            runner=self.runner, notices=self.notices, allow_memory_key=self.demo is not None,
            key=key, key_created=created)
        self._show_window(signed_in.password)
        return True

    def _start_demo(self) -> bool:
        """The window at once, saying what is going on, while the demo's server is seeded and
        started and the inbox signs in to it in the background; then the sync begins."""
        from desktop.demo.conversations import DEMO_PASSWORD
        from sync.api import ApiClient

        demo, username = self.demo, self.demo_user
        api = ApiClient(demo.url)
        self.session = session = open_session(
            server_url=demo.url, username=username, api=api, user={"username": username},
            data_root=self.data_root, settings=self.settings, runner=self.runner,
            notices=self.notices, allow_memory_key=True)
        self._show_window(DEMO_PASSWORD, begin_sync=False)
        self.notices.info.emit(self.tr("Starting the demo practice…"))

        def up() -> dict:
            demo.start()
            return api.login(username, DEMO_PASSWORD)

        def signed_in(answer: dict) -> None:
            if self.session is not session:
                return
            session.user.update(answer["user"])
            if self.window is not None:
                self.window.update_title()
            self._begin_sync(session)
            self.demoReady.emit()

        def failed(error: BaseException) -> None:
            log.error("the demo practice did not start", exc_info=error)
            self.notices.persistent.emit("demo", self.tr(
                "The demo practice did not start: %s") % error)

        self.runner.run(up, signed_in, failed)
        return True

    def _sign_in_demo(self) -> SignedIn | None:
        from desktop.demo.conversations import DEMO_PASSWORD
        from sync.api import ApiClient

        api = ApiClient(self.demo.url)
        answer = self.runner.wait_for(lambda: api.login(self.demo_user, DEMO_PASSWORD))
        return SignedIn(self.demo.url, self.demo_user, api, answer["user"], DEMO_PASSWORD)

    def _sign_in(self) -> SignedIn | None:
        """The saved session when the server still takes it, else the sign-in dialog."""
        resumed = self._resume_saved_session()
        if isinstance(resumed, SignedIn):
            return resumed
        return self._ask_to_sign_in(*resumed)

    def _resume_saved_session(self) -> SignedIn | tuple[str | None, bool]:
        """Signed in with the token the keyring kept (offline too: the cached user), or why
        not: (a certificate problem to show in the dialog, whether the keyring works)."""
        from sync.api import ApiClient
        from sync.errors import ApiError, NetworkError, TlsError
        from sync.keys import KeyringUnavailable, load_token

        server_url = self.settings.get("account/server_url")
        username = self.settings.get("account/username")
        if not (server_url and username):
            return None, True
        account = account_name(server_url, username)
        try:
            token = load_token(account)
        except KeyringUnavailable:
            return None, False
        if not token:
            return None, True
        api = ApiClient(server_url, token, verify=verify_setting(self.settings))
        try:
            answer = self.runner.wait_for(api.session)
            if _mfa_set_up_if_required(api, self.runner, answer):
                return SignedIn(server_url, username, api, answer["user"])
        except TlsError as error:
            # Never carried on unverified: the person sees why and may choose a CA.
            api.close()
            return certificate_error_text(error, server_url), True
        except NetworkError:
            user = _cached_user(self.data_root, account) or {"username": username}
            return SignedIn(server_url, username, api, user)
        except ApiError:
            api.close()  # token expired or revoked: sign in again
        return None, True

    def _ask_to_sign_in(self, certificate_problem: str | None, keyring: bool
                        ) -> SignedIn | None:
        """The sign-in dialog; what it was given is remembered for the next start."""
        from sync.keys import KeyringUnavailable, save_token

        dialog = SignInDialog(self.runner, self.settings.get("account/server_url"),
                              self.settings.get("account/username"),
                              ca_file=self.settings.get("account/ca_file"))
        if certificate_problem:
            dialog.show_error(certificate_problem)
        if dialog.exec() != QDialog.DialogCode.Accepted or dialog.result_login is None:
            return None
        server_url, username = dialog.server_url(), dialog.username_text()
        self.settings.set("account/server_url", server_url)
        self.settings.set("account/username", username)
        self.settings.set("account/ca_file", dialog.ca_file_text())
        if keyring:
            try:
                save_token(account_name(server_url, username), dialog.result_login["token"])
            except KeyringUnavailable:
                keyring = False
        return SignedIn(server_url, username, dialog.api, dialog.result_login["user"],
                        dialog.password.text(), keyring)

    def _wrapped_key(self, signed_in: SignedIn) -> tuple[bytes, bool] | None:
        """The cache key wrapped with the password (made on first use); after a password
        change, unwrapped once with the previous one and wrapped with the new. None: the user
        gave up."""
        from sync import wrapped_key
        from sync.cache.set_aside import move_aside

        account = account_name(signed_in.server_url, signed_in.username)
        folder = account_dir(self.data_root, account)
        password = signed_in.password or ""
        try:
            return self.runner.wait_for(
                lambda: wrapped_key.open_or_create(folder, account, password))
        except wrapped_key.WrongPassword:
            pass  # the server took this password: it changed since the key was wrapped
        except wrapped_key.DamagedKeyFile as error:
            log.warning("%s", error)
            move_aside(wrapped_key.key_file(folder))
            return self.runner.wait_for(
                lambda: wrapped_key.open_or_create(folder, account, password))
        opened: list[bytes] = []

        def try_previous(previous: str) -> str | None:
            try:
                opened.append(self.runner.wait_for(
                    lambda: wrapped_key.rewrap(folder, account, previous, password)))
            except wrapped_key.WrongPassword:
                return self.tr("That is not your previous password either.")
            return None

        dialog = PreviousPasswordDialog(try_previous)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        if opened:
            return opened[0], False
        # A fresh copy: the old one (and its key) are set aside for a week, not deleted.
        move_aside(wrapped_key.key_file(folder))
        return self.runner.wait_for(
            lambda: wrapped_key.open_or_create(folder, account, password))

    def _show_window(self, password: str | None, begin_sync: bool = True) -> None:
        assert self.session is not None
        window = MainWindow(self.session, self.tray)
        if password:
            window.password_check.remember(password)
        window.signOutRequested.connect(self.sign_out)
        window.quitRequested.connect(self.quit)
        if self.demo is not None:
            from desktop.demo.portal_help import add_portal_help

            add_portal_help(window, self.demo.portal_url)
        self.window = window
        self.tray.show()
        if self.settings.get("startup/start_minimized") and self.tray.available():
            window.hide()
        else:
            window.show()
        if self.session.key_wrapped:
            self.notices.info.emit(self.tr(NO_KEYRING_NOTE))
        if begin_sync:
            self._begin_sync(self.session)
        if window.isVisible():
            window.thread_list.firstListPainted.connect(settle_after_first_paint)
        else:
            settle_after_first_paint()

    def _begin_sync(self, session: Session) -> None:
        self.runner.run(session.api.session, session.set_server_session,
                        lambda error: log.info("limits not refreshed: %s", error))
        session.bridge.start()

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
        """Ends the session on the server (off the GUI thread), forgets the token and shows
        the sign-in dialog again — in the demo too."""
        session = self.session
        if session is None:
            return
        from sync.errors import ApiError, NetworkError
        from sync.keys import KeyringUnavailable, forget_token

        def signed_out(error: BaseException | None = None) -> None:
            if isinstance(error, (ApiError, NetworkError)):
                log.info("signing out on the server failed: %s", error)
            elif error is not None:
                log.error("signing out failed", exc_info=error)
            if not session.key_wrapped and not session.key_in_memory:
                try:
                    forget_token(session.account)
                except KeyringUnavailable:
                    log.warning("the keyring could not forget the token")
            self._close_session()
            if not self._sign_in_again():
                self.quit()

        self.runner.run(session.api.logout, lambda _: signed_out(), signed_out)

    def _sign_in_again(self) -> bool:
        if self.demo is None:
            return self.start()
        # The demo signs in by itself only at its start; after a sign-out it asks as anywhere.
        dialog = SignInDialog(self.runner, self.demo.url, self.demo_user)
        if dialog.exec() != QDialog.DialogCode.Accepted or dialog.result_login is None:
            return False
        self.demo_user = dialog.username_text()
        self.session = open_session(
            server_url=self.demo.url, username=self.demo_user, api=dialog.api,
            user=dialog.result_login["user"], data_root=self.data_root, settings=self.settings,
            runner=self.runner, notices=self.notices, allow_memory_key=True)
        self._show_window(dialog.password.text())
        return True

    @Slot()
    def quit(self) -> None:
        self._close_session()
        self.tray.hide()
        self.runner.shutdown()
        self.app.quit()


def _mfa_set_up_if_required(api, runner: TaskRunner, answer: dict) -> bool:  # noqa: ANN001
    """A saved sign-in of a practice that now requires two-step sign-in sets it up first;
    False (signed out) when the person cancels."""
    from desktop.admin.mfa_gate import MfaSetupDialog, setup_required

    if not setup_required(api, answer):
        return True
    if MfaSetupDialog(api, runner).exec() == QDialog.DialogCode.Accepted:
        return True
    try:
        runner.wait_for(api.logout)
    except Exception as error:
        log.info("signing out after a cancelled set-up failed: %s", error)
    api.close()
    return False


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

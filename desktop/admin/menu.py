"""The main window's "Administration" menu: People, Audit log and Practice settings as the
session's capabilities allow, and My account for every staff member. Each window opens once
(asked again, it comes to the front) and hides while the inbox is locked. When the server
holds the person back until they set up two-step sign-in (the practice has just required it,
or their second factor was reset), the set-up opens and syncing resumes after it.

The windows' modules are imported when one is first opened: with what they bring (the QR
code writer of the two-step set-up, the record tables) they are a twentieth of the inbox's
start, which a person waits for and most never open them in."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QToolButton, QWidget

from desktop.resources import icon
from sync.admin_api import AdminApi

if TYPE_CHECKING:
    from desktop.admin.account_window import AccountWindow
    from desktop.admin.mfa_gate import MfaSetupDialog
    from desktop.admin.practice_window import PracticeWindow
    from desktop.main_window import MainWindow
    from desktop.session import Session

log = logging.getLogger(__name__)


def capabilities_of(server_session: dict) -> dict:
    return dict(server_session.get("capabilities") or {})


class AdminMenu(QObject):
    """Owns the menu button and the administration windows of one signed-in session."""

    def __init__(self, window: MainWindow, session: Session) -> None:
        super().__init__(window)
        self.window = window
        self.session = session
        self.admin = AdminApi(session.api)
        self.windows: dict[str, QWidget] = {}
        self._hidden_by_lock: list[QWidget] = []
        self.menu = QMenu(window)
        self.people_action = self._action(self.tr("People…"), self.open_people)
        self.audit_action = self._action(self.tr("Audit log…"), self.open_audit)
        self.practice_action = self._action(self.tr("Practice settings…"), self.open_practice)
        self.menu.addSeparator()
        self.account_action = self._action(self.tr("My account…"), self.open_account)
        self.button = QToolButton()
        self.button.setObjectName("adminMenuButton")
        self.button.setText(self.tr("Administration"))
        self.button.setIcon(icon("people"))
        self.button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.button.setMenu(self.menu)
        self.button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.mfa_dialog: MfaSetupDialog | None = None
        self.show_capabilities(capabilities_of(session.server_session))
        session.bridge.syncStopped.connect(self.on_bridge_syncStopped)
        if not session.server_session:
            session.runner.run(session.api.session, self._session_read,
                               lambda error: log.info("capabilities not read: %s", error))

    def _action(self, text: str, slot: Any) -> QAction:
        action = QAction(text, self.window)
        action.triggered.connect(slot)
        self.menu.addAction(action)
        return action

    def _session_read(self, answer: dict) -> None:
        self.session.set_server_session(answer)
        self.show_capabilities(capabilities_of(answer))

    def show_capabilities(self, capabilities: dict) -> None:
        self.capabilities = capabilities
        self.people_action.setVisible(bool(capabilities.get("manage_staff")
                                           or capabilities.get("manage_clients")))
        self.audit_action.setVisible(bool(capabilities.get("view_audit")))
        self.practice_action.setVisible(bool(capabilities.get("manage_practice")))
        admin_any = any(a.isVisible() for a in (self.people_action, self.audit_action,
                                                self.practice_action))
        self.button.setText(self.tr("Administration") if admin_any else self.tr("Account"))

    # the windows -------------------------------------------------------------------------
    def _show(self, key: str, make: Any) -> QWidget:
        window = self.windows.get(key)
        if window is None:
            window = make()
            self.windows[key] = window
            window.destroyed.connect(lambda _=None, k=key: self.windows.pop(k, None))
        window.show()
        window.raise_()
        window.activateWindow()
        return window

    @Slot()
    def open_people(self) -> QWidget:
        from desktop.admin.people_window import PeopleWindow

        return self._show("people", lambda: PeopleWindow(
            self.admin, self.session.runner, self.capabilities, self.window))

    @Slot()
    def open_audit(self) -> QWidget:
        from desktop.admin.audit_window import AuditWindow

        return self._show("audit", lambda: AuditWindow(
            self.admin, self.session.runner, self.session.people_by_id, self.window))

    @Slot()
    def open_practice(self) -> QWidget:
        from desktop.admin.practice_window import PracticeWindow

        def make() -> PracticeWindow:
            practice = PracticeWindow(self.admin, self.session.runner, self.window,
                                      own_mfa=lambda: bool(self.mfa_enabled))
            practice.mfaRequired.connect(self.hold_for_mfa)
            return practice

        return self._show("practice", make)

    @property
    def mfa_enabled(self) -> bool:
        return bool(self.session.server_session.get("mfa_enabled"))

    def _set_mfa_enabled(self, enabled: bool) -> None:
        self.session.server_session = {**self.session.server_session, "mfa_enabled": enabled}

    @Slot()
    def open_account(self) -> QWidget:
        from desktop.admin.account_window import AccountWindow

        def make() -> AccountWindow:
            server_session = self.session.server_session
            user = dict(server_session.get("user") or self.session.user)
            account = AccountWindow(self.admin, self.session.runner, user,
                                    bool(server_session.get("mfa_enabled")), self.window)
            account.two_step.turnedOn.connect(lambda: self._set_mfa_enabled(True))
            account.two_step.turnedOff.connect(lambda: self._set_mfa_enabled(False))
            check = getattr(self.window, "password_check", None)
            if check is not None:
                account.passwordChanged.connect(check.remember)
            return account

        return self._show("account", make)

    # held back until two-step sign-in is on ------------------------------------------------
    @Slot(str, str)
    def on_bridge_syncStopped(self, code: str, _detail: str) -> None:
        if code == "mfa_required":
            self.hold_for_mfa()

    @Slot()
    def hold_for_mfa(self) -> None:
        """Opens the set-up that cannot be skipped (cancelling it signs out)."""
        if self.mfa_dialog is not None:
            return
        from desktop.admin.mfa_gate import MfaSetupDialog

        dialog = MfaSetupDialog(self.session.api, self.session.runner, self.window)
        self.mfa_dialog = dialog
        dialog.accepted.connect(self._mfa_set_up)
        dialog.rejected.connect(self.window.signOutRequested)
        dialog.finished.connect(lambda _result: setattr(self, "mfa_dialog", None))
        dialog.open()

    def _mfa_set_up(self) -> None:
        self._set_mfa_enabled(True)
        engine = self.session.bridge.engine
        if engine is not None and engine.stopped and engine.stopped[0] == "mfa_required":
            from desktop.admin.resume_sync import resume_sync

            resume_sync(self.session)

    # locking -----------------------------------------------------------------------------
    def locked(self, is_locked: bool) -> None:
        """Hides the open windows while the inbox is locked and brings them back after."""
        if is_locked:
            self._hidden_by_lock = [w for w in self.windows.values() if w.isVisible()]
            for window in self._hidden_by_lock:
                window.hide()
        else:
            for window in self._hidden_by_lock:
                window.show()
            self._hidden_by_lock = []

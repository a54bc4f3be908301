"""Practice settings (admins): the practice's name, whether staff must use two-step sign-in,
and the notice shown on the client portal's pages."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from desktop.dialogs.confirm import confirm_change
from desktop.error_text import admin_error_text
from desktop.tasks import TaskRunner
from sync.admin_api import AdminApi

NOTICE_MAX_CHARS = 300


class PracticeWindow(QWidget):
    """Signals:
    mfaRequired(): saved with two-step sign-in required while the admin has none yet.
    """

    mfaRequired = Signal()

    def __init__(self, admin: AdminApi, runner: TaskRunner, parent: QWidget | None = None,
                 own_mfa: Callable[[], bool] = lambda: True) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.admin = admin
        self.runner = runner
        self.own_mfa = own_mfa
        self.loaded: dict = {}
        self.setObjectName("practiceWindow")
        self.setWindowTitle(self.tr("Practice settings"))
        self.resize(560, 400)
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.name = QLineEdit()
        form.addRow(self.tr("Practice name:"), self.name)
        self.require_mfa = QCheckBox(self.tr("Staff must use two-step sign-in"))
        form.addRow(self.tr("Security:"), self.require_mfa)
        mfa_help = QLabel(self.tr("Staff without it are taken to its set-up when they next "
                                  "sign in and can open nothing else until it is on."))
        mfa_help.setWordWrap(True)
        form.addRow("", mfa_help)
        self.notice = QPlainTextEdit()
        self.notice.setObjectName("portalNotice")
        self.notice.setPlaceholderText(self.tr("For example: The office is closed on Friday "
                                               "25 December."))
        self.notice.setMaximumHeight(110)
        form.addRow(self.tr("Portal notice:"), self.notice)
        self.notice_count = QLabel()
        form.addRow("", self.notice_count)
        layout.addLayout(form)
        self.message = QLabel(self.tr("Loading…"))
        self.message.setObjectName("practiceMessage")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        layout.addStretch(1)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                        | QDialogButtonBox.StandardButton.Close)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setEnabled(False)
        self.buttons.accepted.connect(self.on_buttons_accepted)
        self.buttons.rejected.connect(self.close)
        layout.addWidget(self.buttons)
        self.notice.textChanged.connect(self.on_notice_textChanged)
        self.on_notice_textChanged()
        self.runner.run(admin.practice, self._show, self._failed)

    def _show(self, practice: dict) -> None:
        self.loaded = dict(practice)
        self.name.setText(practice.get("name") or "")
        self.require_mfa.setChecked(bool(practice.get("require_mfa_for_staff")))
        self.notice.setPlainText(practice.get("portal_notice") or "")
        self.message.setText("")
        self.save_button.setEnabled(True)

    def _failed(self, error: BaseException) -> None:
        self.message.setText(admin_error_text(error))

    @Slot()
    def on_notice_textChanged(self) -> None:
        used = len(self.notice.toPlainText())
        self.notice_count.setText(self.tr("%d of %d characters") % (used, NOTICE_MAX_CHARS))
        self.notice_count.setStyleSheet("color: #c53030;" if used > NOTICE_MAX_CHARS else "")

    def fields(self) -> dict:
        return {"name": self.name.text().strip(),
                "require_mfa_for_staff": self.require_mfa.isChecked(),
                "portal_notice": self.notice.toPlainText().strip()}

    @Slot()
    def on_buttons_accepted(self) -> None:
        fields = self.fields()
        if not fields["name"]:
            self.message.setText(self.tr("The practice needs a name."))
            return
        if len(fields["portal_notice"]) > NOTICE_MAX_CHARS:
            self.message.setText(self.tr("The portal notice is longer than %d characters.")
                                 % NOTICE_MAX_CHARS)
            return
        changed = {k: v for k, v in fields.items() if v != (self.loaded.get(k) or
                                                            type(v)())}
        if not changed:
            self.message.setText(self.tr("Nothing to save."))
            return
        held = bool(changed.get("require_mfa_for_staff")) and not self.own_mfa()
        if held and not confirm_change(
                self, self.tr("Require two-step sign-in"),
                self.tr("Require two-step sign-in for all staff?"),
                self.tr("You have not set it up yourself yet: you will be asked to do it right "
                        "after saving, and can use nothing else until it is on."),
                self.tr("Require it")):
            return
        self.save_button.setEnabled(False)
        self.message.setText(self.tr("Saving…"))
        self.runner.run(lambda: self.admin.update_practice(changed),
                        lambda practice: self._saved(practice, held), self._refused, serial=True)

    def _saved(self, practice: dict, held: bool = False) -> None:
        self._show(practice)
        self.message.setText(self.tr("Saved."))
        if held:
            self.mfaRequired.emit()

    def _refused(self, error: BaseException) -> None:
        self.save_button.setEnabled(True)
        self.message.setText(admin_error_text(error))

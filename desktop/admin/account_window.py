"""My account: change the password and manage two-step sign-in."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.admin.two_step import TwoStepPanel
from desktop.error_text import admin_error_text
from desktop.tasks import TaskRunner
from sync.admin_api import AdminApi
from sync.errors import ApiError


class AccountWindow(QWidget):
    """Signals:
    passwordChanged(str): the new password (the lock screen checks against it from now on).
    """

    passwordChanged = Signal(str)

    def __init__(self, admin: AdminApi, runner: TaskRunner, user: dict, mfa_enabled: bool,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.admin = admin
        self.runner = runner
        self.setObjectName("accountWindow")
        self.setWindowTitle(self.tr("My account — %s") % (user.get("name")
                                                          or user.get("username") or ""))
        self.resize(640, 560)
        layout = QVBoxLayout(self)
        password_box = QGroupBox(self.tr("Password"))
        form = QFormLayout(password_box)
        self.current_password = QLineEdit()
        self.new_password = QLineEdit()
        self.repeat_password = QLineEdit()
        for field in (self.current_password, self.new_password, self.repeat_password):
            field.setEchoMode(QLineEdit.EchoMode.Password)
        self.new_password.setPlaceholderText(self.tr("at least 12 characters"))
        form.addRow(self.tr("Current password:"), self.current_password)
        form.addRow(self.tr("New password:"), self.new_password)
        form.addRow(self.tr("New password again:"), self.repeat_password)
        self.change_button = QPushButton(self.tr("Change password"))
        self.change_button.clicked.connect(self.on_change_button_clicked)
        form.addRow("", self.change_button)
        form.setAlignment(self.change_button, Qt.AlignmentFlag.AlignLeft)
        self.password_message = QLabel()
        self.password_message.setObjectName("passwordMessage")
        self.password_message.setWordWrap(True)
        form.addRow(self.password_message)
        layout.addWidget(password_box)

        two_step_box = QGroupBox(self.tr("Two-step sign-in"))
        box_layout = QVBoxLayout(two_step_box)
        self.two_step = TwoStepPanel(admin, runner, mfa_enabled)
        box_layout.addWidget(self.two_step)
        layout.addWidget(two_step_box, 1)

    @Slot()
    def on_change_button_clicked(self) -> None:
        current, new = self.current_password.text(), self.new_password.text()
        if not current or not new:
            self._password_said(self.tr("Enter your current password and the new one."), True)
            return
        if new != self.repeat_password.text():
            self._password_said(self.tr("The two new passwords are not the same."), True)
            return
        self.change_button.setEnabled(False)
        self._password_said("", False)
        self.runner.run(lambda: self.admin.change_password(current, new),
                        lambda _r: self._changed(new), self._refused, serial=True)

    def _changed(self, new: str) -> None:
        self.change_button.setEnabled(True)
        for field in (self.current_password, self.new_password, self.repeat_password):
            field.clear()
        self._password_said(self.tr("Your password was changed. Your other sign-ins have "
                                    "ended; this one goes on."), False)
        self.passwordChanged.emit(new)

    def _refused(self, error: BaseException) -> None:
        self.change_button.setEnabled(True)
        if isinstance(error, ApiError) and error.code == "invalid_credentials":
            self._password_said(self.tr("Your current password is not right."), True)
            self.current_password.selectAll()
            self.current_password.setFocus()
            return
        self._password_said(admin_error_text(error), True)
        self.new_password.setFocus()

    def _password_said(self, text: str, bad: bool) -> None:
        self.password_message.setText(text)
        self.password_message.setStyleSheet("color: #c53030;" if bad else "")

"""The sign-in dialog: server address, username, password, and a TOTP code when the server
asks for one. Errors are said in plain words inside the dialog."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.admin.forgot_password import ForgotPassword
from desktop.admin.mfa_gate import after_sign_in
from desktop.error_text import sign_in_error_text
from desktop.resources import app_icon
from desktop.server_trust import ca_file_problem, verify_for
from desktop.tasks import TaskRunner
from sync.api import ApiClient
from sync.errors import ApiError


class SignInDialog(QDialog):
    """On success ``result_login`` holds the server's answer and ``api`` the signed-in client."""

    def __init__(self, runner: TaskRunner, server_url: str = "", username: str = "",
                 parent: QWidget | None = None, ca_file: str = "") -> None:
        super().__init__(parent)
        self.runner = runner
        self.api: ApiClient | None = None
        self.result_login: dict[str, Any] | None = None
        self.setWindowTitle(self.tr("Practice Inbox — Sign in"))
        self.setWindowIcon(app_icon())
        self.setMinimumWidth(420)
        layout = QVBoxLayout(self)
        intro = QLabel(self.tr("Sign in to your practice's secure inbox."))
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.server = QLineEdit(server_url)
        self.server.setPlaceholderText("https://inbox.example.org")
        form.addRow(self.tr("Server:"), self.server)
        self.username = QLineEdit(username)
        form.addRow(self.tr("Username:"), self.username)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow(self.tr("Password:"), self.password)
        self.forgot = ForgotPassword(runner, self.server, self.username)
        form.addRow("", self.forgot)
        self.totp_label = QLabel(self.tr("Code:"))
        self.totp = QLineEdit()
        self.totp.setPlaceholderText(self.tr("6-digit code from your authenticator app"))
        self.totp.setMaxLength(8)
        form.addRow(self.totp_label, self.totp)
        self.ca_file = QLineEdit(ca_file)
        self.ca_file.setPlaceholderText(self.tr("Optional: its CA file"))
        self.ca_file.setToolTip(self.tr(
            "The certificate file of your practice's own certificate authority, if your "
            "administrator gave you one. Leave it empty otherwise."))
        self.choose_ca = QPushButton(self.tr("Choose\u2026"))
        self.choose_ca.clicked.connect(self.on_choose_ca_clicked)
        ca_row = QHBoxLayout()
        ca_row.addWidget(self.ca_file, 1)
        ca_row.addWidget(self.choose_ca)
        form.addRow(self.tr("Practice CA:"), ca_row)
        self.totp_label.setVisible(False)
        self.totp.setVisible(False)
        layout.addLayout(form)
        self.error = QLabel()
        self.error.setObjectName("signInError")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #c53030;")
        self.error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error.setVisible(False)
        layout.addWidget(self.error)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.sign_in_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.sign_in_button.setText(self.tr("Sign in"))
        self.buttons.accepted.connect(self.on_buttons_accepted)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        (self.password if server_url and username else self.server).setFocus()

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(bool(text))

    def set_busy(self, busy: bool) -> None:
        for widget in (self.server, self.username, self.password, self.totp,
                       self.ca_file, self.choose_ca, self.sign_in_button):
            widget.setEnabled(not busy)
        if busy:
            self.show_error("")

    @Slot()
    def on_choose_ca_clicked(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self, self.tr("Choose the practice's certificate authority"), "",
            self.tr("Certificates (*.crt *.pem *.cer);;All files (*)"))
        if path:
            self.ca_file.setText(path)

    @Slot()
    def on_buttons_accepted(self) -> None:
        server, username = self.server.text().strip(), self.username.text().strip()
        password, code = self.password.text(), self.totp.text().strip() or None
        if not server or not username or not password:
            self.show_error(self.tr("Enter the server address, your username and password."))
            return
        problem = ca_file_problem(self.ca_file_text())
        if problem:
            self.show_error(problem)
            self.ca_file.setFocus()
            return
        try:
            api = ApiClient(server, verify=verify_for(self.ca_file_text()))
        except ValueError as error:
            self.show_error(sign_in_error_text(error, server))
            return
        self.set_busy(True)
        self.runner.run(lambda: api.login(username, password, code),
                        lambda answer: self._signed_in(api, answer), self._failed)

    def _signed_in(self, api: ApiClient, answer: dict) -> None:
        def ready() -> None:
            self.set_busy(False)
            self.api, self.result_login = api, answer
            self.accept()

        # A practice that requires two-step sign-in has it set up before the inbox opens.
        after_sign_in(self, self.runner, api, ready, lambda: self.set_busy(False), answer)

    def _failed(self, error: BaseException) -> None:
        self.set_busy(False)
        if isinstance(error, ApiError) and error.code == "totp_required":
            self.totp_label.setVisible(True)
            self.totp.setVisible(True)
            self.totp.setFocus()
        self.show_error(sign_in_error_text(error, self.server_url()))
        if not (isinstance(error, ApiError) and error.code == "totp_required"):
            self.password.selectAll()
            self.password.setFocus()

    def server_url(self) -> str:
        return self.server.text().strip()

    def username_text(self) -> str:
        return self.username.text().strip()

    def ca_file_text(self) -> str:
        return self.ca_file.text().strip()

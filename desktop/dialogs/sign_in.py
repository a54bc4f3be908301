"""The sign-in dialog: server address, username, password, and a TOTP code when the server
asks for one. Errors are said in plain words inside the dialog."""

from __future__ import annotations

import math
from typing import Any
from urllib.parse import urlsplit

from PySide6.QtCore import QCoreApplication, Qt, Slot
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
from desktop.resources import app_icon
from desktop.server_trust import ca_file_problem, verify_for
from desktop.tasks import TaskRunner
from sync.api import ApiClient
from sync.errors import ApiError, InsecureServerAddress, NetworkError, ProtocolError, TlsError
from sync.tls import TlsProblem


def _tr(text: str) -> str:
    return QCoreApplication.translate("SignInDialog", text)


def certificate_error_text(error: TlsError, server_url: str = "") -> str:
    """What is wrong with the server's certificate, in plain words; nothing was sent."""
    if error.kind is TlsProblem.EXPIRED:
        return _tr("The server's security certificate has expired (or is not valid yet), so "
                   "nothing was sent. Ask your administrator to renew it, and check that this "
                   "computer's date and time are right.")
    if error.kind is TlsProblem.WRONG_NAME:
        host = urlsplit(server_url.strip()).hostname or _tr("this address")
        return _tr("The server's security certificate is made out to another name than %s, "
                   "so nothing was sent. Check the server address, or ask your administrator "
                   "for the right one.") % host
    if error.kind is TlsProblem.UNKNOWN_AUTHORITY:
        return _tr("The server's security certificate was issued by an authority this computer "
                   "does not trust, so nothing was sent. If your practice has its own "
                   "certificate authority, choose its file under \u201cPractice CA\u201d; "
                   "otherwise ask your administrator.")
    return _tr("The secure connection to the server could not be set up, so nothing was sent. "
               "Ask your administrator to check the server's certificate and HTTPS settings.")


def sign_in_error_text(error: BaseException, server_url: str = "") -> str:
    """A sentence for the user for any failure of a sign-in attempt."""
    if isinstance(error, ApiError):
        if error.code == "invalid_credentials":
            return _tr("The username or password is not right. Check them and try again.")
        if error.code == "too_many_attempts":
            return too_many_attempts_text(error.retry_after)
        if error.code == "totp_required":
            return _tr("Enter the 6-digit code from your authenticator app.")
        if error.code == "mfa_required":
            return _tr("Your practice requires two-step sign-in: set it up to continue.")
        if error.code in ("invalid_totp", "totp_invalid"):
            return _tr("That code is not right or has expired. Enter the current code.")
        return error.detail or _tr("The server refused the sign-in.")
    if isinstance(error, InsecureServerAddress):
        return _tr("This address uses plain http://. Use the https:// address of your "
                   "practice's server.")
    if isinstance(error, ValueError):
        return _tr("That is not a server address. It looks like https://inbox.example.org")
    if isinstance(error, TlsError):
        return certificate_error_text(error, server_url)
    if isinstance(error, NetworkError):
        if error.timed_out:
            return _tr("The server did not answer in time. Check your connection and try again.")
        return _tr("The server cannot be reached. Check the address and your network "
                   "connection.")
    if isinstance(error, ProtocolError):
        return _tr("That address answers, but not as a Practice Inbox server. Check the address.")
    return _tr("Signing in failed: %s") % error


def too_many_attempts_text(retry_after: float | None) -> str:
    if not retry_after:
        return _tr("Too many failed attempts. Wait a few minutes and try again.")
    minutes = max(1, math.ceil(retry_after / 60))
    if minutes == 1:
        return _tr("Too many failed attempts. Try again in 1 minute.")
    return _tr("Too many failed attempts. Try again in %d minutes.") % minutes


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

"""Two-step sign-in for the signed-in person: set it up (a QR code and its secret, confirmed
with a code from the app), show and save the recovery codes, or turn it off with the password."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.admin.labels import error_label
from desktop.admin.qr_code import QrCodeWidget
from desktop.error_text import admin_error_text
from desktop.tasks import TaskRunner
from sync.admin_api import AdminApi
from sync.errors import ApiError


def grouped(secret: str) -> str:
    """A base32 secret in groups of four, easier to type into an app by hand."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


class TwoStepPanel(QWidget):
    """Signals:
    turnedOn(): the second factor was confirmed.
    turnedOff(): it was removed.
    """

    turnedOn = Signal()
    turnedOff = Signal()

    def __init__(self, admin: AdminApi, runner: TaskRunner, enabled: bool,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.admin = admin
        self.runner = runner
        self.enabled = enabled
        self.recovery_codes: list[str] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.pages = QStackedWidget()
        layout.addWidget(self.pages)
        self.error = error_label("twoStepError")
        layout.addWidget(self.error)
        self._build_off_page()
        self._build_setup_page()
        self._build_codes_page()
        self._build_on_page()
        self.pages.setCurrentWidget(self.on_page if enabled else self.off_page)

    # the pages ---------------------------------------------------------------------------
    def _build_off_page(self) -> None:
        self.off_page = QWidget()
        layout = QVBoxLayout(self.off_page)
        text = QLabel(self.tr("Two-step sign-in is off. With it on, signing in also asks for a "
                              "code from an authenticator app on your phone, so a stolen "
                              "password alone cannot open your inbox."))
        text.setWordWrap(True)
        layout.addWidget(text)
        self.start_button = QPushButton(self.tr("Set up two-step sign-in…"))
        self.start_button.clicked.connect(self.start_setup)
        layout.addWidget(self.start_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addStretch(1)
        self.pages.addWidget(self.off_page)

    def _build_setup_page(self) -> None:
        self.setup_page = QWidget()
        layout = QHBoxLayout(self.setup_page)
        self.qr = QrCodeWidget()
        layout.addWidget(self.qr, 0, Qt.AlignmentFlag.AlignTop)
        steps = QVBoxLayout()
        intro = QLabel(self.tr("1. Scan this code with your authenticator app (for example "
                               "Google Authenticator, Microsoft Authenticator or FreeOTP). "
                               "No camera? Type this key into the app instead:"))
        intro.setWordWrap(True)
        steps.addWidget(intro)
        self.secret = QLabel()
        self.secret.setObjectName("totpSecret")
        self.secret.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.secret.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        steps.addWidget(self.secret)
        confirm_text = QLabel(self.tr("2. Enter the 6-digit code the app shows now:"))
        confirm_text.setWordWrap(True)
        steps.addWidget(confirm_text)
        row = QHBoxLayout()
        self.code = QLineEdit()
        self.code.setObjectName("totpCode")
        self.code.setMaxLength(8)
        self.code.setPlaceholderText("123456")
        self.code.returnPressed.connect(self.on_confirm_button_clicked)
        row.addWidget(self.code)
        self.confirm_button = QPushButton(self.tr("Turn on"))
        self.confirm_button.clicked.connect(self.on_confirm_button_clicked)
        row.addWidget(self.confirm_button)
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.cancel_button.clicked.connect(self.show_state)
        row.addWidget(self.cancel_button)
        steps.addLayout(row)
        steps.addStretch(1)
        layout.addLayout(steps, 1)
        self.pages.addWidget(self.setup_page)

    def _build_codes_page(self) -> None:
        self.codes_page = QWidget()
        layout = QVBoxLayout(self.codes_page)
        text = QLabel(self.tr("Two-step sign-in is on. If you lose your phone, each of these "
                              "recovery codes signs you in once in place of a code. Save or "
                              "print them now and keep them somewhere safe: they are not shown "
                              "again."))
        text.setWordWrap(True)
        layout.addWidget(text)
        self.codes = QPlainTextEdit()
        self.codes.setObjectName("recoveryCodes")
        self.codes.setReadOnly(True)
        self.codes.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.codes.setMaximumHeight(200)
        layout.addWidget(self.codes)
        row = QHBoxLayout()
        self.save_codes_button = QPushButton(self.tr("Save to file…"))
        self.save_codes_button.clicked.connect(self.on_save_codes_button_clicked)
        row.addWidget(self.save_codes_button)
        self.copy_codes_button = QPushButton(self.tr("Copy"))
        self.copy_codes_button.clicked.connect(
            lambda: QGuiApplication.clipboard().setText("\n".join(self.recovery_codes)))
        row.addWidget(self.copy_codes_button)
        row.addStretch(1)
        self.codes_done_button = QPushButton(self.tr("I have saved them"))
        self.codes_done_button.clicked.connect(self.show_state)
        row.addWidget(self.codes_done_button)
        layout.addLayout(row)
        self.pages.addWidget(self.codes_page)

    def _build_on_page(self) -> None:
        self.on_page = QWidget()
        layout = QVBoxLayout(self.on_page)
        text = QLabel(self.tr("Two-step sign-in is on. To turn it off, enter your password."))
        text.setWordWrap(True)
        layout.addWidget(text)
        row = QHBoxLayout()
        self.off_password = QLineEdit()
        self.off_password.setObjectName("turnOffPassword")
        self.off_password.setEchoMode(QLineEdit.EchoMode.Password)
        self.off_password.setPlaceholderText(self.tr("Your password"))
        row.addWidget(self.off_password)
        self.turn_off_button = QPushButton(self.tr("Turn off"))
        self.turn_off_button.clicked.connect(self.on_turn_off_button_clicked)
        row.addWidget(self.turn_off_button)
        layout.addLayout(row)
        layout.addStretch(1)
        self.pages.addWidget(self.on_page)

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(bool(text))

    @Slot()
    def show_state(self) -> None:
        self.show_error("")
        self.pages.setCurrentWidget(self.on_page if self.enabled else self.off_page)

    # setting up --------------------------------------------------------------------------
    @Slot()
    def start_setup(self) -> None:
        self.show_error("")
        self.start_button.setEnabled(False)
        self.runner.run(self.admin.start_totp, self._pending, self._setup_failed, serial=True)

    def _pending(self, answer: dict) -> None:
        self.start_button.setEnabled(True)
        self.qr.set_text(str(answer.get("otpauth_uri") or ""))
        self.secret.setText(grouped(str(answer.get("secret") or "")))
        self.code.clear()
        self.pages.setCurrentWidget(self.setup_page)
        self.code.setFocus()

    def _setup_failed(self, error: BaseException) -> None:
        self.start_button.setEnabled(True)
        self.show_error(admin_error_text(error))

    @Slot()
    def on_confirm_button_clicked(self) -> None:
        code = self.code.text().strip().replace(" ", "")
        if not code:
            self.show_error(self.tr("Enter the 6-digit code your app shows."))
            return
        self.show_error("")
        self.confirm_button.setEnabled(False)
        self.runner.run(lambda: self.admin.confirm_totp(code), self._confirmed,
                        self._confirm_failed, serial=True)

    def _confirmed(self, codes: list[str]) -> None:
        self.confirm_button.setEnabled(True)
        self.enabled = True
        self.recovery_codes = codes
        self.codes.setPlainText("\n".join(codes))
        self.pages.setCurrentWidget(self.codes_page)
        self.turnedOn.emit()

    def _confirm_failed(self, error: BaseException) -> None:
        self.confirm_button.setEnabled(True)
        if isinstance(error, ApiError) and error.status in (400, 401, 422):
            self.show_error(self.tr("That code is not right or has expired. Enter the code "
                                    "your app shows now."))
        else:
            self.show_error(admin_error_text(error))
        self.code.selectAll()
        self.code.setFocus()

    @Slot()
    def on_save_codes_button_clicked(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self, self.tr("Save recovery codes"),
                                              "practice-inbox-recovery-codes.txt",
                                              self.tr("Text files (*.txt)"))
        if name:
            self.save_codes(Path(name))

    def save_codes(self, path: Path) -> None:
        text = ("Practice Inbox recovery codes (each works once)\n\n"
                + "\n".join(self.recovery_codes) + "\n")
        try:
            # Readable by this user only: the codes open the account like a password.
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.write(text)
        except OSError as error:
            self.show_error(admin_error_text(error))
            return
        self.show_error("")
        self.codes_done_button.setFocus()

    # turning off -------------------------------------------------------------------------
    @Slot()
    def on_turn_off_button_clicked(self) -> None:
        password = self.off_password.text()
        if not password:
            self.show_error(self.tr("Enter your password to turn two-step sign-in off."))
            return
        self.turn_off_button.setEnabled(False)
        self.runner.run(lambda: self.admin.disable_totp(password), self._turned_off,
                        self._turn_off_failed, serial=True)

    def _turned_off(self, _result: object) -> None:
        self.turn_off_button.setEnabled(True)
        self.off_password.clear()
        self.enabled = False
        self.show_state()
        self.turnedOff.emit()

    def _turn_off_failed(self, error: BaseException) -> None:
        self.turn_off_button.setEnabled(True)
        if isinstance(error, ApiError) and error.code == "invalid_credentials":
            self.show_error(self.tr("That password is not right."))
        else:
            self.show_error(admin_error_text(error))
        self.off_password.selectAll()
        self.off_password.setFocus()

"""Asked once after a password change on a computer with no keyring: the messages saved here
are locked with the previous password, which opens them and is then replaced by the new one.
Whoever does not remember it can have the messages downloaded again instead."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.resources import app_icon


class PreviousPasswordDialog(QDialog):
    """``try_password(text)`` returns an error to show, or None when the password opened the
    key. Accepted: opened; ``download_again`` set: the user chose a fresh copy instead."""

    def __init__(self, try_password: Callable[[str], str | None],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.try_password = try_password
        self.download_again = False
        self.setWindowTitle(self.tr("Practice Inbox — Previous password"))
        self.setWindowIcon(app_icon())
        self.setMinimumWidth(440)
        layout = QVBoxLayout(self)
        text = QLabel(self.tr(
            "Your password has changed since you last signed in on this computer. The "
            "messages saved here are locked with your previous password: enter it once to "
            "open them, and from now on your new password opens them."))
        text.setWordWrap(True)
        layout.addWidget(text)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText(self.tr("Previous password"))
        layout.addWidget(self.password)
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #c53030;")
        self.error.setVisible(False)
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.open_button = QPushButton(self.tr("Open my messages"))
        self.open_button.setDefault(True)
        buttons.addButton(self.open_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.fresh_button = QPushButton(self.tr("Download them again"))
        self.fresh_button.setToolTip(self.tr(
            "Fetch everything from the server again. Messages still waiting to be sent from "
            "the old copy are kept aside for a week."))
        buttons.addButton(self.fresh_button, QDialogButtonBox.ButtonRole.DestructiveRole)
        self.open_button.clicked.connect(self.on_open_button_clicked)
        self.fresh_button.clicked.connect(self.on_fresh_button_clicked)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.password.setFocus()

    @Slot()
    def on_open_button_clicked(self) -> None:
        error = self.try_password(self.password.text())
        if error is None:
            self.accept()
            return
        self.error.setText(error)
        self.error.setVisible(True)
        self.password.selectAll()
        self.password.setFocus()

    @Slot()
    def on_fresh_button_clicked(self) -> None:
        self.download_again = True
        self.accept()

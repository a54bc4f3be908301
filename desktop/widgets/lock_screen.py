"""The lock screen that covers the window after an idle time and asks for the password."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from desktop.resources import app_icon


class LockScreen(QWidget):
    """Signals:
    unlockRequested(str): the password typed.
    """

    unlockRequested = Signal(str)

    def __init__(self, user_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("lockScreen")
        self.setAutoFillBackground(True)
        outer = QVBoxLayout(self)
        outer.addStretch(2)
        box = QWidget()
        box.setMaximumWidth(360)
        layout = QVBoxLayout(box)
        logo = QLabel()
        logo.setPixmap(app_icon().pixmap(72, 72))
        logo.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(logo)
        title = QLabel(self.tr("Practice Inbox is locked"))
        title.setObjectName("conversationSubject")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(title)
        who = QLabel(self.tr("Signed in as %s. Enter your password to continue.") % user_name)
        who.setWordWrap(True)
        who.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(who)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText(self.tr("Password"))
        self.password.returnPressed.connect(self.on_unlock_clicked)
        layout.addWidget(self.password)
        self.error = QLabel()
        self.error.setStyleSheet("color: #c53030;")
        self.error.setWordWrap(True)
        self.error.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.error)
        self.unlock = QPushButton(self.tr("Unlock"))
        self.unlock.setDefault(True)
        self.unlock.clicked.connect(self.on_unlock_clicked)
        layout.addWidget(self.unlock)
        outer.addWidget(box, 0, Qt.AlignmentFlag.AlignHCenter)
        outer.addStretch(3)

    def reset(self) -> None:
        self.password.clear()
        self.error.clear()
        self.set_busy(False)
        self.password.setFocus()

    def set_busy(self, busy: bool) -> None:
        self.unlock.setEnabled(not busy)
        self.password.setEnabled(not busy)

    def show_error(self, text: str) -> None:
        self.set_busy(False)
        self.error.setText(text)
        self.password.selectAll()
        self.password.setFocus()

    @Slot()
    def on_unlock_clicked(self) -> None:
        if self.password.text():
            self.set_busy(True)
            self.unlockRequested.emit(self.password.text())

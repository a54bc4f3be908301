"""The lock screen that covers the window after an idle time and asks for the password, and
the same screen laid over any other window left open (a dialog waiting for an answer), so
nothing stays readable and the password can be typed wherever the focus is."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, Signal, Slot
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from desktop.resources import app_icon


class LockScreen(QWidget):
    """Signals:
    unlockRequested(str): the password typed.
    """

    unlockRequested = Signal(str)

    def __init__(self, user_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.user_name = user_name
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


class WindowCovers(QObject):
    """Lays a lock screen over each given window, and its title to the program's name, until
    `uncover()`; a password typed on any cover goes to `password_check` (a PasswordCheck)."""

    def __init__(self, user_name: str, password_check: Any, parent: QObject | None = None):
        super().__init__(parent)
        self.user_name = user_name
        self.password_check = password_check
        self.covered: list[tuple[QWidget, LockScreen, str]] = []
        password_check.refused.connect(self.on_password_check_refused)

    def cover(self, windows: list[QWidget]) -> None:
        for window in windows:
            if not window.isVisible() or any(w is window for w, _, _ in self.covered):
                continue
            screen = LockScreen(self.user_name, window)
            screen.unlockRequested.connect(self.password_check.check)
            screen.setGeometry(window.rect())
            screen.show()
            screen.raise_()
            window.installEventFilter(self)
            self.covered.append((window, screen, window.windowTitle()))
            window.setWindowTitle(self.tr("Practice Inbox (locked)"))
            screen.reset()

    def uncover(self) -> None:
        for window, screen, title in self.covered:
            window.removeEventFilter(self)
            window.setWindowTitle(title)
            screen.deleteLater()
        self.covered = []

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize:
            for window, screen, _ in self.covered:
                if window is watched:
                    screen.setGeometry(window.rect())
        return False

    @Slot(str)
    def on_password_check_refused(self, text: str) -> None:
        for _, screen, _ in self.covered:
            screen.show_error(text)

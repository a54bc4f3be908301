"""The tray icon: unread count on the icon, an alert per new message (no PHI unless the user
opted in, and none at all while the window is locked), a click on the alert opens that thread,
and Quit lives in its menu."""

from __future__ import annotations

from PySide6.QtCore import QObject, QRect, Qt, Signal, Slot
from PySide6.QtGui import QAction, QColor, QFont, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from desktop.resources import app_icon
from desktop.settings import AppSettings

NO_PHI_TEXT = "New secure message"


def badge_icon(unread: int) -> QIcon:
    """The app icon with the unread count painted in its corner."""
    size = 64
    pixmap = app_icon().pixmap(size, size)
    if unread <= 0:
        return QIcon(pixmap)
    canvas = QPixmap(pixmap)
    painter = QPainter(canvas)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    text = str(unread) if unread < 100 else "99+"
    rect = QRect(size - 40, 0, 40, 30)
    painter.setBrush(QColor("#e53e3e"))
    painter.setPen(Qt.PenStyle.NoPen)
    painter.drawRoundedRect(rect, 14, 14)
    font = QFont()
    font.setPixelSize(20)
    font.setBold(True)
    painter.setFont(font)
    painter.setPen(QColor("#ffffff"))
    painter.drawText(rect, int(Qt.AlignmentFlag.AlignCenter), text)
    painter.end()
    return QIcon(canvas)


class Tray(QObject):
    """Signals:
    openRequested(): show the main window.
    threadRequested(str): show the main window with this thread open.
    quitRequested()
    """

    openRequested = Signal()
    threadRequested = Signal(str)
    quitRequested = Signal()

    def __init__(self, settings: AppSettings, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.unread = 0
        self.locked = False
        self.last_alert: tuple[str, str] | None = None
        self.last_alert_icon: QIcon | None = None
        self.alert_thread_id = ""
        self.icon = QSystemTrayIcon(badge_icon(0), self)
        self.icon.setToolTip(self.tr("Practice Inbox"))
        self.menu = QMenu()
        self.open_action = QAction(self.tr("Open Practice Inbox"), self)
        self.open_action.triggered.connect(self.openRequested)
        self.menu.addAction(self.open_action)
        self.menu.addSeparator()
        self.quit_action = QAction(self.tr("Quit"), self)
        self.quit_action.triggered.connect(self.quitRequested)
        self.menu.addAction(self.quit_action)
        self.icon.setContextMenu(self.menu)
        self.icon.activated.connect(self.on_icon_activated)
        self.icon.messageClicked.connect(self.on_icon_messageClicked)

    @staticmethod
    def available() -> bool:
        return QSystemTrayIcon.isSystemTrayAvailable()

    def show(self) -> None:
        if self.available():
            self.icon.show()

    def hide(self) -> None:
        self.icon.hide()

    def set_unread(self, unread: int) -> None:
        if unread == self.unread:
            return
        self.unread = unread
        self.icon.setIcon(badge_icon(unread))
        self._update_tooltip()

    def set_locked(self, locked: bool) -> None:
        """While the window is locked the tray names nobody, whatever the settings say."""
        self.locked = locked
        self._update_tooltip()

    def _update_tooltip(self) -> None:
        if self.locked:
            self.icon.setToolTip(self.tr("Practice Inbox (locked)"))
        else:
            self.icon.setToolTip(self.tr("Practice Inbox — %n unread", "", self.unread)
                                 if self.unread else self.tr("Practice Inbox"))

    def alert_text(self, sender_name: str, subject: str) -> tuple[str, str]:
        """(title, body) of an alert: only "New secure message" unless details are allowed
        and the window is not locked."""
        if self.settings.get("notifications/show_details") and not self.locked:
            return (self.tr("New secure message from %s") % sender_name, subject)
        return (self.tr(NO_PHI_TEXT), self.tr("Open Practice Inbox to read it."))

    @Slot(str, str, str, str)
    def on_bridge_newMessage(self, thread_id: str, _message_id: str, sender_name: str,
                             subject: str) -> None:
        title, body = self.alert_text(sender_name, subject)
        self.last_alert = (title, body)
        self.alert_thread_id = thread_id
        # The count is the tray icon's alone: at this moment it has not counted this message
        # yet, and a count drawn into the alert disagreed with the icon beside it.
        self.last_alert_icon = QIcon(app_icon())
        if self.available() and self.icon.isVisible():
            self.icon.showMessage(title, body, self.last_alert_icon, 8000)

    @Slot()
    def on_icon_messageClicked(self) -> None:
        if self.alert_thread_id:
            self.threadRequested.emit(self.alert_thread_id)
        else:
            self.openRequested.emit()

    @Slot(QSystemTrayIcon.ActivationReason)
    def on_icon_activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (QSystemTrayIcon.ActivationReason.Trigger,
                      QSystemTrayIcon.ActivationReason.DoubleClick):
            self.openRequested.emit()

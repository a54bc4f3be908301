"""One attachment of a received message: click to open, menu to save, drag out to the desktop.

The file is fetched and decrypted in the background the first time; dragging needs a local
file, so the first drag of a file not yet fetched starts fetching it and says so.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QDrag, QMouseEvent
from PySide6.QtWidgets import QApplication, QFileDialog, QMenu, QToolButton, QWidget

from desktop.display import file_size
from desktop.error_text import describe_error
from desktop.resources import icon

if TYPE_CHECKING:
    from desktop.session import Session
    from sync.cache.rows import AttachmentRow


class AttachmentButton(QToolButton):
    """Signals:
    fetched(str): the local path of the decrypted copy, once it is ready.
    failed(str): why the file could not be fetched.
    """

    fetched = Signal(str)
    failed = Signal(str)

    def __init__(self, session: Session, attachment: AttachmentRow,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.attachment = attachment
        self.local_path: Path | None = None
        self._after_fetch: list = []
        self._press: QPoint | None = None
        self.setIcon(icon("attachment"))
        self.setText(f"{attachment['filename']} ({file_size(attachment['size'])})")
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.setPopupMode(QToolButton.ToolButtonPopupMode.MenuButtonPopup)
        self.setToolTip(self.tr("Click to open; drag to your desktop or a folder to save a copy"))
        menu = QMenu(self)
        menu.addAction(icon("open"), self.tr("Open"), self.open_file)
        menu.addAction(icon("save"), self.tr("Save as…"), self.save_as)
        self.setMenu(menu)
        self.clicked.connect(self.open_file)

    def fetch(self, then=None) -> None:  # noqa: ANN001
        if self.local_path is not None and self.local_path.exists():
            if then:
                then(self.local_path)
            return
        if then:
            self._after_fetch.append(then)
        if len(self._after_fetch) > 1:
            return
        self.setEnabled(False)
        session, attachment = self.session, self.attachment
        session.runner.run(lambda: session.open_attachment(attachment), self._fetched,
                           self._failed)

    def _fetched(self, path: object) -> None:
        self.setEnabled(True)
        self.local_path = Path(str(path))
        self.fetched.emit(str(self.local_path))
        waiting, self._after_fetch = self._after_fetch, []
        for then in waiting:
            then(self.local_path)

    def _failed(self, error: BaseException) -> None:
        self.setEnabled(True)
        self._after_fetch = []
        message = self.tr("Could not fetch %s: %s") % (self.attachment["filename"],
                                                       describe_error(error))
        self.failed.emit(message)
        self.session.notices.error.emit(message)

    def open_file(self) -> None:
        self.fetch(open_in_system)

    def save_as(self) -> None:
        target, _ = QFileDialog.getSaveFileName(
            self, self.tr("Save attachment"), self.attachment["filename"] or "")
        if target:
            self.fetch(lambda path: shutil.copyfile(path, target))

    def drag_mime(self) -> QMimeData | None:
        if self.local_path is None:
            return None
        data = QMimeData()
        data.setUrls([QUrl.fromLocalFile(str(self.local_path))])
        return data

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._press = event.position().toPoint()
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._press is None or not event.buttons() & Qt.MouseButton.LeftButton:
            return super().mouseMoveEvent(event)
        if (event.position().toPoint() - self._press).manhattanLength() < \
                QApplication.startDragDistance():
            return None
        self._press = None
        self.setDown(False)
        mime = self.drag_mime()
        if mime is None:
            self.session.notices.info.emit(
                self.tr("Preparing %s — drag it again in a moment.")
                % self.attachment["filename"])
            self.fetch()
            return None
        drag = QDrag(self)
        drag.setMimeData(mime)
        drag.setPixmap(icon("attachment").pixmap(32, 32))
        drag.exec(Qt.DropAction.CopyAction)
        return None


def open_in_system(path: Path) -> None:
    """Hands a decrypted copy to the program the system uses for its type."""
    QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))

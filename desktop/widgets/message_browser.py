"""A QTextBrowser for message bodies that loads nothing and opens links only after asking.

Bodies come sanitized from the server, but the view holds the line too: ``loadResource``
answers nothing for any URL (no remote images, no local files), Qt never follows a link
itself, and http(s)/mailto links go to the system browser only once the user confirms.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSize, Qt, QUrl, Signal, Slot
from PySide6.QtGui import QColor, QDesktopServices, QTextCharFormat, QTextCursor, QTextDocument
from PySide6.QtWidgets import QFrame, QMessageBox, QSizePolicy, QTextBrowser, QTextEdit, QWidget

OPENABLE_SCHEMES = ("http", "https", "mailto")


class MessageBrowser(QTextBrowser):
    """Shows one sanitized message body and grows to fit it.

    Signals:
        linkRefused(str): a link with a scheme that is never opened was clicked.
        linkOpened(str): a confirmed link was handed to the system browser.
    """

    linkRefused = Signal(str)
    linkOpened = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)
        self.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextBrowserInteraction
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.anchorClicked.connect(self.on_self_anchorClicked)
        self.document().documentLayout().documentSizeChanged.connect(
            lambda _size: self.updateGeometry()
        )
        self.confirm_link = self._ask_before_opening
        self.resources_requested: list[str] = []

    def loadResource(self, kind: int, url: QUrl | str) -> Any:  # noqa: N802 - Qt override
        """Refuse every resource: bodies never load images, styles or files."""
        self.resources_requested.append(url.toString() if isinstance(url, QUrl) else str(url))
        return None

    def set_body(self, html: str) -> None:
        self.setHtml(html)
        self.updateGeometry()

    def sizeHint(self) -> QSize:
        width = max(self.viewport().width(), 200)
        self.document().setTextWidth(width)
        height = int(self.document().size().height()) + 4
        return QSize(width, max(height, 24))

    def minimumSizeHint(self) -> QSize:
        return QSize(100, self.sizeHint().height())

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        document = self.document().clone()
        document.setTextWidth(width)
        return int(document.size().height()) + 4

    def resizeEvent(self, event) -> None:  # noqa: ANN001
        super().resizeEvent(event)
        self.updateGeometry()

    def highlight(self, terms: list[str]) -> int:
        """Mark every occurrence of the terms; returns how many were marked."""
        selections = []
        marked = QTextCharFormat()
        marked.setBackground(QColor("#ffe066"))
        marked.setForeground(QColor("#1f2933"))
        for term in (t for t in terms if t.strip()):
            cursor = QTextCursor(self.document())
            while True:
                cursor = self.document().find(term, cursor, QTextDocument.FindFlag(0))
                if cursor.isNull():
                    break
                selection = QTextEdit.ExtraSelection()
                selection.cursor = cursor
                selection.format = marked
                selections.append(selection)
        self.setExtraSelections(selections)
        return len(selections)

    @Slot(QUrl)
    def on_self_anchorClicked(self, url: QUrl) -> None:
        if url.scheme().lower() not in OPENABLE_SCHEMES:
            self.linkRefused.emit(url.toString())
            return
        if self.confirm_link(url):
            QDesktopServices.openUrl(url)
            self.linkOpened.emit(url.toString())

    def _ask_before_opening(self, url: QUrl) -> bool:
        target = url.toString()
        if url.scheme().lower() == "mailto":
            text = self.tr("Write an email to %s in your email program?") % url.path()
        else:
            text = self.tr("Open this link in your web browser?\n\n%s") % target
        answer = QMessageBox.question(
            self, self.tr("Open link"), text,
            QMessageBox.StandardButton.Open | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        return answer == QMessageBox.StandardButton.Open

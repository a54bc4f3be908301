"""The composer's rich-text body: a QTextEdit that turns dropped or pasted files into attachments
instead of inserting them into the text."""

from __future__ import annotations

import tempfile
import uuid
from pathlib import Path

from PySide6.QtCore import QMimeData, Signal
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QTextEdit, QWidget


def local_files(mime: QMimeData) -> list[Path]:
    if not mime.hasUrls():
        return []
    return [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile()]


class BodyEditor(QTextEdit):
    """Signals:
    filesAdded(list): paths dropped or pasted into the body.
    """

    filesAdded = Signal(list)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAcceptRichText(True)
        self.setTabChangesFocus(True)
        self._paste_dir: Path | None = None

    def canInsertFromMimeData(self, source: QMimeData) -> bool:
        return bool(local_files(source)) or source.hasImage() or super().canInsertFromMimeData(
            source)

    def insertFromMimeData(self, source: QMimeData) -> None:
        files = local_files(source)
        if files:
            self.filesAdded.emit(files)
            return
        if source.hasImage():
            image = QImage(source.imageData())
            if not image.isNull():
                self.filesAdded.emit([self._save_pasted(image)])
            return
        # Pasted rich text keeps only what the toolbar could make; the sanitizer does the rest.
        if source.hasHtml():
            self.insertHtml(source.html())
        else:
            self.insertPlainText(source.text())

    def _save_pasted(self, image: QImage) -> Path:
        if self._paste_dir is None:
            self._paste_dir = Path(tempfile.mkdtemp(prefix="practice-inbox-paste-"))
        path = self._paste_dir / f"pasted-image-{uuid.uuid4().hex[:8]}.png"
        image.save(str(path))  # PNG, from the name's suffix
        return path

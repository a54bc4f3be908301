"""A separate program that stands in for the desktop in the drag-out test: a window that accepts
dropped files and writes what it got (the URLs, and the sha256 of the first local file's bytes
read at drop time) as JSON to the file named on its command line.

    python -m tests.desktop.x_drop_target OUT.json X Y   # on a real X display
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QLabel

SIZE = 300


class DropTarget(QLabel):
    def __init__(self, out: Path) -> None:
        super().__init__("Drop a file here")
        self.out = out
        self.setAcceptDrops(True)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        urls = event.mimeData().urls()
        local = Path(urls[0].toLocalFile()) if urls and urls[0].isLocalFile() else None
        digest = hashlib.sha256(local.read_bytes()).hexdigest() if local else None
        self.out.write_text(json.dumps({"urls": [u.toString() for u in urls],
                                        "sha256": digest}), encoding="utf-8")
        event.acceptProposedAction()


def main() -> int:
    out, x, y = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    app = QApplication([])
    target = DropTarget(out)
    target.setGeometry(x, y, SIZE, SIZE)
    target.show()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())

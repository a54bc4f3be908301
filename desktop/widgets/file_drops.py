"""Taking files dragged in from a file manager: one behaviour for every widget that does."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent

from desktop.widgets.body_editor import local_files


class FileDropTarget:
    """Mixin, listed before the Qt class: the widget accepts local files while
    `takes_files()` is true and hands them to `files_dropped()`; other drags go on to Qt."""

    def takes_files(self) -> bool:
        return True

    def files_dropped(self, paths: list[Path]) -> None:
        raise NotImplementedError

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if local_files(event.mimeData()) and self.takes_files():
            event.acceptProposedAction()
        else:
            super().dragEnterEvent(event)  # type: ignore[misc]

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if local_files(event.mimeData()) and self.takes_files():
            event.acceptProposedAction()
        else:
            super().dragMoveEvent(event)  # type: ignore[misc]

    def dropEvent(self, event: QDropEvent) -> None:
        files = local_files(event.mimeData())
        if files and self.takes_files():
            self.files_dropped(files)
            event.acceptProposedAction()
        else:
            super().dropEvent(event)  # type: ignore[misc]

"""Moving threads between folders, with Undo: every move (Archive, Move to, Trash, the Delete
key, a drop on a folder) goes through here, which notes where each thread was before and
offers, for a few seconds, to put each one back there."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

if TYPE_CHECKING:
    from desktop.session import Session


class ThreadMover(QObject):
    """Signals:
    moved(str, object): what was done, in words, and the undo (a callable) for it; the
    undo is None when nothing can be put back (the threads were not in the cache).
    """

    moved = Signal(str, object)

    def __init__(self, session: Session, folder_name: Any, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.folder_name = folder_name  # folder id -> the name the folder pane shows

    def move(self, ids: list[str], folder: str) -> None:
        """Queue the move of `ids` to `folder`, after reading where they are now."""
        ids = list(dict.fromkeys(ids))
        if not ids:
            return
        cache = self.session.cache
        # Both go to the single writer, in this order: the read sees the folders before
        # the move, whatever else is queued.
        self.session.runner.run(lambda: cache.thread_folders(ids),
                                lambda before: self._offer_undo(ids, folder, before),
                                serial=True)
        self._set_folder(ids, folder)

    def _offer_undo(self, ids: list[str], folder: str, before: dict[str, str]) -> None:
        back: dict[str, list[str]] = defaultdict(list)
        for thread_id in ids:
            previous = before.get(thread_id)
            if previous and previous != folder:
                back[previous].append(thread_id)
        text = self.describe(len(ids), folder)
        if not back:
            self.moved.emit(text, None)
            return

        def undo() -> None:
            for previous, thread_ids in back.items():
                self._set_folder(thread_ids, previous)

        self.moved.emit(text, undo)

    def _set_folder(self, ids: list[str], folder: str) -> None:
        self.session.bridge.command(lambda engine: engine.set_state(ids, folder=folder))

    def describe(self, count: int, folder: str) -> str:
        one = count == 1
        if folder == "trash":
            return self.tr("1 conversation moved to the trash.") if one else \
                self.tr("%n conversations moved to the trash.", "", count)
        if folder == "archive":
            return self.tr("1 conversation archived.") if one else \
                self.tr("%n conversations archived.", "", count)
        text = self.tr("1 conversation moved to %1.") if one else \
            self.tr("%n conversations moved to %1.", "", count)
        return text.replace("%1", self.folder_name(folder))

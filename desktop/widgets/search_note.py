"""The line under the list header while a search runs before the first sync has finished:
"Still downloading older messages: results may be incomplete" (the newest threads came
first, the older history is still on its way, see sync.backfill)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QLabel, QWidget


class IncompleteSearchNote(QLabel):
    """Shown while `model` lists search results and the bridge's last SyncProgress was not
    done."""

    def __init__(self, model: Any, bridge: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.downloading = False
        self.setObjectName("hint")
        self.setWordWrap(True)
        self.setContentsMargins(10, 2, 10, 4)
        self.setText(self.tr("Still downloading older messages: results may be incomplete"))
        model.loaded.connect(self.refresh)
        bridge.syncProgress.connect(self.on_bridge_syncProgress)
        self.refresh()

    @Slot(object)
    def on_bridge_syncProgress(self, progress: Any) -> None:
        self.downloading = not progress.done
        self.refresh()

    @Slot()
    def refresh(self) -> None:
        self.setVisible(self.downloading and self.model.source[0] == "search")

"""The thread list's text while the first sync of an empty cache is still on its way: it says
that the messages are being downloaded (and how many so far), instead of an empty list that
looks like an empty inbox."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, Slot
from PySide6.QtWidgets import QAbstractScrollArea, QLabel


class FirstSyncNotice(QLabel):
    """Laid over `view`'s viewport while `model` is empty and no sync has finished yet."""

    def __init__(self, view: QAbstractScrollArea, model: Any, bridge: Any) -> None:
        super().__init__(view.viewport())
        self.view, self.model = view, model
        self.synced = bridge.last_status is not None and bridge.last_status.last_sync is not None
        self.messages = 0
        self.setObjectName("hint")
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setWordWrap(True)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        view.viewport().installEventFilter(self)
        model.loaded.connect(self.refresh)
        model.modelReset.connect(self.refresh)
        model.rowsInserted.connect(self.refresh)
        bridge.syncProgress.connect(self.on_bridge_syncProgress)
        bridge.syncStatus.connect(self.on_bridge_syncStatus)
        self.refresh()

    @Slot(object)
    def on_bridge_syncProgress(self, progress: Any) -> None:
        self.messages = int(progress.messages or 0)
        self.synced = self.synced or bool(progress.done)
        self.refresh()

    @Slot(object)
    def on_bridge_syncStatus(self, status: Any) -> None:
        self.synced = self.synced or status.last_sync is not None
        self.refresh()

    @Slot()
    def refresh(self) -> None:
        waiting = not self.synced and self.model.total() == 0
        if waiting:
            text = self.tr("Downloading your messages…")
            if self.messages:
                text += "\n" + self.tr("%n messages so far", "", self.messages)
            self.setText(text)
            self.setGeometry(self.view.viewport().rect())
        self.setVisible(waiting)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize:
            self.setGeometry(self.view.viewport().rect())
        return False

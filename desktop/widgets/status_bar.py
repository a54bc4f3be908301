"""The status bar: online/offline/syncing, messages waiting in the outbox, last sync, the
initial sync's progress ("Downloading older messages… 40%" once the newest threads are shown,
a count of messages from a server that sends everything oldest first), lasting notices
(such as an in-memory demo key) and passing ones. While the window is locked passing notices
(which may name a file or a person) are held back and the last one is shown once it is
unlocked."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QLabel, QProgressBar, QStatusBar, QWidget

from desktop.display import clock_time
from desktop.notices import Notices
from desktop.resources import icon

NOTICE_MS = 8000


class InboxStatusBar(QStatusBar):
    def __init__(self, notices: Notices, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state_icon = QLabel()
        self.state_label = QLabel()
        self.outbox_label = QLabel()
        self.last_sync_label = QLabel()
        self.last_sync_label.setObjectName("hint")
        self.lasting_label = QLabel()
        self.lasting_label.setStyleSheet("color: #b7791f;")
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(180)
        self.progress.setRange(0, 0)
        self.progress.setFormat(self.tr("%v messages"))
        self.progress.setVisible(False)
        self.backfill_label = QLabel()
        self.backfill_label.setVisible(False)
        self.addPermanentWidget(self.lasting_label)
        self.addPermanentWidget(self.backfill_label)
        self.addPermanentWidget(self.progress)
        self.addPermanentWidget(self.outbox_label)
        self.addPermanentWidget(self.last_sync_label)
        self.addPermanentWidget(self.state_icon)
        self.addPermanentWidget(self.state_label)
        notices.info.connect(self.on_notices_info)
        notices.error.connect(self.on_notices_error)
        notices.persistent.connect(self.on_notices_persistent)
        for key, text in notices.lasting.items():
            self.on_notices_persistent(key, text)
        self._lasting: dict[str, str] = dict(notices.lasting)
        self._held: tuple[str, int] | None = None
        self.locked = False
        self.show_state("connecting", 0, None, None)

    def show_state(self, state: str, outbox: int, last_sync: Any, detail: str | None) -> None:
        names = {"online": self.tr("Online"), "offline": self.tr("Offline"),
                 "syncing": self.tr("Syncing…"), "connecting": self.tr("Connecting…")}
        shown = {"connecting": "syncing"}.get(state, state)
        self.state_icon.setPixmap(icon(shown if shown in names else "offline").pixmap(16, 16))
        self.state_label.setText(names.get(state, state))
        self.state_label.setToolTip(detail or "")
        self.state_icon.setToolTip(detail or "")
        self.outbox_label.setText(self.tr("%n waiting to send", "", outbox) if outbox else "")
        self.outbox_label.setVisible(bool(outbox))
        self.last_sync_label.setText(
            self.tr("Last sync %s") % clock_time(last_sync) if last_sync else "")

    @Slot(object)
    def on_bridge_syncStatus(self, status: Any) -> None:
        self.show_state(status.state, int(status.outbox or 0), status.last_sync, status.detail)

    @Slot(object)
    def on_bridge_syncProgress(self, progress: Any) -> None:
        fraction = getattr(progress, "fraction", None)
        self.progress.setVisible(not progress.done)
        self.backfill_label.setVisible(not progress.done and fraction is not None)
        if fraction is None:
            self.progress.setRange(0, 0)
            self.progress.setTextVisible(True)
            self.progress.setValue(int(progress.messages or 0))
            self.progress.setToolTip(
                self.tr("First sync: %d messages so far") % progress.messages)
            return
        percent = min(100, max(0, int(fraction * 100)))
        self.backfill_label.setText(self.tr("Downloading older messages… %d%%") % percent)
        self.progress.setRange(0, 100)
        self.progress.setTextVisible(False)
        self.progress.setValue(percent)
        tip = self.tr("The newest conversations are here; older ones are still downloading.")
        self.progress.setToolTip(tip)
        self.backfill_label.setToolTip(tip)

    def set_locked(self, locked: bool) -> None:
        self.locked = locked
        if locked:
            self.clearMessage()
        elif self._held is not None:
            self.showMessage(*self._held)
            self._held = None

    def _notice(self, text: str, ms: int) -> None:
        if self.locked:
            self._held = (text, ms)
        else:
            self.showMessage(text, ms)

    @Slot(str)
    def on_notices_info(self, text: str) -> None:
        self._notice(text, NOTICE_MS)

    @Slot(str)
    def on_notices_error(self, text: str) -> None:
        self._notice("⚠ " + text, NOTICE_MS * 2)

    @Slot(str, str)
    def on_notices_persistent(self, key: str, text: str) -> None:
        lasting = getattr(self, "_lasting", {})
        if text:
            lasting[key] = text
        else:
            lasting.pop(key, None)
        self._lasting = lasting
        self.lasting_label.setText("  ·  ".join(lasting.values()))
        self.lasting_label.setVisible(bool(lasting))

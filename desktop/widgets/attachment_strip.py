"""The composer's attachments: one row per file with its size, upload progress, or the reason
it was refused. Each file is checked against the server's limits first; an accepted file is
kept encrypted and queued for upload (so attaching works offline), and the engine's progress
reports move its bar."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop.display import file_size
from desktop.resources import icon
from desktop.tasks import TaskRunner


@dataclass
class PendingAttachment:
    local_id: str
    path: Path
    state: str = "checking"  # checking | refused | attaching | ready | failed
    reason: str = ""
    done: int = 0
    total: int = 0
    attachment: dict[str, Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)


class AttachmentRow(QWidget):
    removeRequested = Signal(str)

    def __init__(self, item: PendingAttachment, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.item = item
        layout = QHBoxLayout(self)
        layout.setContentsMargins(2, 0, 2, 0)
        badge = QLabel()
        badge.setPixmap(icon("attachment").pixmap(16, 16))
        layout.addWidget(badge)
        self.name = QLabel(item.path.name)
        layout.addWidget(self.name)
        self.status = QLabel()
        self.status.setObjectName("hint")
        self.status.setWordWrap(True)
        layout.addWidget(self.status, 1)
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(140)
        self.progress.setTextVisible(False)
        layout.addWidget(self.progress)
        remove = QToolButton()
        remove.setIcon(icon("close"))
        remove.setAutoRaise(True)
        remove.setToolTip(self.tr("Remove this attachment"))
        remove.clicked.connect(lambda: self.removeRequested.emit(item.local_id))
        layout.addWidget(remove)
        self.refresh()

    def refresh(self) -> None:
        item = self.item
        uploading = item.state == "ready" and 0 < item.done < item.total
        self.progress.setVisible(uploading)
        if uploading:
            self.progress.setRange(0, 1000)
            self.progress.setValue(int(1000 * item.done / max(item.total, 1)))
        self.status.setObjectName("refused" if item.state in ("refused", "failed") else "hint")
        self.status.setStyleSheet(
            "color: #c53030;" if item.state in ("refused", "failed") else ""
        )
        known_size = item.total or _size_of(item.path)
        size = file_size(known_size) if known_size else ""  # a draft's file of unknown size
        if item.state == "ready" and item.total and item.done >= item.total:
            ready = self.tr("%s, uploaded") % size
        elif item.state == "ready" and item.done:
            ready = self.tr("%s, uploading %d%%") % (size, 100 * item.done // item.total)
        else:
            ready = size
        text = {
            "checking": self.tr("Checking…"),
            "attaching": self.tr("Attaching… %s") % size,
            "ready": ready,
            "refused": self.tr("Not attached: %s") % item.reason,
            "failed": self.tr("Upload failed: %s") % item.reason,
        }[item.state]
        self.status.setText(text)


class AttachmentStrip(QWidget):
    """Signals:
    changed(): an attachment was added, finished, refused or removed.
    """

    changed = Signal()

    def __init__(
        self,
        runner: TaskRunner,
        check: Callable[[Path], str | None],
        attach: Callable[[Path], dict],
        parent: QWidget | None = None,
        discard: Callable[[str], None] | None = None,
    ) -> None:
        """`discard(attachment_id)` is called for an uploaded (or queued) attachment taken
        off, so the server does not keep a file nobody will send."""
        super().__init__(parent)
        self._runner = runner
        self._check = check
        self._attach = attach
        self._discard = discard
        self._taken_off: set[str] = set()  # removed while still being attached
        self._items: dict[str, PendingAttachment] = {}
        self._rows: dict[str, AttachmentRow] = {}
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(2)
        self.setVisible(False)

    def items(self) -> list[PendingAttachment]:
        return list(self._items.values())

    def attachment_ids(self) -> list[str]:
        return [i.attachment["id"] for i in self._items.values()
                if i.state == "ready" and i.attachment]

    def busy(self) -> bool:
        return any(i.state in ("checking", "attaching") for i in self._items.values())

    def blocked(self) -> list[PendingAttachment]:
        return [i for i in self._items.values() if i.state in ("refused", "failed")]

    def add_ready(self, attachment: dict) -> None:
        """An attachment already uploaded or queued (from a draft); one whose file name is not
        known shows as "Attached file"."""
        name = attachment.get("filename") or self.tr("Attached file")
        item = PendingAttachment(str(uuid.uuid4()), Path(name), state="ready",
                                 attachment=attachment, total=int(attachment.get("size") or 0))
        self._add_row(item)

    def add_files(self, paths: list[Path]) -> None:
        for path in paths:
            item = PendingAttachment(str(uuid.uuid4()), Path(path))
            self._add_row(item)
            self._start(item)

    def _add_row(self, item: PendingAttachment) -> None:
        self._items[item.local_id] = item
        row = AttachmentRow(item, self)
        row.removeRequested.connect(self.remove)
        self._rows[item.local_id] = row
        self._layout.addWidget(row)
        self.setVisible(True)
        self.changed.emit()

    def _start(self, item: PendingAttachment) -> None:
        reason = self._check(item.path)
        if reason:
            item.state, item.reason = "refused", reason
            self._refresh(item.local_id)
            return
        item.state, item.total = "attaching", _size_of(item.path)
        self._refresh(item.local_id)
        local_id, path = item.local_id, item.path
        self._runner.run(lambda: self._attach(path),
                         lambda result: self._attached(local_id, result),
                         lambda error: self._failed(local_id, error))

    def _attached(self, local_id: str, attachment: dict) -> None:
        item = self._items.get(local_id)
        if item is None:
            if local_id in self._taken_off and self._discard is not None:
                self._taken_off.discard(local_id)
                self._discard(str(attachment["id"]))
            return
        item.state, item.attachment = "ready", attachment
        item.total = int(attachment.get("size") or item.total)
        self._refresh(local_id)

    def _failed(self, local_id: str, error: BaseException) -> None:
        item = self._items.get(local_id)
        if item is None:
            return
        code = getattr(error, "code", "") or ""
        refused = type(error).__name__ == "AttachmentRefused" or code.startswith("attachment_")
        item.state = "refused" if refused else "failed"
        item.reason = getattr(error, "detail", None) or getattr(error, "reason", None) or str(error)
        self._refresh(local_id)

    def attachments(self) -> list[dict]:
        return [dict(i.attachment) for i in self._items.values()
                if i.state == "ready" and i.attachment]

    @Slot(str, object, object)
    def on_bridge_uploadProgress(self, attachment_id: str, done: int, total: int) -> None:
        for item in self._items.values():
            if item.attachment and item.attachment.get("id") == attachment_id:
                item.done, item.total = int(done), int(total) or item.total
                self._rows[item.local_id].refresh()

    @Slot(str)
    def remove(self, local_id: str) -> None:
        """The person took this attachment off: its upload is discarded too."""
        item = self._items.get(local_id)
        if item is not None and item.state == "attaching":
            self._taken_off.add(local_id)
        elif (item is not None and item.state == "ready" and item.attachment
                and self._discard is not None):
            self._discard(str(item.attachment["id"]))
        self._drop(local_id)

    def clear(self) -> None:
        """Empties the strip for other content (a sent reply, another thread's draft); the
        uploads stay, as the message or draft that holds them still needs them."""
        for local_id in list(self._items):
            self._drop(local_id)

    def _drop(self, local_id: str) -> None:
        self._items.pop(local_id, None)
        row = self._rows.pop(local_id, None)
        if row is not None:
            self._layout.removeWidget(row)
            row.deleteLater()
        self.setVisible(bool(self._items))
        self.changed.emit()

    def _refresh(self, local_id: str) -> None:
        self._rows[local_id].refresh()
        self.changed.emit()

    def row(self, local_id: str) -> AttachmentRow:
        return self._rows[local_id]


def _size_of(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0



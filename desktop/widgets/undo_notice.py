"""The status bar's "… moved. Undo" notice: shown for a few seconds after threads were moved,
its button (or Ctrl+Z) puts them back where each one was."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import QHBoxLayout, QLabel, QToolButton, QWidget

UNDO_MS = 8000


class UndoNotice(QWidget):
    """Signals:
    undone(): the last move was undone.
    """

    undone = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("undoNotice")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 8, 0)
        self.label = QLabel()
        layout.addWidget(self.label)
        self.button = QToolButton()
        self.button.setObjectName("undoButton")
        self.button.setText(self.tr("Undo"))
        self.button.setToolTip(self.tr("Put the conversations back where they were (Ctrl+Z)"))
        self.button.setAutoRaise(True)
        self.button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.button.clicked.connect(self.undo)
        layout.addWidget(self.button)
        layout.addStretch(1)
        self._undo: Callable[[], None] | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(UNDO_MS)
        self._timer.timeout.connect(self.dismiss)
        self.hide()

    @property
    def offered(self) -> bool:
        return self._undo is not None

    @Slot(str, object)
    def offer(self, text: str, undo: Callable[[], None] | None) -> None:
        """Show `text`, with Undo when `undo` is given, for a few seconds."""
        self.label.setText(text)
        self._undo = undo
        self.button.setVisible(undo is not None)
        self.show()
        self._timer.start()

    @Slot()
    def undo(self) -> None:
        undo, self._undo = self._undo, None
        if undo is None:
            return
        undo()
        self.dismiss()
        self.undone.emit()

    @Slot()
    def dismiss(self) -> None:
        self._timer.stop()
        self._undo = None
        self.hide()

"""One bridge for notices and errors meant for the user; the status bar and dialogs listen to it."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal


class Notices(QObject):
    """Signals:
    info(str): a short notice shown in the status bar for a while.
    error(str): something the user should read (a refused command, a failed upload).
    persistent(str, str): a lasting notice keyed by its first argument; empty text clears it.
    """

    info = Signal(str)
    error = Signal(str)
    persistent = Signal(str, str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.history: list[tuple[str, str]] = []
        self.lasting: dict[str, str] = {}
        self.info.connect(lambda text: self.history.append(("info", text)))
        self.error.connect(lambda text: self.history.append(("error", text)))
        self.persistent.connect(self._remember)

    def _remember(self, key: str, text: str) -> None:
        if text:
            self.lasting[key] = text
        else:
            self.lasting.pop(key, None)

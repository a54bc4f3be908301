"""Answers the next modal dialog the way a person would: by clicking one of its buttons."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QAbstractButton, QApplication, QDialog


class DialogAnswer:
    """Clicks the button whose text contains `button_text` on the next modal dialog.

    After it ran, `text` holds the dialog's texts (title, text, informative text) so tests
    can check what the user was told.
    """

    pending: list[DialogAnswer] = []  # kept alive until answered, even if the caller drops it

    def __init__(self, button_text: str, before=None) -> None:  # noqa: ANN001
        self.button_text = button_text.replace("&", "").lower()
        self.before = before
        self.text = ""
        self.answered = False
        self._timer = QTimer()
        self._timer.setInterval(20)
        self._timer.timeout.connect(self._poll)
        self._timer.start()
        DialogAnswer.pending.append(self)

    def _poll(self) -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, QDialog):
            return
        self._timer.stop()
        DialogAnswer.pending.remove(self)
        texts = [dialog.windowTitle()]
        for name in ("text", "informativeText"):
            getter = getattr(dialog, name, None)
            if callable(getter):
                texts.append(getter())
        self.text = "\n".join(texts)
        if self.before is not None:
            self.before(dialog)
        for button in dialog.findChildren(QAbstractButton):
            if self.button_text in button.text().replace("&", "").lower():
                self.answered = True
                button.click()
                return
        dialog.reject()

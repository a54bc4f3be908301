"""Quick note: the conversation as plain text, editable, saved to the client's chart."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from desktop.display import long_time
from sync.cache.rows import ConversationThread, MessageRow


def conversation_as_text(thread: ConversationThread, messages: list[MessageRow]) -> str:
    lines = [thread["subject"], ""]
    for message in messages:
        sender = message["sender"]["name"]
        lines.append(f"{sender} — {long_time(message['sent_at'])}")
        lines.append((message["body_text"] or "").strip())
        lines.append("")
    return "\n".join(lines).strip() + "\n"


class QuickNoteDialog(QDialog):
    def __init__(self, thread: ConversationThread, messages: list[MessageRow], client_name: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Quick note for %s") % client_name)
        self.resize(620, 480)
        layout = QVBoxLayout(self)
        explain = QLabel(self.tr(
            "This note is added to %s's chart. Edit it as you need before saving.") % client_name)
        explain.setWordWrap(True)
        layout.addWidget(explain)
        self.editor = QPlainTextEdit(conversation_as_text(thread, messages))
        layout.addWidget(self.editor, 1)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.editor.textChanged.connect(self.on_editor_textChanged)

    def note(self) -> str:
        return self.editor.toPlainText().strip()

    def on_editor_textChanged(self) -> None:
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setEnabled(bool(self.note()))

"""One message of a conversation: sender, role badge, time, receipts, body, attachments."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QToolButton, QVBoxLayout, QWidget

from desktop.display import clock_time, long_time
from desktop.resources import icon
from desktop.widgets.attachment_button import AttachmentButton
from desktop.widgets.message_browser import MessageBrowser
from desktop.widgets.role_badge import RoleBadge
from desktop.widgets.wrap_row import WrapRow

if TYPE_CHECKING:
    from desktop.session import Session
    from sync.cache.rows import MessageRow, Person


def is_pending(message: MessageRow) -> bool:
    """A message the outbox still holds (sent offline, or waiting for the server's answer)."""
    return message["pending"]


def receipts_text(message: MessageRow, people: dict[str, Person],
                  tr=lambda s: s) -> str:  # noqa: ANN001
    """'Read by Alex, 10:42 · Not read yet by Casey' for the clients among the recipients."""
    parts: list[str] = []
    for receipt in message.get("receipts") or []:
        person = people.get(receipt["person_id"])
        if person is None or person["kind"] != "client":
            continue
        name = person["name"].split(" ")[0] or tr("client")
        read_at = receipt["read_at"]
        if read_at:
            parts.append(tr("Read by %s, %s") % (name, clock_time(read_at)))
        else:
            parts.append(tr("Not read yet by %s") % name)
    return " · ".join(parts)


class MessageCard(QFrame):
    """Signals:
    deleteRequested(str): the message id, for a permanent delete.
    """

    deleteRequested = Signal(str)

    def __init__(self, session: Session, message: MessageRow, people: dict[str, Person],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("messageCard")
        self.message = message
        sender = message["sender"]
        mine = message["sender_id"] == session.user.get("id")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        header = WrapRow()  # wraps rather than widening the reading pane
        self.sender_label = QLabel(f"<b>{_escape(sender['name'] or self.tr('Unknown'))}</b>")
        header.addWidget(self.sender_label)
        self.badge = RoleBadge(sender)
        header.addWidget(self.badge)
        self.pending_label = QLabel(self.tr("Waiting to send"))
        self.pending_label.setStyleSheet("color: #b7791f; font-weight: 600;")
        self.pending_label.setVisible(is_pending(message))
        header.addWidget(self.pending_label)
        self.time_label = QLabel(long_time(message["sent_at"]))
        self.time_label.setObjectName("hint")
        header.add_right(self.time_label)
        self.delete_button = QToolButton()
        self.delete_button.setIcon(icon("delete-forever"))
        self.delete_button.setAutoRaise(True)
        self.delete_button.setToolTip(self.tr("Delete this message for everyone"))
        self.delete_button.setVisible(message["can_delete"] and not is_pending(message))
        self.delete_button.clicked.connect(lambda: self.deleteRequested.emit(message["id"]))
        header.add_right(self.delete_button)
        layout.addLayout(header)

        self.body = MessageBrowser()
        self.body.set_body(message["body_html"] or _escape(message["body_text"] or ""))
        layout.addWidget(self.body)

        attachments = message["attachments"]
        self.attachment_buttons: list[AttachmentButton] = []
        if attachments:
            row = QHBoxLayout()
            for attachment in attachments:
                button = AttachmentButton(session, attachment)
                self.attachment_buttons.append(button)
                row.addWidget(button)
            row.addStretch(1)
            layout.addLayout(row)

        self.receipts = QLabel(receipts_text(message, people, self.tr) if mine else "")
        self.receipts.setObjectName("hint")
        self.receipts.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.receipts.setWordWrap(True)
        self.receipts.setVisible(bool(self.receipts.text()))
        layout.addWidget(self.receipts)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

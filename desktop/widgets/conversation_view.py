"""The conversation pane: every message of the selected thread, and what can be done with it.

Buttons follow the server's flags: Reply is disabled with the server's reason when the thread
cannot be answered (with a shortcut to a new message), and so is the reply box under the last
message; delete and quick note show only where allowed; a client's badge carries the
active/inactive switch when the session's `can_change_status` capability allows it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from desktop.dialogs.confirm import confirm_change, confirm_irreversible
from desktop.dialogs.quick_note import QuickNoteDialog
from desktop.models.conversation_model import ConversationModel
from desktop.models.roles import RECORD_ROLE
from desktop.resources import icon
from desktop.widgets.inline_reply import InlineReply
from desktop.widgets.message_card import MessageCard
from desktop.widgets.role_badge import RoleBadge
from desktop.widgets.wrap_row import WrapRow

if TYPE_CHECKING:
    from desktop.session import Session
    from sync.cache.rows import ConversationThread, MessageRow, Person


class ConversationView(QWidget):
    """Signals:
    replyRequested(dict): the thread to answer.
    composeRequested(dict): a prefilled new message (keys "subject", "to").
    """

    replyRequested = Signal(dict)
    composeRequested = Signal(dict)

    def __init__(self, session: Session, model: ConversationModel,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.model = model
        self.highlight_terms: list[str] = []
        self.cards: list[MessageCard] = []
        self.client_rows: list[QWidget] = []
        self._shown_signature: str | None = None

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.header = QWidget()
        header = QVBoxLayout(self.header)
        header.setContentsMargins(16, 12, 16, 6)
        self.subject = QLabel()
        self.subject.setObjectName("conversationSubject")
        self.subject.setWordWrap(True)
        self.subject.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        header.addWidget(self.subject)
        self.participants = QLabel()
        self.participants.setObjectName("hint")
        self.participants.setWordWrap(True)
        header.addWidget(self.participants)
        actions = WrapRow()
        self.reply_button = QPushButton(icon("reply"), self.tr("Reply"))
        self.reply_button.setShortcut("Ctrl+R")
        self.reply_button.clicked.connect(self.on_reply_button_clicked)
        actions.add_right(self.reply_button)
        self.note_button = QPushButton(icon("note"), self.tr("Quick note"))
        self.note_button.setToolTip(self.tr("Save this conversation to the client's chart"))
        self.note_button.clicked.connect(self.on_note_button_clicked)
        actions.add_right(self.note_button)
        self.delete_button = QPushButton(icon("delete-forever"), self.tr("Delete for everyone"))
        self.delete_button.clicked.connect(self.on_delete_button_clicked)
        actions.add_right(self.delete_button)
        header.addLayout(actions)

        self.reply_blocked = QFrame()
        self.reply_blocked.setObjectName("replyBlocked")
        blocked = QHBoxLayout(self.reply_blocked)
        self.reply_blocked_reason = QLabel()
        self.reply_blocked_reason.setWordWrap(True)
        blocked.addWidget(self.reply_blocked_reason, 1)
        self.new_message_button = QPushButton(icon("compose"), self.tr("New message"))
        self.new_message_button.clicked.connect(self.on_new_message_button_clicked)
        blocked.addWidget(self.new_message_button)
        header.addWidget(self.reply_blocked)
        self.clients_box = QVBoxLayout()
        header.addLayout(self.clients_box)
        layout.addWidget(self.header)

        self.scroll_area = QScrollArea()
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.messages_host = QWidget()
        self.messages_layout = QVBoxLayout(self.messages_host)
        self.messages_layout.setContentsMargins(16, 6, 16, 16)
        self.messages_layout.setSpacing(10)
        self.scroll_area.setWidget(self.messages_host)
        self.inline_reply = InlineReply(session, self.messages_host)
        self.inline_reply.hide()
        layout.addWidget(self.scroll_area, 1)

        self.empty = QLabel(self.tr("Select a conversation to read it."))
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setObjectName("hint")
        layout.addWidget(self.empty, 1)
        model.loaded.connect(self.on_model_loaded)
        session.bridge.capabilitiesChanged.connect(self.on_bridge_capabilitiesChanged)
        self.on_model_loaded("")

    # building ----------------------------------------------------------------------------------
    @Slot(str)
    def on_model_loaded(self, thread_id: str) -> None:
        thread = self.model.thread_row
        showing = bool(thread_id) and thread is not None
        self.header.setVisible(showing)
        self.scroll_area.setVisible(showing)
        self.empty.setVisible(not showing)
        self.inline_reply.show_thread(thread if showing else None)
        people: dict[str, Person] = dict(self.session.people_by_id()) if showing else {}
        signature = repr((thread, self.model.messages(), sorted(
            (p["id"], p.get("status")) for p in people.values()),
            self._may_change_status())) if showing else None
        if signature == self._shown_signature:
            return  # nothing the user can see changed: keep the widgets (and what they do)
        self._shown_signature = signature
        self._clear()
        if not showing:
            return
        assert thread is not None  # showing
        for person in thread["participants"]:
            people.setdefault(person["id"], person)
        self.subject.setText(thread["subject"])
        others = [p["name"] for p in thread["participants"]]
        self.participants.setText(self.tr("Between %s") % ", ".join(others))

        can_reply = thread["can_reply"]
        reason = thread["reply_blocked_reason"] or ""
        self.reply_button.setEnabled(can_reply)
        self.reply_button.setToolTip(self.tr("Reply to everyone in this conversation")
                                     if can_reply else reason)
        self.reply_blocked.setVisible(not can_reply)
        self.reply_blocked_reason.setText(reason)
        self.note_button.setVisible(thread["can_quick_note"])
        self.delete_button.setVisible(thread["can_delete"])
        self._build_client_rows(thread, people)

        for row in range(self.model.rowCount()):
            message: MessageRow = self.model.index(row, 0).data(RECORD_ROLE)
            card = MessageCard(self.session, message, people)
            card.deleteRequested.connect(self.on_card_deleteRequested)
            self.cards.append(card)
            self.messages_layout.addWidget(card)
        self.messages_layout.addWidget(self.inline_reply)
        self.inline_reply.show()
        self.messages_layout.addStretch(1)
        self.apply_highlight()

    @Slot()
    def on_bridge_capabilitiesChanged(self) -> None:
        """The client rows follow the server's word on who may switch a client's status."""
        if self.model.thread_row is not None:
            self.on_model_loaded(self.model.thread_row["id"])

    def _may_change_status(self) -> bool:
        return bool(self.session.capabilities().get("can_change_status"))

    def _clear(self) -> None:
        for widget in self.cards + self.client_rows:
            widget.setParent(None)
            widget.deleteLater()
        self.cards, self.client_rows = [], []
        while self.messages_layout.count():
            self.messages_layout.takeAt(0)

    def _build_client_rows(self, thread: ConversationThread, people: dict[str, Person]) -> None:
        may_change = self._may_change_status()
        for participant in thread["participants"]:
            person = people.get(participant["id"], participant)
            if person["kind"] != "client":
                continue
            row = QWidget()
            line = QHBoxLayout(row)
            line.setContentsMargins(0, 0, 0, 0)
            line.addWidget(QLabel(person["name"]))
            badge = RoleBadge(person)
            badge.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
            line.addWidget(badge)
            inactive = person.get("status") == "inactive"
            explain = QLabel(self.tr(
                "Inactive: can read messages but can write only to the front office and billing."
            ) if inactive else "")
            explain.setObjectName("hint")
            explain.setWordWrap(True)
            line.addWidget(explain, 1)
            if may_change:
                toggle = QPushButton(self.tr("Set active") if inactive
                                     else self.tr("Set inactive"))
                toggle.setObjectName("clientStatusToggle")
                toggle.clicked.connect(
                    lambda _=False, p=person: self.toggle_client_status(p))
                line.addWidget(toggle)
            self.clients_box.addWidget(row)
            self.client_rows.append(row)

    def apply_highlight(self) -> int:
        return sum(card.body.highlight(self.highlight_terms) for card in self.cards)

    def set_highlight(self, text: str) -> None:
        self.highlight_terms = [t.strip('"*') for t in text.split() if t.strip('"*')]
        self.apply_highlight()

    # actions -----------------------------------------------------------------------------------
    @Slot()
    def on_reply_button_clicked(self) -> None:
        if self.model.thread_row and self.model.thread_row["can_reply"]:
            self.replyRequested.emit(self.model.thread_row)

    @Slot()
    def on_new_message_button_clicked(self) -> None:
        thread = self.model.thread_row
        subject = thread["subject"] if thread else ""
        self.composeRequested.emit({"subject": subject if subject.lower().startswith("re:")
                                    else f"Re: {subject}"})

    @Slot()
    def on_delete_button_clicked(self) -> None:
        thread = self.model.thread_row
        if not thread or not thread["can_delete"]:
            return
        if confirm_irreversible(
            self, self.tr("Delete conversation"),
            self.tr("Delete \"%s\" for everyone in it, with all its messages and attachments?")
            % thread["subject"], self.tr("Delete for everyone"),
        ):
            thread_id = thread["id"]
            self.session.bridge.command(lambda engine: engine.delete_thread(thread_id))

    @Slot(str)
    def on_card_deleteRequested(self, message_id: str) -> None:
        if confirm_irreversible(
            self, self.tr("Delete message"),
            self.tr("Delete this message for everyone in the conversation?"),
            self.tr("Delete for everyone"),
        ):
            self.session.bridge.command(lambda engine: engine.delete_message(message_id))

    @Slot()
    def on_note_button_clicked(self) -> None:
        thread = self.model.thread_row
        if not thread or not thread["can_quick_note"]:
            return
        client = next((p for p in thread["participants"] if p["kind"] == "client"), None)
        client_name = client["name"] if client else ""
        dialog = QuickNoteDialog(thread, self.model.messages(), client_name, self)
        dialog.setObjectName("quickNoteDialog")
        if dialog.exec() and dialog.note():
            thread_id, note = thread["id"], dialog.note()
            self.session.bridge.command(
                lambda engine: engine.quick_note(thread_id, note),
                on_done=lambda _r: self.session.notices.info.emit(
                    self.tr("Note saved to %s's chart.") % client_name))

    def toggle_client_status(self, person: Person) -> None:
        to_inactive = person.get("status") != "inactive"
        name = person["name"]
        if to_inactive:
            consequence = self.tr(
                "%s will still receive messages, but will be able to write only to the front "
                "office and billing, and cannot answer their therapists.") % name
        else:
            consequence = self.tr("%s will be able to write to their therapists again.") % name
        if confirm_change(
            self, self.tr("Client status"),
            (self.tr("Mark %s as an inactive client?") if to_inactive
             else self.tr("Mark %s as an active client?")) % name,
            consequence,
            self.tr("Set inactive") if to_inactive else self.tr("Set active"),
        ):
            client_id, status = person["id"], "inactive" if to_inactive else "active"
            self.session.bridge.command(
                lambda engine: engine.set_client_status(client_id, status))

"""The reply box under a conversation's last message.

Rich text with the composer's formatting toolbar and shortcuts, attachments by button and by
drop, the minimum length shown as the user types, Send (offline too: the reply waits in the
outbox) and "Open in composer", which carries everything over. It follows the thread's
``can_reply`` flag like the Reply button. What is typed is a draft of the thread: saved after
a pause in typing and when another thread is opened, restored when the thread is opened again,
deleted with the reply's sending (or when the box is emptied).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFrame,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.error_text import describe_error
from desktop.resources import icon
from desktop.widgets.body_checks import show_problems
from desktop.widgets.body_editor import BodyEditor
from desktop.widgets.draft_controller import Draft, DraftController, DraftEditor
from desktop.widgets.format_toolbar import FormatToolBar
from desktop.widgets.wrap_row import WrapRow

if TYPE_CHECKING:
    from desktop.session import Session
    from sync.cache.rows import ConversationThread, DraftRow
    from sync.engine import SyncEngine


class InlineReply(DraftEditor, QFrame):
    """Signals:
    sent(str): the local id the engine gave the queued reply.
    composerRequested(dict, dict): the thread and the draft to go on with in the composer.
    """

    sent = Signal(str)
    composerRequested = Signal(dict, dict)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.thread_row: ConversationThread | None = None
        self._loading = False
        # A refusal of the reply being queued that came before word that it was queued.
        self._refused_early: tuple[str, str] | None = None
        # Why the text in the box was not sent: shown until the text is changed; the short
        # form once the box itself says what keeps the text from being sent.
        self._refusal = ""
        self._refusal_short = ""
        # Ids of drafts an open composer is editing; set by the main window.
        self.drafts_in_composers: Callable[[], set[str]] = set
        self.setObjectName("inlineReply")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAcceptDrops(True)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        self.title = QLabel(self.tr("Reply to everyone"))
        self.title.setObjectName("inlineReplyTitle")
        title_font = self.title.font()
        title_font.setBold(True)
        self.title.setFont(title_font)
        layout.addWidget(self.title)
        self.blocked_reason = QLabel()
        self.blocked_reason.setObjectName("hint")
        self.blocked_reason.setWordWrap(True)
        layout.addWidget(self.blocked_reason)
        # What a blocked thread does not need: hidden then, leaving the reason and Send.
        self.editing = QWidget()
        editing = QVBoxLayout(self.editing)
        editing.setContentsMargins(0, 0, 0, 0)
        self.body = BodyEditor()
        self.body.setMinimumHeight(110)
        self.body.setPlaceholderText(self.tr("Write a reply…"))
        self.format_bar = FormatToolBar(self.body, self)
        self._scope_shortcuts()
        editing.addWidget(self.format_bar)
        editing.addWidget(self.body)
        self.drafts = DraftController(session, self.body, self._content, self.is_empty, self,
                                      delete_when_emptied=True)
        self.attachments, self.hint = self.drafts.attachments, self.drafts.hint
        editing.addWidget(self.attachments)
        editing.addWidget(self.hint)
        layout.addWidget(self.editing)

        self.saved_label = self.drafts.saved_label  # a line of its own: never widens the pane
        layout.addWidget(self.saved_label)
        buttons = WrapRow()
        self.attach_button = QPushButton(icon("attachment"), self.tr("Attach files…"))
        self.attach_button.clicked.connect(self.on_attach_button_clicked)
        buttons.addWidget(self.attach_button)
        self.composer_button = QPushButton(icon("compose"), self.tr("Open in composer"))
        self.composer_button.setToolTip(self.tr("Go on writing this reply in its own window"))
        self.composer_button.clicked.connect(self.on_composer_button_clicked)
        buttons.add_right(self.composer_button)
        self.send_button = QPushButton(icon("send"), self.tr("Send"))
        self.send_button.setToolTip(self.tr("Send (Ctrl+Enter)"))
        self.send_button.clicked.connect(self.send)
        buttons.add_right(self.send_button)
        layout.addLayout(buttons)
        send_shortcut = QShortcut(QKeySequence("Ctrl+Return"), self)
        send_shortcut.activated.connect(self.send)
        send_shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)

        self.body.textChanged.connect(self.on_content_changed)
        self.attachments.changed.connect(self.on_content_changed)
        self.body.filesAdded.connect(self.add_files)
        session.bridge.limitsChanged.connect(self.validate)
        session.bridge.replyRefused.connect(self.on_bridge_replyRefused)
        self._apply_flags()

    def _scope_shortcuts(self) -> None:
        """The formatting shortcuts act while the focus is in this box only: elsewhere in the
        main window Ctrl+B and the others belong to nothing (or to an open composer)."""
        for action in self.format_bar.actions():
            if not action.shortcut().isEmpty():
                action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
                self.addAction(action)

    @property
    def draft_id(self) -> str:
        return self.drafts.draft_id

    # which thread ------------------------------------------------------------------------------
    def show_thread(self, thread: ConversationThread | None) -> None:
        """Answer `thread` (None: none). Opening another thread saves what was typed for this
        one and brings back what had been typed for the new one."""
        same = thread is not None and self.thread_row is not None and \
            thread["id"] == self.thread_row["id"]
        if not same:
            self.flush()
            self._start_over()
        self.thread_row = thread
        self._apply_flags()
        if thread is not None and not same:
            thread_id, cache = thread["id"], self.session.cache
            # Serial: read after the save that flush() just queued, never before it.
            self.session.runner.run(cache.drafts,
                                    lambda drafts: self._restore(thread_id, drafts), serial=True)

    def can_reply(self) -> bool:
        return bool(self.thread_row and self.thread_row["can_reply"])

    def _apply_flags(self) -> None:
        allowed = self.can_reply()
        reason = "" if allowed else self._blocked_reason()
        for widget in (self.editing, self.attach_button, self.composer_button):
            widget.setEnabled(allowed)
        self.editing.setVisible(allowed)
        self.attach_button.setVisible(allowed)
        self.composer_button.setVisible(allowed)
        self.blocked_reason.setText(reason)
        self.blocked_reason.setVisible(not allowed)
        self.title.setText(self._title())
        self.validate()

    def _blocked_reason(self) -> str:
        return (self.thread_row["reply_blocked_reason"] if self.thread_row else None) or ""

    def _title(self) -> str:
        """Whom the reply goes to: the other person by name, or everyone in a group."""
        me = self.session.user.get("id")
        participants = self.thread_row["participants"] if self.thread_row else []
        others = [p for p in participants if p["id"] != me]
        if len(others) == 1:
            return self.tr("Reply to %s") % (others[0]["name"] or "?")
        return self.tr("Reply to everyone")

    def _start_over(self) -> None:
        self._loading = True
        self.body.clear()
        self.attachments.clear()
        self._loading = False
        self.drafts.start_new()
        self._refused_early = None
        self._refusal = ""

    def _restore(self, thread_id: str, drafts: list[DraftRow], prefer: str = "") -> None:
        if not self.thread_row or self.thread_row["id"] != thread_id or not self.is_empty():
            return  # another thread by now, or typing has begun: keep what is there
        held = self.drafts_in_composers()
        mine = [d for d in drafts if d["thread_id"] == thread_id and d["id"] not in held]
        draft = next((d for d in mine if d["id"] == prefer), None) or next(iter(mine), None)
        if draft is None:
            return
        self._loading = True
        self.drafts.load_body(draft)
        self._loading = False
        self.drafts.start_new(draft["id"], exists=True)
        self.validate()

    # content -----------------------------------------------------------------------------------
    def body_html(self) -> str:
        return self.drafts.body_html()

    def is_empty(self) -> bool:
        return not self.body.toPlainText().strip() and not self.attachments.items()

    def problems(self) -> list[str]:
        if not self.can_reply():
            return [self._blocked_reason()]
        return self.drafts.body_problems()

    @Slot()
    def validate(self, tell: bool = False) -> bool:
        """Send follows the problems as the user types; the hint shows them once something is
        typed (or `tell`: Send was asked for), the button's tooltip always."""
        problems = self.problems()
        shown = self.can_reply() and (tell or not self.is_empty())
        show_problems(problems, self.send_button, self.hint, sending=self.drafts.sending,
                      hint_shown=shown)
        if self._refusal and shown:
            # (a minimum the box had not known, a thread now closed to replies: the server's
            # reason and the box's own would say the same twice)
            said = self._refusal_short if problems else self._refusal
            self.hint.setText("  ".join([said, *problems]))
            self.hint.setVisible(True)
        return not problems

    @Slot()
    def on_content_changed(self) -> None:
        if self._loading:
            return
        self._refusal = ""  # the text it was about has changed
        self.validate()
        self.drafts.changed()

    def takes_files(self) -> bool:
        return self.can_reply()

    # drafts ------------------------------------------------------------------------------------
    def draft(self) -> Draft:
        return self.drafts.draft()

    def _content(self) -> Draft:
        thread = self.thread_row
        return {
            "to": [], "subject": thread["subject"] if thread else "",
            "body_html": self.body_html(), "attachment_ids": self.attachments.attachment_ids(),
            "attachments": self.attachments.attachments(),
            "thread_id": thread["id"] if thread else None,
        }

    def flush(self) -> None:
        """Save now what is waiting to be saved (another thread is opened, the app quits)."""
        self.drafts.flush()

    @Slot()
    def save_draft(self) -> None:
        if self.thread_row:
            self.drafts.save()
        else:
            self.drafts.stop_autosave()

    @Slot()
    def on_composer_button_clicked(self) -> None:
        if not self.can_reply() or self.thread_row is None:
            return
        thread = self.thread_row
        if not self.is_empty():
            self.save_draft()  # queued before anything the composer does with it
        draft = self.draft() if self.drafts.exists else {}
        self._start_over()  # the composer owns the draft from here
        self.composerRequested.emit(thread, draft)

    # sending -----------------------------------------------------------------------------------
    @Slot()
    def send(self) -> None:
        if not self.thread_row or not self.validate(tell=True):
            return
        self._refused_early = None
        self._refusal = ""
        self.send_button.setEnabled(False)
        draft = self.draft()
        thread_id = self.thread_row["id"]
        html, ids, known = draft["body_html"], draft["attachment_ids"], draft["attachments"]

        def queue(engine: SyncEngine, replaces: str | None) -> object:
            return engine.reply(thread_id, html, ids, draft_id=replaces, attachments=known)

        self.drafts.send(queue, self._queued, self._not_queued)

    def _still_showing(self, draft: dict) -> bool:
        """Whether the box still holds the reply `draft` was taken from (the user may have
        opened another thread, and typed there, while it was being queued)."""
        return self.thread_row is not None \
            and self.thread_row["id"] == draft["thread_id"] and self.draft_id == draft["id"]

    def _queued(self, draft: dict, local_id: object) -> None:
        if self._still_showing(draft):
            refused, self._refused_early = self._refused_early, None
            if refused is not None:  # refused before this word came: the text stays here
                self.drafts.sending = False
                self._kept_as(*refused)
            else:
                self._start_over()
                self.validate()
        self.sent.emit(str(local_id or ""))

    @Slot(str, str, str)
    def on_bridge_replyRefused(self, thread_id: str, draft_id: str, detail: str) -> None:
        """A reply the server refused is kept as its thread's draft (sync.unsent_text): shown
        here again, with the server's reason, when this box is on that thread. The refusal
        may come before the box heard that its reply was queued, or after the box has been
        filled again from that draft: neither loses the text or the reason."""
        if not self.thread_row or self.thread_row["id"] != thread_id:
            return
        if self.drafts.sending:
            self._refused_early = (draft_id, detail)
        elif self.draft_id == draft_id and not self.is_empty():
            self._kept_as(draft_id, detail)
        elif self.is_empty():
            def restored(drafts: list[DraftRow]) -> None:
                self._restore(thread_id, drafts, prefer=draft_id)
                if self.draft_id == draft_id and not self.is_empty():
                    self._kept_as(draft_id, detail)

            self.session.runner.run(self.session.cache.drafts, restored, serial=True)

    def _kept_as(self, draft_id: str, detail: str) -> None:
        """The box holds the refused reply, now the draft `draft_id`; says why it was not sent."""
        self.drafts.start_new(draft_id, exists=True)
        self._refusal = self.tr("Not sent: %s") % detail
        self._refusal_short = self.tr("Not sent; what you wrote is kept in Drafts.")
        self.validate()

    def _not_queued(self, draft: dict, error: BaseException) -> None:
        if not self._still_showing(draft):
            # Nothing typed is lost: it stays its thread's draft, to be found there again.
            self.session.bridge.command(lambda engine: engine.save_draft(draft))
            return
        self.drafts.sending = False
        self._refusal = self._refusal_short = self.tr("Not sent: %s") % describe_error(error)
        self.validate()


"""The reply box under a conversation's last message.

Rich text with the composer's formatting toolbar and shortcuts, attachments by button and by
drop, the minimum length shown as the user types, Send (offline too: the reply waits in the
outbox) and "Open in composer", which carries everything over. It follows the thread's
``can_reply`` flag like the Reply button. What is typed is a draft of the thread: saved after
a pause in typing and when another thread is opened, restored when the thread is opened again,
deleted with the reply's sending (or when the box is emptied).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFrame,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.display import clock_time_now
from desktop.error_text import describe_error
from desktop.resources import icon
from desktop.rich_text import document_to_html
from desktop.widgets.attach_dialog import pick_files
from desktop.widgets.attachment_strip import AttachmentStrip
from desktop.widgets.body_checks import body_problems, document_length, show_problems
from desktop.widgets.body_editor import BodyEditor
from desktop.widgets.draft_files import draft_attachments
from desktop.widgets.file_drops import FileDropTarget
from desktop.widgets.format_toolbar import FormatToolBar
from desktop.widgets.wrap_row import WrapRow

if TYPE_CHECKING:
    from desktop.session import Session
    from sync.cache.rows import ConversationThread, DraftRow

AUTOSAVE_DELAY_MS = 1500


class InlineReply(FileDropTarget, QFrame):
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
        self.draft_id = str(uuid.uuid4())
        self._draft_exists = False
        self._loading = False
        self._sending = False
        # A refusal of the reply being queued that came before word that it was queued.
        self._refused_early: tuple[str, str] | None = None
        # Why the text in the box was not sent: shown until the text is changed.
        self._refusal = ""
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
        self.attachments = AttachmentStrip(session.runner, session.check_attachment,
                                           session.upload_attachment,
                                           discard=session.discard_attachment)
        session.bridge.uploadProgress.connect(self.attachments.on_bridge_uploadProgress)
        editing.addWidget(self.attachments)
        self.hint = QLabel()
        self.hint.setObjectName("hint")
        self.hint.setWordWrap(True)
        editing.addWidget(self.hint)
        layout.addWidget(self.editing)

        self.saved_label = QLabel()  # a line of its own: it never widens the reading pane
        self.saved_label.setObjectName("hint")
        self.saved_label.setWordWrap(True)
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

        self._autosave = QTimer(self)
        self._autosave.setSingleShot(True)
        self._autosave.setInterval(AUTOSAVE_DELAY_MS)
        self._autosave.timeout.connect(self.save_draft)
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
        self.draft_id = str(uuid.uuid4())
        self._draft_exists = False
        self._sending = False
        self._refused_early = None
        self._refusal = ""
        self.saved_label.clear()

    def _restore(self, thread_id: str, drafts: list[DraftRow], prefer: str = "") -> None:
        if not self.thread_row or self.thread_row["id"] != thread_id or not self.is_empty():
            return  # another thread by now, or typing has begun: keep what is there
        held = self.drafts_in_composers()
        mine = [d for d in drafts if d["thread_id"] == thread_id and d["id"] not in held]
        draft = next((d for d in mine if d["id"] == prefer), None) or next(iter(mine), None)
        if draft is None:
            return
        self._loading = True
        self.body.setHtml(draft["body_html"])
        for attachment in draft_attachments(draft):
            self.attachments.add_ready(attachment)
        self._loading = False
        self.draft_id = draft["id"]
        self._draft_exists = True
        self.validate()

    # content -----------------------------------------------------------------------------------
    def body_html(self) -> str:
        return document_to_html(self.body.document())

    def is_empty(self) -> bool:
        return not self.body.toPlainText().strip() and not self.attachments.items()

    def problems(self) -> list[str]:
        if not self.can_reply():
            return [self._blocked_reason()]
        return body_problems(self.session.limits(), document_length(self.body.document()),
                             self.attachments)

    @Slot()
    def validate(self, tell: bool = False) -> bool:
        """Send follows the problems as the user types; the hint shows them once something is
        typed (or `tell`: Send was asked for), the button's tooltip always."""
        problems = self.problems()
        shown = self.can_reply() and (tell or not self.is_empty())
        show_problems(problems, self.send_button, self.hint, sending=self._sending,
                      hint_shown=shown)
        if self._refusal and shown:
            self.hint.setText("  ".join([self._refusal, *problems]))
            self.hint.setVisible(True)
        return not problems

    @Slot()
    def on_content_changed(self) -> None:
        if self._loading:
            return
        self._refusal = ""  # the text it was about has changed
        self.validate()
        self._autosave.start()

    @Slot()
    def on_attach_button_clicked(self) -> None:
        self.add_files(pick_files(self, self.session.limits()))

    @Slot(list)
    def add_files(self, paths: list[Path]) -> None:
        if paths and self.can_reply():
            self.attachments.add_files([Path(p) for p in paths])

    def takes_files(self) -> bool:
        return self.can_reply()

    def files_dropped(self, paths: list[Path]) -> None:
        self.add_files(paths)

    # drafts ------------------------------------------------------------------------------------
    def draft(self) -> dict:
        thread = self.thread_row
        return {
            "id": self.draft_id, "to": [], "subject": thread["subject"] if thread else "",
            "body_html": self.body_html(), "attachment_ids": self.attachments.attachment_ids(),
            "attachments": self.attachments.attachments(),
            "thread_id": thread["id"] if thread else None,
        }

    def flush(self) -> None:
        """Save now what is waiting to be saved (another thread is opened, the app quits)."""
        if self._autosave.isActive():
            self.save_draft()

    @Slot()
    def save_draft(self) -> None:
        self._autosave.stop()
        if self._sending or not self.thread_row:
            return
        if self.is_empty():
            if self._draft_exists:  # emptied: no draft left behind
                emptied = self.draft_id
                self.session.bridge.command(lambda engine: engine.delete_draft(emptied))
                self._draft_exists = False
                self.draft_id = str(uuid.uuid4())
                self.saved_label.clear()
            return
        self._draft_exists = True
        draft = self.draft()
        self.session.bridge.command(lambda engine: engine.save_draft(draft),
                                    on_done=self._draft_saved)

    def _draft_saved(self, _result: object) -> None:
        self.saved_label.setText(self.tr("Draft saved %s") % clock_time_now())

    @Slot()
    def on_composer_button_clicked(self) -> None:
        if not self.can_reply() or self.thread_row is None:
            return
        thread = self.thread_row
        if not self.is_empty():
            self.save_draft()  # queued before anything the composer does with it
        draft = self.draft() if self._draft_exists else {}
        self._start_over()  # the composer owns the draft from here
        self.composerRequested.emit(thread, draft)

    # sending -----------------------------------------------------------------------------------
    @Slot()
    def send(self) -> None:
        if not self.thread_row or not self.validate(tell=True):
            return
        self._autosave.stop()
        self._sending = True
        self._refused_early = None
        self._refusal = ""
        self.send_button.setEnabled(False)
        draft = self.draft()
        thread_id = self.thread_row["id"]
        html, ids, known = draft["body_html"], draft["attachment_ids"], draft["attachments"]
        draft_id = self.draft_id if self._draft_exists else None
        self.session.bridge.command(
            lambda engine: engine.reply(thread_id, html, ids, draft_id=draft_id,
                                        attachments=known),
            on_done=lambda local_id: self._queued(draft, local_id),
            on_error=lambda error: self._not_queued(draft, error))

    def _still_showing(self, draft: dict) -> bool:
        """Whether the box still holds the reply `draft` was taken from (the user may have
        opened another thread, and typed there, while it was being queued)."""
        return self.thread_row is not None \
            and self.thread_row["id"] == draft["thread_id"] and self.draft_id == draft["id"]

    def _queued(self, draft: dict, local_id: object) -> None:
        if self._still_showing(draft):
            refused, self._refused_early = self._refused_early, None
            if refused is not None:  # refused before this word came: the text stays here
                self._sending = False
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
        if self._sending:
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
        self.draft_id = draft_id
        self._draft_exists = True
        self._refusal = self.tr("Not sent: %s") % detail
        self.validate()

    def _not_queued(self, draft: dict, error: BaseException) -> None:
        if not self._still_showing(draft):
            # Nothing typed is lost: it stays its thread's draft, to be found there again.
            self.session.bridge.command(lambda engine: engine.save_draft(draft))
            return
        self._sending = False
        self._refusal = self.tr("Not sent: %s") % describe_error(error)
        self.validate()


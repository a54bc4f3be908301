"""The composer window: recipients, subject, rich-text body, attachments; drafts save themselves
and Send works offline (the message waits in the outbox)."""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.display import clock_time_now
from desktop.error_text import describe_error
from desktop.models.recipient_model import RecipientModel
from desktop.resources import icon
from desktop.rich_text import document_to_html
from desktop.widgets.attach_dialog import pick_files
from desktop.widgets.attachment_strip import AttachmentStrip
from desktop.widgets.body_checks import body_problems, document_length, show_problems
from desktop.widgets.body_editor import BodyEditor
from desktop.widgets.draft_files import OpenedDraft, draft_attachments
from desktop.widgets.file_drops import FileDropTarget
from desktop.widgets.format_toolbar import FormatToolBar
from desktop.widgets.recipient_field import RecipientField

if TYPE_CHECKING:
    from desktop.session import Session
    from sync.cache.rows import ConversationThread

AUTOSAVE_DELAY_MS = 1500


class ComposerWindow(FileDropTarget, QMainWindow):
    """A new message, or a reply when ``thread`` is given.

    Signals:
        sent(str): the local id the engine gave the queued message ("" for a reply).
        draftSaved(str): the draft id.
        draftDeleted(str)
    """

    sent = Signal(str)
    draftSaved = Signal(str)
    draftDeleted = Signal(str)

    def __init__(self, session: Session, thread: ConversationThread | None = None,
                 draft: OpenedDraft | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.thread_row = thread or None
        self.draft_id = (draft or {}).get("id") or str(uuid.uuid4())
        self._draft_exists = draft is not None
        self._loading = True
        self._sending = False
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowIcon(icon("compose"))
        self.setAcceptDrops(True)
        self.resize(760, 620)

        central = QWidget()
        self.setCentralWidget(central)
        outer = QVBoxLayout(central)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.recipient_model = RecipientModel(self)
        self.recipient_model.set_recipients(session.recipients())
        self.recipients = RecipientField(self.recipient_model)
        self.reply_to = QLabel()
        self.reply_to.setWordWrap(True)
        if self.thread_row:
            names = ", ".join(p["name"] for p in self.thread_row["participants"]
                              if p["id"] != session.user.get("id"))
            self.reply_to.setText(names)
            form.addRow(self.tr("To:"), self.reply_to)
        else:
            form.addRow(self.tr("To:"), self.recipients)
        self.subject = QLineEdit()
        self._apply_subject_limit()
        self.subject.setPlaceholderText(self.tr("What is this about? (required)"))
        if self.thread_row:
            self.subject.setText(self.thread_row["subject"])
            self.subject.setReadOnly(True)
        form.addRow(self.tr("Subject:"), self.subject)
        outer.addLayout(form)

        self.body = BodyEditor()
        self.body.setPlaceholderText(self.tr("Write your message…"))
        self.format_bar = FormatToolBar(self.body, self)
        self.addToolBar(self.format_bar)
        outer.addWidget(self.body, 1)

        self.attachments = AttachmentStrip(session.runner, session.check_attachment,
                                           session.upload_attachment,
                                           discard=session.discard_attachment)
        session.bridge.uploadProgress.connect(self.attachments.on_bridge_uploadProgress)
        outer.addWidget(self.attachments)

        self.hint = QLabel()
        self.hint.setObjectName("hint")
        self.hint.setWordWrap(True)
        outer.addWidget(self.hint)

        buttons = QHBoxLayout()
        self.attach_button = QPushButton(icon("attachment"), self.tr("Attach files…"))
        self.attach_button.clicked.connect(self.on_attach_button_clicked)
        buttons.addWidget(self.attach_button)
        self.delete_button = QPushButton(icon("trash"), self.tr("Delete draft"))
        self.delete_button.clicked.connect(self.on_delete_button_clicked)
        buttons.addWidget(self.delete_button)
        self.saved_label = QLabel()
        self.saved_label.setObjectName("hint")
        buttons.addWidget(self.saved_label, 1)
        self.send_button = QPushButton(icon("send"), self.tr("Send"))
        self.send_button.setDefault(True)
        self.send_button.setToolTip(self.tr("Send (Ctrl+Enter)"))
        self.send_button.clicked.connect(self.send)
        buttons.addWidget(self.send_button)
        outer.addLayout(buttons)
        QShortcut(QKeySequence("Ctrl+Return"), self).activated.connect(self.send)
        for keys in (QKeySequence(Qt.Key.Key_Escape), QKeySequence("Ctrl+W")):
            # the draft is kept (closeEvent)
            QShortcut(keys, self).activated.connect(self.close)

        self._autosave = QTimer(self)
        self._autosave.setSingleShot(True)
        self._autosave.setInterval(AUTOSAVE_DELAY_MS)
        self._autosave.timeout.connect(self.save_draft)
        self.recipients.changed.connect(self.on_content_changed)
        self.subject.textChanged.connect(self.on_content_changed)
        self.subject.textChanged.connect(self._apply_subject_limit)
        self.body.textChanged.connect(self.on_content_changed)
        self.attachments.changed.connect(self.on_content_changed)
        self.body.filesAdded.connect(self.add_files)
        session.bridge.limitsChanged.connect(self.on_bridge_limitsChanged)

        if draft:
            self._load_draft(draft)
        self._loading = False
        self.update_title()
        self.validate()
        (self.body if self.thread_row else self.recipients.editor).setFocus()

    # content --------------------------------------------------------------------------------
    def _load_draft(self, draft: OpenedDraft) -> None:
        for address in draft.get("to") or []:
            self.recipients.add_address(address)
        if not self.thread_row:
            self.subject.setText(draft.get("subject") or "")
        self.body.setHtml(draft.get("body_html") or "")
        for attachment in draft_attachments(draft):
            self.attachments.add_ready(attachment)

    def update_title(self) -> None:
        subject = self.subject.text().strip()
        if self.thread_row:
            self.setWindowTitle(self.tr("Reply: %s") % subject)
        else:
            self.setWindowTitle(self.tr("New message: %s") % subject if subject
                                else self.tr("New message"))

    def body_html(self) -> str:
        return document_to_html(self.body.document())

    def body_length(self) -> int:
        return document_length(self.body.document())

    def _subject_limit(self) -> int | None:
        limit = self.session.limits().get("max_subject_chars")
        return limit if isinstance(limit, int) and limit > 0 else None

    @Slot()
    def _apply_subject_limit(self) -> None:
        """The server's limit once the session knows it, none before. A subject typed longer
        meanwhile is kept whole (the limit never cuts it) and is shown as a problem."""
        limit = self._subject_limit()
        if limit is not None:
            self.subject.setMaxLength(max(limit, len(self.subject.text())))

    @Slot()
    def on_bridge_limitsChanged(self) -> None:
        if not self.thread_row:
            self._apply_subject_limit()
        self.validate()

    def problems(self) -> list[str]:
        """What keeps the message from being sent, in the words shown under the body."""
        found: list[str] = []
        if not self.thread_row:
            if self.recipients.pending_text():
                found.append(self.recipients.pending_problem())
            elif not self.recipients.addresses():
                found.append(self.tr("Add at least one recipient."))
            subject, limit = self.subject.text().strip(), self._subject_limit()
            if not subject:
                found.append(self.tr("A subject is required."))
            elif limit is not None and len(subject) > limit:
                found.append(self.tr("Shorten the subject to %d characters (%d too many).")
                             % (limit, len(subject) - limit))
        return found + body_problems(self.session.limits(), self.body_length(),
                                     self.attachments)

    def validate(self) -> bool:
        problems = self.problems()
        show_problems(problems, self.send_button, self.hint, sending=self._sending)
        return not problems

    @Slot()
    def on_content_changed(self) -> None:
        if self._loading:
            return
        self.update_title()
        self.validate()
        self._autosave.start()

    # attachments ---------------------------------------------------------------------------
    @Slot()
    def on_attach_button_clicked(self) -> None:
        self.add_files(pick_files(self, self.session.limits()))

    @Slot(list)
    def add_files(self, paths: list[Path]) -> None:
        if paths:
            self.attachments.add_files([Path(p) for p in paths])

    def files_dropped(self, paths: list[Path]) -> None:
        self.add_files(paths)

    # drafts and sending ----------------------------------------------------------------------
    def draft(self) -> dict:
        return {
            "id": self.draft_id,
            "to": self.recipients.addresses() if not self.thread_row else [],
            "subject": self.subject.text().strip(),
            "body_html": self.body_html(),
            "attachment_ids": self.attachments.attachment_ids(),
            "attachments": self.attachments.attachments(),  # names and sizes, kept locally
            "thread_id": self.thread_row["id"] if self.thread_row else None,
        }

    def is_empty(self) -> bool:
        return (not self.recipients.addresses() and not self.subject.text().strip()
                and not self.body.toPlainText().strip() and not self.attachments.items()) or (
            bool(self.thread_row) and not self.body.toPlainText().strip()
            and not self.attachments.items())

    @Slot()
    def save_draft(self) -> None:
        self._autosave.stop()
        if self._sending or self.is_empty():
            return
        self._draft_exists = True
        draft = self.draft()
        self.session.bridge.command(lambda engine: engine.save_draft(draft),
                                    on_done=self._draft_saved)

    def _draft_saved(self, _result: object) -> None:
        self.saved_label.setText(self.tr("Draft saved %s") % clock_time_now())
        self.draftSaved.emit(self.draft_id)

    @Slot()
    def on_delete_button_clicked(self) -> None:
        self._autosave.stop()
        if self._draft_exists:
            draft_id = self.draft_id
            self.session.bridge.command(lambda engine: engine.delete_draft(draft_id))
            self.draftDeleted.emit(draft_id)
        self._sending = True  # nothing more to save
        self.close()

    @Slot()
    def send(self) -> None:
        if not self.thread_row:
            self.recipients.commit_typed()
        if not self.validate():
            return
        self._autosave.stop()
        self._sending = True
        self.send_button.setEnabled(False)
        draft_id = self.draft_id if self._draft_exists else None
        html, ids = self.body_html(), self.attachments.attachment_ids()
        known = self.attachments.attachments()
        if self.thread_row:
            thread_id = self.thread_row["id"]
            self.session.bridge.command(
                lambda engine: engine.reply(thread_id, html, ids, draft_id=draft_id,
                                            attachments=known),
                on_done=self._queued, on_error=self._not_queued)
        else:
            to, subject = self.recipients.addresses(), self.subject.text().strip()
            self.session.bridge.command(
                lambda engine: engine.send_new(to, subject, html, ids, draft_id=draft_id,
                                               attachments=known),
                on_done=self._queued, on_error=self._not_queued)

    def _not_queued(self, error: BaseException) -> None:
        self._sending = False
        self.validate()
        self.hint.setText(self.tr("Not sent: %s") % describe_error(error))
        self.hint.setVisible(True)

    def _queued(self, local_id: object) -> None:
        self.sent.emit(str(local_id or ""))
        self.close()

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._sending and not self.is_empty():
            self.save_draft()
            self.session.notices.info.emit(self.tr("Your message was kept in Drafts."))
        paste_dir = self.body._paste_dir
        if paste_dir is not None:
            shutil.rmtree(paste_dir, ignore_errors=True)
        super().closeEvent(event)


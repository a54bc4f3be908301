"""The composer window: recipients, subject, rich-text body, attachments; drafts save themselves
and Send works offline (the message waits in the outbox)."""

from __future__ import annotations

import shutil
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal, Slot
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

from desktop.error_text import describe_error
from desktop.models.recipient_model import RecipientModel
from desktop.resources import icon
from desktop.widgets.body_checks import show_problems
from desktop.widgets.body_editor import BodyEditor
from desktop.widgets.draft_controller import Draft, DraftController, DraftEditor
from desktop.widgets.draft_files import OpenedDraft
from desktop.widgets.format_toolbar import FormatToolBar
from desktop.widgets.recipient_field import RecipientField

if TYPE_CHECKING:
    from desktop.session import Session
    from sync.cache.rows import ConversationThread
    from sync.engine import SyncEngine


class ComposerWindow(DraftEditor, QMainWindow):
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
        self._loading = True
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

        self.drafts = DraftController(session, self.body, self._content, self.is_empty, self,
                                      draft=draft)
        self.drafts.saved.connect(self.draftSaved)
        self.attachments, self.hint = self.drafts.attachments, self.drafts.hint
        outer.addWidget(self.attachments)
        outer.addWidget(self.hint)

        buttons = QHBoxLayout()
        self.attach_button = QPushButton(icon("attachment"), self.tr("Attach files…"))
        self.attach_button.clicked.connect(self.on_attach_button_clicked)
        buttons.addWidget(self.attach_button)
        self.delete_button = QPushButton(icon("trash"), self.tr("Delete draft"))
        self.delete_button.clicked.connect(self.on_delete_button_clicked)
        buttons.addWidget(self.delete_button)
        self.saved_label = self.drafts.saved_label
        self.saved_label.setWordWrap(False)
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

    @property
    def draft_id(self) -> str:
        return self.drafts.draft_id

    # content --------------------------------------------------------------------------------
    def _load_draft(self, draft: OpenedDraft) -> None:
        for address in draft.get("to") or []:
            self.recipients.add_address(address)
        if not self.thread_row:
            self.subject.setText(draft.get("subject") or "")
        self.drafts.load_body(draft)

    def update_title(self) -> None:
        subject = self.subject.text().strip()
        if self.thread_row:
            self.setWindowTitle(self.tr("Reply: %s") % subject)
        else:
            self.setWindowTitle(self.tr("New message: %s") % subject if subject
                                else self.tr("New message"))

    def body_html(self) -> str:
        return self.drafts.body_html()

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
        return found + self.drafts.body_problems()

    def validate(self) -> bool:
        problems = self.problems()
        show_problems(problems, self.send_button, self.hint, sending=self.drafts.sending)
        return not problems

    @Slot()
    def on_content_changed(self) -> None:
        if self._loading:
            return
        self.update_title()
        self.validate()
        self.drafts.changed()

    # drafts and sending ----------------------------------------------------------------------
    def draft(self) -> Draft:
        return self.drafts.draft()

    def _content(self) -> Draft:
        return {
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
        self.drafts.save()

    @Slot()
    def on_delete_button_clicked(self) -> None:
        if self.drafts.exists:
            self.draftDeleted.emit(self.draft_id)
        self.drafts.delete()
        self.drafts.sending = True  # nothing more to save
        self.close()

    @Slot()
    def send(self) -> None:
        if not self.thread_row:
            self.recipients.commit_typed()
        if not self.validate():
            return
        self.send_button.setEnabled(False)
        draft = self.draft()
        html, ids, known = draft["body_html"], draft["attachment_ids"], draft["attachments"]
        if self.thread_row:
            thread_id = self.thread_row["id"]

            def queue(engine: SyncEngine, replaces: str | None) -> object:
                return engine.reply(thread_id, html, ids, draft_id=replaces, attachments=known)
        else:
            to, subject = draft["to"], draft["subject"]

            def queue(engine: SyncEngine, replaces: str | None) -> object:
                return engine.send_new(to, subject, html, ids, draft_id=replaces,
                                       attachments=known)
        self.drafts.send(queue, self._queued, self._not_queued)

    def _not_queued(self, _draft: Draft, error: BaseException) -> None:
        self.drafts.sending = False
        self.validate()
        self.hint.setText(self.tr("Not sent: %s") % describe_error(error))
        self.hint.setVisible(True)

    def _queued(self, _draft: Draft, local_id: object) -> None:
        self.sent.emit(str(local_id or ""))
        self.close()

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.drafts.sending and not self.is_empty():
            self.save_draft()
            self.session.notices.info.emit(self.tr("Your message was kept in Drafts."))
        paste_dir = self.body._paste_dir
        if paste_dir is not None:
            shutil.rmtree(paste_dir, ignore_errors=True)
        super().closeEvent(event)


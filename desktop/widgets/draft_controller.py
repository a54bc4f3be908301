"""The draft behind an editor, shared by the composer window and the inline reply.

An editor is layout: its widgets, what its draft holds and when it is empty. The controller
keeps the rest alike for both: the body's attachments strip and hint line, the draft's id and
whether the engine has it, saving after a pause in typing ("Draft saved 10:42"), deleting,
adding files, and queueing the message with the draft it replaces. Every engine call goes
through the session's serial writer, so a save queued before a send is stored before it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QLabel, QWidget

from desktop.display import clock_time_now
from desktop.rich_text import document_to_html
from desktop.widgets.attach_dialog import pick_files
from desktop.widgets.attachment_strip import AttachmentStrip
from desktop.widgets.body_checks import body_problems, document_length
from desktop.widgets.body_editor import BodyEditor
from desktop.widgets.draft_files import OpenedDraft, draft_attachments
from desktop.widgets.file_drops import FileDropTarget

if TYPE_CHECKING:
    from desktop.session import Session
    from sync.engine import SyncEngine

AUTOSAVE_DELAY_MS = 1500

Draft = dict[str, Any]


def hint_label(word_wrap: bool = True) -> QLabel:
    """The grey line under an editor: what keeps it from being sent, or when it was saved."""
    label = QLabel()
    label.setObjectName("hint")
    label.setWordWrap(word_wrap)
    return label


class DraftController(QObject):
    """Signals:
    saved(str): the engine stored the draft with this id.
    """

    saved = Signal(str)

    def __init__(self, session: Session, body: BodyEditor, content: Callable[[], Draft],
                 is_empty: Callable[[], bool], parent: QWidget, draft: OpenedDraft | None = None,
                 delete_when_emptied: bool = False) -> None:
        """`content()` is the draft's fields but its id; `is_empty()` whether there is anything
        to keep. With `delete_when_emptied`, a saved draft whose editor was emptied is deleted
        (the inline reply) instead of kept as it was (the composer)."""
        super().__init__(parent)
        self.session = session
        self.body = body
        self._content = content
        self._is_empty = is_empty
        self._delete_when_emptied = delete_when_emptied
        self.draft_id: str = (draft or {}).get("id") or str(uuid.uuid4())
        self.exists = draft is not None  # the engine has (or is being given) this draft
        self.sending = False  # queued or being queued, or deleted: nothing more to save
        self.attachments = AttachmentStrip(session.runner, session.check_attachment,
                                           session.upload_attachment,
                                           discard=session.discard_attachment)
        session.bridge.uploadProgress.connect(self.attachments.on_bridge_uploadProgress)
        self.hint = hint_label()
        self.saved_label = hint_label()
        self._autosave = QTimer(self)
        self._autosave.setSingleShot(True)
        self._autosave.setInterval(AUTOSAVE_DELAY_MS)
        self._autosave.timeout.connect(self.save)

    # content ----------------------------------------------------------------------------------
    def body_html(self) -> str:
        return document_to_html(self.body.document())

    def body_problems(self) -> list[str]:
        return body_problems(self.session.limits(), document_length(self.body.document()),
                             self.attachments)

    def draft(self) -> Draft:
        return {"id": self.draft_id, **self._content()}

    def load_body(self, draft: OpenedDraft) -> None:
        """Show a saved draft's body and its attachments, with their names and sizes."""
        self.body.setHtml(draft.get("body_html") or "")
        for attachment in draft_attachments(draft):
            self.attachments.add_ready(attachment)

    def add_files(self, paths: list[Path]) -> None:
        if paths:
            self.attachments.add_files([Path(p) for p in paths])

    def pick_files(self, parent: QWidget) -> list[Path]:
        """Ask for files to attach, of the types the server takes; [] when cancelled."""
        return pick_files(parent, self.session.limits())

    # saving -----------------------------------------------------------------------------------
    def changed(self) -> None:
        """Something was typed: save after a pause."""
        self._autosave.start()

    def stop_autosave(self) -> None:
        self._autosave.stop()

    def flush(self) -> None:
        """Save now what is waiting to be saved (another thread is opened, the app quits)."""
        if self._autosave.isActive():
            self.save()

    def save(self) -> None:
        self._autosave.stop()
        if self.sending:
            return
        if self._is_empty():
            if self._delete_when_emptied and self.exists:  # emptied: no draft left behind
                self.delete()
                self.start_new()
            return
        self.exists = True
        draft = self.draft()
        self.session.bridge.command(lambda engine: engine.save_draft(draft),
                                    on_done=lambda _result: self._saved(draft["id"]))

    def _saved(self, draft_id: str) -> None:
        if draft_id == self.draft_id:  # not when the editor has moved on to another draft
            self.saved_label.setText(self.tr("Draft saved %s") % clock_time_now())
        self.saved.emit(draft_id)

    def delete(self) -> None:
        """Delete the draft, if the engine has it."""
        self._autosave.stop()
        if self.exists:
            draft_id = self.draft_id
            self.session.bridge.command(lambda engine: engine.delete_draft(draft_id))
            self.exists = False

    def start_new(self, draft_id: str | None = None, exists: bool = False) -> None:
        """Go on with another draft: a new one, or `draft_id` as the engine has it."""
        self._autosave.stop()
        self.draft_id = draft_id or str(uuid.uuid4())
        self.exists = exists
        self.sending = False
        self.saved_label.clear()

    # sending ----------------------------------------------------------------------------------
    def send(self, queue: Callable[[SyncEngine, str | None], object],
             on_queued: Callable[[Draft, object], None],
             on_failed: Callable[[Draft, BaseException], None]) -> Draft:
        """Queue the message: `queue(engine, draft_id)` gives it to the engine, with the id of
        the draft it replaces (None when the engine never had one). The answers name the
        draft as it was sent, so an editor can tell whether it still shows that message."""
        self._autosave.stop()
        self.sending = True
        draft = self.draft()
        replaces = self.draft_id if self.exists else None
        self.session.bridge.command(lambda engine: queue(engine, replaces),
                                    on_done=lambda local_id: on_queued(draft, local_id),
                                    on_error=lambda error: on_failed(draft, error))
        return draft


class DraftEditor(FileDropTarget):
    """Mixin of the composer and the inline reply, listed before the Qt class: files picked
    with Attach, dropped on the editor or pasted into its body join its draft while it
    `takes_files()`."""

    drafts: DraftController

    def on_attach_button_clicked(self) -> None:
        self.add_files(self.drafts.pick_files(cast(QWidget, self)))

    def add_files(self, paths: list[Path]) -> None:
        if self.takes_files():
            self.drafts.add_files(paths)

    def files_dropped(self, paths: list[Path]) -> None:
        self.add_files(paths)

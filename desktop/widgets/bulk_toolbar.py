"""The toolbar above the thread list that acts on every checked thread at once; moves to a
folder go through the ThreadMover (which offers Undo)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLabel, QMenu, QToolBar, QToolButton, QWidget

from desktop.dialogs.confirm import confirm_irreversible
from desktop.models.roles import ID_ROLE
from desktop.models.thread_list_model import ThreadListModel
from desktop.resources import icon

if TYPE_CHECKING:
    from desktop.session import Session

DELETE_CHECK_LIMIT = 500


class BulkToolBar(QToolBar):
    """Signals:
    acted(str): the name of the action just queued (for the status bar and tests).
    """

    acted = Signal(str)

    def __init__(self, session: Session, model: ThreadListModel, folders: Any, mover: Any,
                 parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Selected conversations"), parent)
        self.setObjectName("bulkActions")
        self.session = session
        self.model = model
        self.folders = folders  # the FolderModel, for "Move to"
        self.mover = mover
        self.count_label = QLabel()
        self.addWidget(self.count_label)
        self.addSeparator()
        self.mark_read = self._action("mark-read", self.tr("Mark read"),
                                      lambda: self._set("mark_read", unread=False))
        self.mark_unread = self._action("mark-unread", self.tr("Mark unread"),
                                        lambda: self._set("mark_unread", unread=True))
        self.star = self._action("star-filled", self.tr("Star"),
                                 lambda: self._set("star", starred=True))
        self.unstar = self._action("star", self.tr("Unstar"),
                                   lambda: self._set("unstar", starred=False))
        self.archive = self._action("archive", self.tr("Archive"),
                                    lambda: self._move("archive", "archive"))
        self.move_menu = QMenu(self)
        self.move_menu.aboutToShow.connect(self.on_move_menu_aboutToShow)
        self.move_button = QToolButton()
        self.move_button.setIcon(icon("move"))
        self.move_button.setText(self.tr("Move to"))
        self.move_button.setToolTip(self.tr("Move to folder"))
        self.move_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.move_button.setMenu(self.move_menu)
        self.addWidget(self.move_button)
        self.trash = self._action("trash", self.tr("Trash"), lambda: self._move("trash", "trash"))
        self.delete_forever = self._action("delete-forever", self.tr("Delete for everyone"),
                                           self.delete_permanently)
        self.addSeparator()
        self.clear_selection = self._action("close", self.tr("Clear selection"), model.clear_checks)
        self._deletable: list[str] = []
        model.checkedChanged.connect(self.on_model_checkedChanged)
        model.loaded.connect(lambda: self.on_model_checkedChanged(len(model.checked_ids())))
        self.on_model_checkedChanged(0)

    def _action(self, icon_name: str, text: str, slot) -> QAction:  # noqa: ANN001
        action = QAction(icon(icon_name), text, self)
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _set(self, name: str, **change: Any) -> None:
        ids = self.model.checked_ids()
        if not ids:
            return
        self.session.bridge.command(lambda engine: engine.set_state(ids, **change))
        self.acted.emit(name)

    def _move(self, name: str, folder: str) -> None:
        ids = self.model.checked_ids()
        if not ids:
            return
        self.mover.move(ids, folder)
        self.model.clear_checks()
        self.acted.emit(name)

    @Slot()
    def on_move_menu_aboutToShow(self) -> None:
        """Every folder a thread can be placed in, the user's own too, as the folder pane
        lists them; the one shown is greyed out."""
        self.move_menu.clear()
        shown = self.model.source[1] if self.model.source[0] == "folder" else None
        for row in range(self.folders.rowCount()):
            index = self.folders.index(row, 0)
            target = index.data(ID_ROLE)
            if not self.folders.accepts_threads(target):
                continue
            action = self.move_menu.addAction(index.data(Qt.ItemDataRole.DecorationRole),
                                              index.data())
            action.triggered.connect(lambda _checked=False, t=target: self._move("move", t))
            action.setEnabled(target != shown)

    @Slot(int)
    def on_model_checkedChanged(self, count: int) -> None:
        self.count_label.setText(self.tr("%n selected", "", count) + "  ")
        in_trash = self.model.source == ("folder", "trash")
        self.trash.setVisible(not in_trash)
        self.delete_forever.setEnabled(False)
        self.delete_forever.setToolTip(self.tr("Checking what may be deleted…"))
        self._deletable = []
        if count:
            ids = self.model.checked_ids()
            self.session.runner.run(lambda: self._may_delete(ids),
                                    lambda refusal: self._delete_checked(ids, refusal))

    def _may_delete(self, ids: list[str]) -> str | None:
        """Why the checked threads cannot all be deleted for everyone; None when they can
        (the server's flag allows it for each)."""
        if len(ids) > DELETE_CHECK_LIMIT:
            return self.tr("Delete at most %n conversations for everyone at a time.", "",
                           DELETE_CHECK_LIMIT)
        rows = self.session.cache.thread_rows(ids)  # one read; unknown threads are left out
        if len(rows) == len(ids) and all(row["can_delete"] for row in rows):
            return None
        return self.tr("Only conversations you started with a client can be deleted for "
                       "everyone.")

    def _delete_checked(self, ids: list[str], refusal: str | None) -> None:
        if ids != self.model.checked_ids():
            return
        self._deletable = [] if refusal else ids
        self.delete_forever.setEnabled(refusal is None)
        self.delete_forever.setToolTip(
            refusal or self.tr("Delete the checked conversations for everyone in them"))

    @Slot()
    def delete_permanently(self) -> None:
        ids = list(self._deletable)
        if not ids:
            return
        if confirm_irreversible(
            self, self.tr("Delete conversations"),
            self.tr("Delete %n conversations for everyone in them?", "", len(ids)),
            self.tr("Delete for everyone"),
        ):
            for thread_id in ids:
                self._delete(thread_id)
            self.model.clear_checks()
            self.acted.emit("delete")

    def _delete(self, thread_id: str) -> None:
        self.session.bridge.command(lambda engine: engine.delete_thread(thread_id))

"""The side pane of folders, with unread counts; threads dropped on a folder move there, and
the user's own folders can be created, renamed and deleted from the context menu."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, QPoint, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QInputDialog,
    QMenu,
    QTreeView,
    QWidget,
)

from desktop.dialogs.confirm import confirm_change
from desktop.models.folder_model import COUNT_COLUMN, NAME_COLUMN, FolderModel
from desktop.models.roles import ID_ROLE, is_custom_folder
from desktop.resources import icon

if TYPE_CHECKING:
    from desktop.session import Session


class FolderPane(QTreeView):
    """Signals:
    folderSelected(str): the folder id the user switched to.
    """

    folderSelected = Signal(str)

    def __init__(self, session: Session, model: FolderModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.setObjectName("folderPane")
        self.setModel(model)
        self.setHeaderHidden(True)
        self.setRootIsDecorated(False)
        self.setUniformRowHeights(True)
        self.setAcceptDrops(True)
        self.setDropIndicatorShown(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DropOnly)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.header().setStretchLastSection(False)
        self.header().setSectionResizeMode(NAME_COLUMN, QHeaderView.ResizeMode.Stretch)
        self.header().setSectionResizeMode(COUNT_COLUMN, QHeaderView.ResizeMode.ResizeToContents)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.customContextMenuRequested.connect(self.on_self_customContextMenuRequested)
        self.current_folder: str | None = "inbox"  # None while a search is shown
        self._before_search = "inbox"
        self.selectionModel().currentRowChanged.connect(self.on_selection_currentRowChanged)
        model.loaded.connect(self.on_model_loaded)
        self.ask_name = self._ask_name

    @property
    def folder_model(self) -> FolderModel:
        return self.model()  # type: ignore[return-value]

    def select_folder(self, folder_id: str) -> None:
        row = self.folder_model.row_of(folder_id)
        if row >= 0:
            self.setCurrentIndex(self.folder_model.index(row, NAME_COLUMN))

    def start_search(self) -> None:
        """While a search is shown no folder is current: a click on any folder, the one shown
        before too, leaves the search for it."""
        if self.current_folder is None:
            return
        self._before_search = self.current_folder
        self.current_folder = None
        self.setCurrentIndex(QModelIndex())
        self.clearSelection()

    def end_search(self) -> None:
        """The search box was emptied: back to the folder shown before."""
        if self.current_folder is None:
            folder = self._before_search
            self.select_folder(folder if self.folder_model.row_of(folder) >= 0 else "inbox")

    @Slot()
    def on_model_loaded(self) -> None:
        if self.current_folder is None:
            return  # a search is shown
        if not self.currentIndex().isValid() or self.currentIndex().data(ID_ROLE) != \
                self.current_folder:
            row = self.folder_model.row_of(self.current_folder)
            if row < 0:
                self.current_folder = "inbox"
                row = self.folder_model.row_of("inbox")
            if row >= 0:
                self.blockSignals(True)
                self.setCurrentIndex(self.folder_model.index(row, NAME_COLUMN))
                self.blockSignals(False)

    @Slot(QModelIndex, QModelIndex)
    def on_selection_currentRowChanged(self, current: QModelIndex, _previous: QModelIndex) -> None:
        folder_id = current.data(ID_ROLE)
        if folder_id and folder_id != self.current_folder:
            self.current_folder = folder_id
            self.folderSelected.emit(folder_id)

    # own folders -------------------------------------------------------------------------------
    @Slot(QPoint)
    def on_self_customContextMenuRequested(self, pos: QPoint) -> None:
        index = self.indexAt(pos)
        folder_id = index.data(ID_ROLE) if index.isValid() else None
        menu = QMenu(self)
        menu.addAction(icon("folder-new"), self.tr("New folder…"), self.create_folder)
        if folder_id and is_custom_folder(folder_id):
            menu.addAction(self.tr("Rename…"), lambda: self.rename_folder(folder_id))
            menu.addAction(icon("trash"), self.tr("Delete folder…"),
                           lambda: self.delete_folder(folder_id))
        menu.popup(self.viewport().mapToGlobal(pos))

    def _ask_name(self, title: str, current: str = "") -> str:
        name, ok = QInputDialog.getText(self, title, self.tr("Folder name:"), text=current)
        return name.strip() if ok else ""

    def create_folder(self) -> None:
        name = self.ask_name(self.tr("New folder"))
        if name:
            self.session.bridge.command(lambda engine: engine.create_folder(name))

    def rename_folder(self, folder_id: str) -> None:
        row = self.folder_model.row_of(folder_id)
        current = self.folder_model.folder(row)["name"] if row >= 0 else ""
        name = self.ask_name(self.tr("Rename folder"), current)
        if name and name != current:
            self.session.bridge.command(lambda engine: engine.rename_folder(folder_id, name))

    def delete_folder(self, folder_id: str) -> None:
        row = self.folder_model.row_of(folder_id)
        name = self.folder_model.folder(row)["name"] if row >= 0 else ""
        if confirm_change(
            self, self.tr("Delete folder"), self.tr("Delete the folder \"%s\"?") % name,
            self.tr("Its conversations move to Archive; nothing is deleted."),
            self.tr("Delete folder"),
        ):
            self.session.bridge.command(lambda engine: engine.delete_folder(folder_id))

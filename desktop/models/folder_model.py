"""The folder pane's model: built-in and custom folders with their unread counts."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QByteArray,
    QMimeData,
    QModelIndex,
    QObject,
    Qt,
    Signal,
)
from PySide6.QtGui import QFont

from desktop.models.index import Index
from desktop.models.roles import (
    ID_ROLE,
    THREAD_IDS_MIME,
    UNREAD_ROLE,
    accepts_threads,
    is_custom_folder,
)
from desktop.resources import icon
from desktop.tasks import Latest, TaskRunner

if TYPE_CHECKING:
    from sync.cache import Cache
    from sync.cache.rows import FolderRow

FOLDER_ICONS = {
    "inbox": "inbox", "sent": "sent", "drafts": "drafts", "archive": "archive", "trash": "trash",
}
NAME_COLUMN, COUNT_COLUMN = 0, 1
# Sent is a view of threads placed in other folders, where their unread ones are counted
# already; Drafts hold nothing to read.
COUNTS_UNREAD = frozenset(FOLDER_ICONS) - {"sent", "drafts"}


def counts_unread(folder_id: str) -> bool:
    return folder_id in COUNTS_UNREAD or is_custom_folder(folder_id)


class FolderModel(QAbstractItemModel):
    """A flat two-column model (name, unread count) refreshed from ``cache.folders()``.

    Signals:
        threadsDropped(list, str): thread ids dropped onto a folder id.
        loaded(): the folders were (re)read from the cache.
    """

    threadsDropped = Signal(list, str)
    loaded = Signal()

    def __init__(self, cache: Cache, runner: TaskRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._cache = cache
        self._runner = runner
        self._folders: list[FolderRow] = []
        self._latest = Latest()
        self._move_targets: tuple[str, ...] = ()  # none until the server has named them

    def set_move_targets(self, targets: Iterable[str]) -> None:
        """The built-in folders threads may be moved into, as the session's capabilities say."""
        self._move_targets = tuple(targets)

    def accepts_threads(self, folder_id: str) -> bool:
        return accepts_threads(folder_id, self._move_targets)

    # loading -------------------------------------------------------------------------------
    def refresh(self) -> None:
        self._runner.run(self._cache.folders, self._latest.ask().then(self._apply))

    def _apply(self, rows: list[FolderRow]) -> None:
        rows = [row.copy() for row in rows]
        for row in rows:
            if not counts_unread(row["id"]):
                row["unread"] = 0
        if [f["id"] for f in rows] == [f["id"] for f in self._folders]:
            self._folders = rows
            if rows:
                self.dataChanged.emit(self.index(0, 0), self.index(len(rows) - 1, COUNT_COLUMN))
        else:
            self.beginResetModel()
            self._folders = rows
            self.endResetModel()
        self.loaded.emit()

    def folder(self, row: int) -> FolderRow:
        return self._folders[row]

    def folders(self) -> list[FolderRow]:
        return list(self._folders)

    def row_of(self, folder_id: str) -> int:
        for row, folder in enumerate(self._folders):
            if folder["id"] == folder_id:
                return row
        return -1

    def name_of(self, folder_id: str) -> str:
        row = self.row_of(folder_id)
        return self._display_name(self._folders[row]) if row >= 0 else folder_id

    def unread(self, folder_id: str) -> int:
        row = self.row_of(folder_id)
        return self._folders[row]["unread"] if row >= 0 else 0

    # QAbstractItemModel ----------------------------------------------------------------------
    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:
        if parent.isValid() or not (0 <= row < len(self._folders)) or column not in (0, 1):
            return QModelIndex()
        return self.createIndex(row, column)

    def parent(self, child: Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]
        # (the stubs merge it with QObject.parent(); a flat model has no parents)
        return QModelIndex()

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._folders)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 2

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        folder = self._folders[index.row()]
        unread = folder["unread"]
        if role == Qt.ItemDataRole.DisplayRole:
            if index.column() == NAME_COLUMN:
                return self._display_name(folder)
            return str(unread) if unread else ""
        if role == Qt.ItemDataRole.DecorationRole and index.column() == NAME_COLUMN:
            return icon(FOLDER_ICONS.get(folder["id"], "folder"))
        if role == Qt.ItemDataRole.FontRole and unread:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() == COUNT_COLUMN:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.tr("%n unread", "", unread) + " · " + self.tr(
                "%n conversations", "", folder["total"])
        if role == ID_ROLE:
            return folder["id"]
        if role == UNREAD_ROLE:
            return unread
        return None

    def _display_name(self, folder: FolderRow) -> str:
        names = {
            "inbox": self.tr("Inbox"), "sent": self.tr("Sent"), "drafts": self.tr("Drafts"),
            "archive": self.tr("Archive"), "trash": self.tr("Trash"),
        }
        return names.get(folder["id"], folder["name"] or folder["id"])

    # drops of threads --------------------------------------------------------------------------
    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if self.accepts_threads(self._folders[index.row()]["id"]):
            flags |= Qt.ItemFlag.ItemIsDropEnabled
        return flags

    def mimeTypes(self) -> list[str]:
        return [THREAD_IDS_MIME]

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction | Qt.DropAction.CopyAction

    def canDropMimeData(self, data: QMimeData, action, row, column, parent) -> bool:  # noqa: ANN001
        return (
            data.hasFormat(THREAD_IDS_MIME)
            and parent.isValid()
            and self.accepts_threads(self._folders[parent.row()]["id"])
        )

    def dropMimeData(self, data: QMimeData, action, row, column, parent) -> bool:  # noqa: ANN001
        if not self.canDropMimeData(data, action, row, column, parent):
            return False
        ids = decode_thread_ids(data.data(THREAD_IDS_MIME))
        if ids:
            self.threadsDropped.emit(ids, self._folders[parent.row()]["id"])
        # The engine moves the threads; returning False keeps the source from removing rows.
        return False


def encode_thread_ids(ids: list[str]) -> QByteArray:
    return QByteArray("\n".join(ids).encode("utf-8"))


def decode_thread_ids(raw: QByteArray) -> list[str]:
    text = bytes(raw.data()).decode("utf-8", errors="replace")
    return [line for line in text.split("\n") if line]

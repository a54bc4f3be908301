"""The thread list's model: holds only thread ids and reads rows from the cache in small blocks.

A folder's ids come from one cheap query in the background; rows are revealed in pages through
``canFetchMore``/``fetchMore`` and their fields read 200 at a time when the view paints them,
so a folder of 100,000 threads opens as fast as one of 100. Checked rows are a set of ids that
survives refreshes.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QMimeData,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QFont

from desktop.display import short_time
from desktop.models.folder_model import encode_thread_ids
from desktop.models.roles import ID_ROLE, RECORD_ROLE, SNIPPET_ROLE, THREAD_IDS_MIME, UNREAD_ROLE
from desktop.resources import icon
from desktop.tasks import TaskRunner

CHECK, STAR, PEOPLE, SUBJECT, ATTACHMENT, DATE = range(6)
COLUMN_COUNT = 6
PAGE_ROWS = 2000
BLOCK_ROWS = 200
BLOCKS_KEPT = 64


class ThreadListModel(QAbstractItemModel):
    """Rows of one folder, of search results, or of drafts.

    Signals:
        loaded(): a new set of ids has been applied (after a folder switch, search or refresh).
        checkedChanged(int): the number of checked threads.
    """

    loaded = Signal()
    checkedChanged = Signal(int)

    def __init__(self, cache: Any, runner: TaskRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._cache = cache
        self._runner = runner
        self._ids: list[str] = []
        self._visible = 0
        self._blocks: OrderedDict[int, list[dict]] = OrderedDict()
        self._overrides: dict[str, dict] = {}  # search snippets, or whole draft rows
        self._checked: set[str] = set()
        self._generation = 0
        self.source: tuple[str, str] = ("folder", "inbox")

    # what is shown ---------------------------------------------------------------------------
    def show_folder(self, folder_id: str) -> None:
        self.source = ("folder", folder_id)
        self._checked.clear()
        self.checkedChanged.emit(0)
        self.refresh()

    def show_search(self, text: str) -> None:
        self.source = ("search", text)
        self._checked.clear()
        self.checkedChanged.emit(0)
        self.refresh()

    def refresh(self) -> None:
        """Read the ids (and any overrides) again in the background."""
        self._generation += 1
        generation = self._generation
        kind, value = self.source
        cache = self._cache
        if kind == "search":
            def read() -> tuple[list[str], dict[str, dict]]:
                return _search_rows(cache.search(value, limit=200))
        elif value == "drafts":
            def read() -> tuple[list[str], dict[str, dict]]:
                return _draft_rows(cache.drafts())
        else:
            def read() -> tuple[list[str], dict[str, dict]]:
                return list(cache.thread_ids(value)), {}
        self._runner.run(read, lambda result: self._apply(generation, *result))

    def _apply(self, generation: int, ids: list[str], overrides: dict[str, dict]) -> None:
        if generation != self._generation:
            return
        keep = max(self._visible, PAGE_ROWS)
        self.beginResetModel()
        self._ids = ids
        self._overrides = overrides
        self._visible = min(len(ids), keep)
        self._blocks.clear()
        self.endResetModel()
        known = set(ids)
        if self._checked - known:
            self._checked &= known
            self.checkedChanged.emit(len(self._checked))
        self.loaded.emit()

    @property
    def is_drafts(self) -> bool:
        return self.source == ("folder", "drafts")

    @property
    def is_search(self) -> bool:
        return self.source[0] == "search"

    def total(self) -> int:
        return len(self._ids)

    def thread_id(self, row: int) -> str:
        return self._ids[row]

    def row_of(self, thread_id: str) -> int:
        try:
            return self._ids.index(thread_id)
        except ValueError:
            return -1

    def resolve(self, thread_id: str) -> str:
        """The server's id of a thread this inbox created while it had only a local id."""
        resolve_id = getattr(self._cache, "resolve_id", None)
        return resolve_id(thread_id) if resolve_id else thread_id

    def record(self, row: int) -> dict:
        thread_id = self._ids[row]
        if thread_id in self._overrides and "subject" in self._overrides[thread_id]:
            return self._overrides[thread_id]
        block_no = row // BLOCK_ROWS
        block = self._blocks.get(block_no)
        if block is None:
            start = block_no * BLOCK_ROWS
            ids = self._ids[start:start + BLOCK_ROWS]
            by_id = {r["id"]: r for r in self._cache.thread_rows(ids)}
            block = [by_id.get(i) or {"id": i, "subject": "", "snippet": ""} for i in ids]
            self._blocks[block_no] = block
            if len(self._blocks) > BLOCKS_KEPT:
                self._blocks.popitem(last=False)
        else:
            self._blocks.move_to_end(block_no)
        row_data = block[row - block_no * BLOCK_ROWS]
        extra = self._overrides.get(thread_id)
        return {**row_data, **extra} if extra else row_data

    def forget_rows(self, thread_ids: frozenset[str] | None = None) -> None:
        """Drop cached row fields (of some threads, or all) and repaint them."""
        self._blocks.clear()
        if self._visible:
            self.dataChanged.emit(self.index(0, 0), self.index(self._visible - 1, DATE))

    # checking ----------------------------------------------------------------------------------
    def checked_ids(self) -> list[str]:
        return [i for i in self._ids if i in self._checked]

    def set_checked(self, thread_ids: list[str], checked: bool) -> None:
        if checked:
            self._checked.update(thread_ids)
        else:
            self._checked.difference_update(thread_ids)
        if self._visible:
            self.dataChanged.emit(self.index(0, CHECK), self.index(self._visible - 1, CHECK),
                                  [Qt.ItemDataRole.CheckStateRole])
        self.checkedChanged.emit(len(self._checked))

    def check_all(self) -> None:
        self.set_checked(list(self._ids), True)

    def clear_checks(self) -> None:
        self.set_checked(list(self._checked), False)

    # lazy loading ------------------------------------------------------------------------------
    def canFetchMore(self, parent: QModelIndex = QModelIndex()) -> bool:
        return not parent.isValid() and self._visible < len(self._ids)

    def fetchMore(self, parent: QModelIndex = QModelIndex()) -> None:
        if parent.isValid():
            return
        more = min(PAGE_ROWS, len(self._ids) - self._visible)
        if more <= 0:
            return
        self.beginInsertRows(QModelIndex(), self._visible, self._visible + more - 1)
        self._visible += more
        self.endInsertRows()

    def reveal_all(self) -> None:
        """Make every row reachable (before jumping to the end of a long folder)."""
        while self.canFetchMore():
            self.fetchMore()

    # QAbstractItemModel ----------------------------------------------------------------------
    def index(self, row: int, column: int, parent: QModelIndex = QModelIndex()) -> QModelIndex:
        if parent.isValid() or not (0 <= row < self._visible) or not (0 <= column < COLUMN_COUNT):
            return QModelIndex()
        return self.createIndex(row, column)

    def parent(self, child: QModelIndex | QPersistentModelIndex = QModelIndex()) -> QModelIndex:
        return QModelIndex()

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else self._visible

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:
        return COLUMN_COUNT

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return {
                CHECK: "", STAR: "", PEOPLE: self.tr("From / To"), SUBJECT: self.tr("Subject"),
                ATTACHMENT: "", DATE: self.tr("Date"),
            }[section]
        if role == Qt.ItemDataRole.DecorationRole:
            if section == STAR:
                return icon("star")
            if section == ATTACHMENT:
                return icon("attachment")
        return None

    def flags(self, index: QModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.ItemIsEnabled
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if not self.is_drafts:
            flags |= Qt.ItemFlag.ItemIsDragEnabled
        if index.column() == CHECK:
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        return flags

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        column = index.column()
        thread_id = self._ids[index.row()]
        if role == Qt.ItemDataRole.CheckStateRole and column == CHECK:
            return (Qt.CheckState.Checked if thread_id in self._checked
                    else Qt.CheckState.Unchecked)
        if role == ID_ROLE:
            return thread_id
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (PEOPLE, DATE):
            horizontal = Qt.AlignmentFlag.AlignRight if column == DATE else \
                Qt.AlignmentFlag.AlignLeft
            return int(Qt.AlignmentFlag.AlignTop | horizontal)
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.DecorationRole,
                        Qt.ItemDataRole.FontRole, Qt.ItemDataRole.ToolTipRole,
                        Qt.ItemDataRole.AccessibleTextRole, RECORD_ROLE, UNREAD_ROLE,
                        SNIPPET_ROLE):
            return None
        row = self.record(index.row())
        unread = bool(row.get("unread"))
        if role == RECORD_ROLE:
            return row
        if role == UNREAD_ROLE:
            return unread
        if role == SNIPPET_ROLE:
            return row.get("snippet") or ""
        if role == Qt.ItemDataRole.FontRole:
            if unread:
                font = QFont()
                font.setBold(True)
                return font
            return None
        if role == Qt.ItemDataRole.DecorationRole:
            if column == STAR and row.get("starred"):
                return icon("star-filled")
            if column == ATTACHMENT and row.get("has_attachments"):
                return icon("attachment")
            return None
        if role == Qt.ItemDataRole.ToolTipRole:
            return _plain(row.get("snippet") or "") or None
        if column == PEOPLE:
            return row.get("participants_label") or ""
        if column == SUBJECT:
            return row.get("subject") or self.tr("(no subject)")
        if column == DATE:
            return short_time(row.get("last_message_at"))
        if role == Qt.ItemDataRole.AccessibleTextRole and column == CHECK:
            return self.tr("Select")
        return None

    def setData(self, index: QModelIndex, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or role != Qt.ItemDataRole.CheckStateRole:
            return False
        checked = Qt.CheckState(value) == Qt.CheckState.Checked
        thread_id = self._ids[index.row()]
        if checked:
            self._checked.add(thread_id)
        else:
            self._checked.discard(thread_id)
        self.dataChanged.emit(index, index, [Qt.ItemDataRole.CheckStateRole])
        self.checkedChanged.emit(len(self._checked))
        return True

    # drags -------------------------------------------------------------------------------------
    def mimeTypes(self) -> list[str]:
        return [THREAD_IDS_MIME]

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def mimeData(self, indexes: list[QModelIndex]) -> QMimeData:
        rows = sorted({index.row() for index in indexes if index.isValid()})
        ids = [self._ids[row] for row in rows]
        if ids and all(i in self._checked for i in ids):
            ids = self.checked_ids()  # dragging a checked row carries every checked thread
        data = QMimeData()
        data.setData(THREAD_IDS_MIME, encode_thread_ids(ids))
        return data


def _plain(snippet: str) -> str:
    return snippet.replace("<b>", "").replace("</b>", "")


def _search_rows(results: list[dict]) -> tuple[list[str], dict[str, dict]]:
    """One row per thread, best match first, keeping the highlighted snippet."""
    ids: list[str] = []
    overrides: dict[str, dict] = {}
    for result in results:
        thread_id = result["thread_id"]
        if thread_id in overrides:
            continue
        ids.append(thread_id)
        overrides[thread_id] = {"snippet": result.get("snippet") or "",
                                "match_message_id": result.get("message_id")}
    return ids, overrides


def _draft_rows(drafts: list[dict]) -> tuple[list[str], dict[str, dict]]:
    ids: list[str] = []
    rows: dict[str, dict] = {}
    for draft in sorted(drafts, key=lambda d: d.get("updated_at") or "", reverse=True):
        ids.append(draft["id"])
        rows[draft["id"]] = {
            "id": draft["id"], "subject": draft.get("subject") or "",
            "snippet": "", "participants_label": _draft_to_label(draft),
            "last_message_at": draft.get("updated_at"), "unread": False, "starred": False,
            "has_attachments": bool(draft.get("attachment_ids")), "draft": draft,
        }
    return ids, rows


def _draft_to_label(draft: dict) -> str:
    labels = draft.get("to_labels")
    if labels:
        return ", ".join(labels)
    return ", ".join(str(a).split(":", 1)[-1] for a in draft.get("to") or [])

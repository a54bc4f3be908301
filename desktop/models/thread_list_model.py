"""The thread list's model: holds only thread ids and reads rows from the cache in small blocks.

A folder's ids come in keyset pages (``cache.thread_page``): the first page in the background,
the next ones through ``canFetchMore``/``fetchMore`` as the view scrolls. Row fields are read
in blocks on worker threads (``RowBlocks``); until a row's block arrives the row paints as a
placeholder (``LOADING_ROLE``), so painting never waits on the cache. A folder of 100,000
threads opens as fast as one of 100. Checked rows are a set of ids that survives refreshes.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QMimeData,
    QModelIndex,
    QObject,
    Qt,
    Signal,
    Slot,
)
from PySide6.QtGui import QFont

from desktop.display import short_time
from desktop.models.folder_model import encode_thread_ids
from desktop.models.index import Index
from desktop.models.list_row import ListRow, Override, Shown
from desktop.models.listings import draft_rows, newest_first, search_rows
from desktop.models.roles import (
    ID_ROLE,
    LOADING_ROLE,
    RECORD_ROLE,
    SNIPPET_ROLE,
    THREAD_IDS_MIME,
    UNREAD_ROLE,
)
from desktop.models.row_blocks import (
    BLOCK_ROWS,
    ReadBlock,
    RowBlocks,
    read_block_values,
    read_blocks,
)
from desktop.resources import icon
from desktop.tasks import Latest, TaskRunner

if TYPE_CHECKING:
    from sync.cache import Cache
    from sync.cache.rows import ThreadPage, ThreadRow

CHECK, STAR, PEOPLE, SUBJECT, ATTACHMENT, DATE = range(6)
COLUMN_COUNT = 6
log = logging.getLogger(__name__)
# Whole blocks of rows (row_blocks.BLOCK_ROWS): a block read before its page's end was
# appended would be read again, its new rows painted as placeholders meanwhile.
PAGE_ROWS = 2 * BLOCK_ROWS
SEARCH_LIMIT = 200  # matching messages read for one search

Cursor = tuple[float, str]  # the keyset of a folder's next page (ThreadPage["next"])
# What a refresh reads: ids, the next page's cursor, the rows given by the listing (search
# matches, drafts), the number of matching messages, and the blocks of rows on screen.
Listing = tuple[list[str], Cursor | None, dict[str, Override], int, dict[int, list[ListRow]]]
# A page of ids read ahead, with the rows of its first block.
PageAhead = tuple["ThreadPage", ReadBlock]
# The same before the blocks are read, with the rows already read with the ids (a search's).
Ids = tuple[list[str], Cursor | None, dict[str, Override], int, "dict[str, ThreadRow] | None"]


class ThreadListModel(QAbstractItemModel):
    """Rows of one folder, of search results, or of drafts.

    Signals:
        loaded(): a new set of ids has been applied (after a folder switch, search or refresh).
        checkedChanged(int): the number of checked threads.
    """

    loaded = Signal()
    checkedChanged = Signal(int)

    def __init__(self, cache: Cache, runner: TaskRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._cache = cache
        self._runner = runner
        self._ids: list[str] = []
        self._next: Cursor | None = None  # of the next page, None when all are loaded
        # A page read ahead with the rows of its first block, under the (source, cursor) it
        # was read for.
        self._next_page: tuple[tuple[tuple[str, str], Cursor], PageAhead] | None = None
        self._reading_ahead = False
        self._rows = RowBlocks(cache, runner, self)
        self._rows.rowsRead.connect(self.on_rows_rowsRead)
        self._checked: dict[str, None] = {}  # an ordered set
        self._latest = Latest()
        self._ticket = self._latest.ask()  # the listing shown now
        self.source: tuple[str, str] = ("folder", "inbox")
        self.matches = 0  # messages matching the search shown (at most SEARCH_LIMIT)
        self.has_loaded = False  # the rows of `source` have arrived at least once

    # what is shown ---------------------------------------------------------------------------
    def show_folder(self, folder_id: str) -> None:
        self._switch(("folder", folder_id))

    def show_search(self, text: str) -> None:
        self._switch(("search", text))

    def _switch(self, source: tuple[str, str]) -> None:
        self.source = source
        self.has_loaded = False
        # The rows shown until the new ones arrive belong to the old source: no page of the
        # new one may be appended to them.
        self._next = None
        self._forget_checks()
        self._rows.hold()
        self.refresh(keep_loaded=False)

    @Slot(int, int)
    def on_rows_rowsRead(self, first: int, last: int) -> None:
        self.dataChanged.emit(self.index(first, 0), self.index(last, COLUMN_COUNT - 1))

    def _forget_checks(self) -> None:
        if self._checked:
            self._checked.clear()
            self.checkedChanged.emit(0)

    def refresh(self, keep_loaded: bool = True) -> None:
        """Read the ids again in the background (as many as are loaded now, at least a page),
        with the rows on screen, so that a refresh never shows placeholders where rows were."""
        ticket = self._ticket = self._latest.ask()
        kind, value = self.source
        cache = self._cache
        if kind == "search":
            def read_ids() -> Ids:
                results = cache.search(value, limit=SEARCH_LIMIT)
                ids, overrides = search_rows(results)
                rows = cache.thread_rows(ids)
                return (newest_first(ids, rows), None, overrides, len(results),
                        {r["id"]: r for r in rows})
        elif value == "drafts":
            def read_ids() -> Ids:
                return (*draft_rows(cache.drafts(), cache.people(), cache.groups()), 0, None)
        else:
            limit = max(len(self._ids) if keep_loaded else 0, PAGE_ROWS)

            def read_ids() -> Ids:
                page = cache.thread_page(value, limit)
                return list(page["ids"]), page["next"], {}, 0, None
        on_screen = self._rows.recent_blocks() if keep_loaded else [0]

        def read() -> Listing | None:
            if not ticket.current:
                return None  # superseded while it waited for a reader (typing a search)
            ids, next_page, overrides, matches, known = read_ids()
            return ids, next_page, overrides, matches, read_blocks(cache, ids, overrides,
                                                                   on_screen, known)

        def done(result: Listing | None) -> None:
            if result is not None:
                self._apply(keep_loaded, *result)

        def failed(error: BaseException) -> None:
            log.error("reading the thread list failed", exc_info=error)
            self._rows.resume()

        self._runner.run(read, ticket.then(done), ticket.then(failed))

    def _apply(self, keep_loaded: bool, ids: list[str], next_page: Cursor | None,
               overrides: dict[str, Override], matches: int,
               blocks: dict[int, list[ListRow]]) -> None:
        self.beginResetModel()
        self._ids = ids
        self.matches = matches
        self.has_loaded = True
        self._next = next_page
        self._next_page = None
        self._rows.reset(ids, overrides, blocks, forget_position=not keep_loaded)
        self.endResetModel()
        if self._next is None and self._checked:
            known = set(ids)
            gone = [i for i in self._checked if i not in known]
            for thread_id in gone:
                del self._checked[thread_id]
            if gone:
                self.checkedChanged.emit(len(self._checked))
        self.loaded.emit()
        self._read_ahead()

    @property
    def is_drafts(self) -> bool:
        return self.source == ("folder", "drafts")

    @property
    def is_search(self) -> bool:
        return self.source[0] == "search"

    def total(self) -> int:
        """Threads loaded so far (all of them once ``canFetchMore()`` is False)."""
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

    def record(self, row: int) -> ListRow:
        """The row's fields, read from the cache on the calling thread if its block has not
        arrived yet: for an action on one row or a check, never for painting."""
        return self._rows.row_now(row)

    def record_if_read(self, row: int) -> ListRow | None:
        """The row's fields if its block has arrived, without reading anything."""
        return self._rows.row_now(row) if self._rows.is_read(row) else None

    def painted_row(self, row: int) -> tuple[ListRow, Shown] | None:
        """For painting: the row's fields and display texts, or None while its block is being
        read (it is asked for, and ``dataChanged`` says when it has arrived)."""
        record = self._rows.row(row)
        return None if record is None else (record, self._shown_of(record))

    def is_checked(self, row: int) -> bool:
        return self._ids[row] in self._checked

    # checking ----------------------------------------------------------------------------------
    def checked_ids(self) -> list[str]:
        return list(self._checked)

    def set_checked(self, thread_ids: list[str], checked: bool) -> None:
        for thread_id in thread_ids:
            if checked:
                self._checked[thread_id] = None
            else:
                self._checked.pop(thread_id, None)
        if self._ids:
            self.dataChanged.emit(self.index(0, CHECK), self.index(len(self._ids) - 1, CHECK),
                                  [Qt.ItemDataRole.CheckStateRole])
        self.checkedChanged.emit(len(self._checked))

    def check_all(self) -> None:
        """Check every thread of the folder, those not loaded yet too (read in the background)."""
        if self._next is None or self.source[0] != "folder":
            self.set_checked(list(self._ids), True)
            return
        folder = self.source[1]
        self._runner.run(lambda: list(self._cache.thread_ids(folder)),
                         self._ticket.then(lambda ids: self.set_checked(ids, True)))

    def clear_checks(self) -> None:
        self.set_checked(list(self._checked), False)

    def check_state(self) -> Qt.CheckState:
        """For the select-all box: none, some, or every listed thread checked."""
        if not self._checked:
            return _UNCHECKED
        if len(self._checked) >= len(self._ids) and all(i in self._checked for i in self._ids):
            return _CHECKED
        return Qt.CheckState.PartiallyChecked

    # lazy loading ------------------------------------------------------------------------------
    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:
        return not parent.isValid() and self._next is not None

    def fetchMore(self, parent: Index = QModelIndex()) -> None:
        """The next keyset page of ids: an indexed query of PAGE_ROWS rows."""
        if parent.isValid() or self._next is None or self.source[0] != "folder":
            return
        ready = self._next_page
        first_block: ReadBlock | None = None
        if ready is not None and ready[0] == (self.source, self._next):
            page, first_block = ready[1]  # read ahead in the background
        else:
            page = self._cache.thread_page(self.source[1], PAGE_ROWS, before=self._next)
        self._next_page = None
        known = set(self._ids[-PAGE_ROWS:])
        ids = [i for i in page["ids"] if i not in known]
        self._next = page["next"]
        if not ids:
            return
        start = len(self._ids)
        self.beginInsertRows(QModelIndex(), start, start + len(ids) - 1)
        self._ids.extend(ids)
        self.endInsertRows()
        if first_block is not None and len(ids) == len(page["ids"]) \
                and start % BLOCK_ROWS == 0:
            # Its rows are shown at once: no placeholders where one page meets the next.
            self._rows.add_block(start // BLOCK_ROWS, first_block)
        self._rows.appended()
        self._read_ahead()

    def _read_ahead(self) -> None:
        """Read the next page of ids in the background, for the next fetchMore."""
        if self._next is None or self.source[0] != "folder" or self._reading_ahead:
            return  # at most one read-ahead waits in the pool, ahead of nothing urgent
        key, folder, cursor = (self.source, self._next), self.source[1], self._next
        ticket, cache = self._ticket, self._cache
        self._reading_ahead = True

        def read() -> PageAhead:
            page = cache.thread_page(folder, PAGE_ROWS, before=cursor)
            return page, read_block_values(cache, page["ids"][:BLOCK_ROWS], {})

        def keep(ahead: PageAhead) -> None:
            self._reading_ahead = False
            # Read before a refresh, its rows may be out of date.
            if (self.source, self._next) == key and ticket is self._ticket:
                self._next_page = (key, ahead)

        def failed(_error: BaseException) -> None:
            self._reading_ahead = False

        self._runner.run(read, keep, failed)

    def reveal_all(self) -> None:
        """Load every page (before jumping to the end of a long folder)."""
        while self.canFetchMore():
            self.fetchMore()

    # QAbstractItemModel ----------------------------------------------------------------------
    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:
        if parent.isValid() or not (0 <= row < len(self._ids)) or not (0 <= column < COLUMN_COUNT):
            return QModelIndex()
        return self.createIndex(row, column)

    def parent(self, child: Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]
        # (the stubs merge it with QObject.parent(); a flat model has no parents)
        return QModelIndex()

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
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

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return _ENABLED
        if index.column() == CHECK:
            return _CHECK_FLAGS_DRAFTS if self.is_drafts else _CHECK_FLAGS
        return _ROW_FLAGS_DRAFTS if self.is_drafts else _ROW_FLAGS

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # For accessibility, tooltips and drags; the list paints from painted_row(). Values
        # are prepared once per row (see _shown_of).
        if not index.isValid():
            return None
        role = int(role)
        column = index.column()
        if role == _CHECK_STATE:
            if column != CHECK:
                return None
            return _CHECKED if self._ids[index.row()] in self._checked else _UNCHECKED
        if role == _ID:
            return self._ids[index.row()]
        if role == _ALIGNMENT:
            return _ALIGN_DATE if column == DATE else _ALIGN_TOP_LEFT if column == PEOPLE \
                else None
        if role not in _ROW_ROLES:
            return None
        row = self._rows.row(index.row())
        if row is None:  # its block is being read: a placeholder, filled in by dataChanged
            if role == _ACCESSIBLE and column == CHECK:
                return self.tr("Select")
            return True if role == _LOADING else "" if role == _DISPLAY else None
        if role == _LOADING:
            return False
        shown = self._shown_of(row)
        if role == _DISPLAY:
            return shown[column]
        if role == _FONT:
            return _bold_font() if shown[6] and column in _BOLD_WHEN_UNREAD else None
        if role == _DECORATION:
            if column == STAR and row.get("starred"):
                return icon("star-filled")
            if column == ATTACHMENT and row.get("has_attachments"):
                return icon("attachment")
            return None
        if role == _UNREAD:
            return shown[6]
        if role == _SNIPPET:
            return row["snippet"]
        if role == _RECORD:
            return row
        if role == _TOOLTIP:
            return _plain(row["snippet"]) or None
        if role == _ACCESSIBLE and column == CHECK:
            return self.tr("Select")
        return None

    def _shown_of(self, row: ListRow) -> Shown:
        """The row's display texts, prepared the first time they are asked for."""
        shown = row.get("_shown")
        if shown is None:
            shown = row["_shown"] = self._shown(row)
        return shown

    def _shown(self, row: ListRow) -> Shown:
        """Display texts by column, then the unread flag."""
        return ("", "", row.get("participants_label") or "",
                row["subject"] or self.tr("(no subject)"), "",
                short_time(row.get("last_message_at")), bool(row.get("unread")))

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or role != Qt.ItemDataRole.CheckStateRole:
            return False
        checked = Qt.CheckState(value) == Qt.CheckState.Checked
        thread_id = self._ids[index.row()]
        if checked:
            self._checked[thread_id] = None
        else:
            self._checked.pop(thread_id, None)
        self.dataChanged.emit(index, index, [Qt.ItemDataRole.CheckStateRole])
        self.checkedChanged.emit(len(self._checked))
        return True

    # drags -------------------------------------------------------------------------------------
    def mimeTypes(self) -> list[str]:
        return [THREAD_IDS_MIME]

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:
        rows = sorted({index.row() for index in indexes if index.isValid()})
        ids = [self._ids[row] for row in rows]
        if ids and all(i in self._checked for i in ids):
            ids = self.checked_ids()  # dragging a checked row carries every checked thread
        data = QMimeData()
        data.setData(THREAD_IDS_MIME, encode_thread_ids(ids))
        return data


_ENABLED = Qt.ItemFlag.ItemIsEnabled
_ROW_FLAGS_DRAFTS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
_ROW_FLAGS = _ROW_FLAGS_DRAFTS | Qt.ItemFlag.ItemIsDragEnabled
_CHECK_FLAGS_DRAFTS = _ROW_FLAGS_DRAFTS | Qt.ItemFlag.ItemIsUserCheckable
_CHECK_FLAGS = _ROW_FLAGS | Qt.ItemFlag.ItemIsUserCheckable
_CHECK_STATE = int(Qt.ItemDataRole.CheckStateRole)
_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_DECORATION = int(Qt.ItemDataRole.DecorationRole)
_FONT = int(Qt.ItemDataRole.FontRole)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
_ALIGNMENT = int(Qt.ItemDataRole.TextAlignmentRole)
_ACCESSIBLE = int(Qt.ItemDataRole.AccessibleTextRole)
_ID, _RECORD, _UNREAD, _SNIPPET, _LOADING = int(ID_ROLE), int(RECORD_ROLE), int(UNREAD_ROLE), \
    int(SNIPPET_ROLE), int(LOADING_ROLE)
_ROW_ROLES = frozenset({_DISPLAY, _DECORATION, _FONT, _TOOLTIP, _ACCESSIBLE, _RECORD, _UNREAD,
                        _SNIPPET, _LOADING})
_CHECKED, _UNCHECKED = Qt.CheckState.Checked, Qt.CheckState.Unchecked
_BOLD_WHEN_UNREAD = frozenset({PEOPLE, SUBJECT})  # the snippet under the subject stays plain
_ALIGN_TOP_LEFT = int(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
_ALIGN_DATE = int(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignRight)
_BOLD: list[QFont] = []


def _bold_font() -> QFont:
    if not _BOLD:
        font = QFont()
        font.setBold(True)
        _BOLD.append(font)
    return _BOLD[0]


def _plain(snippet: str) -> str:
    return snippet.replace("<b>", "").replace("</b>", "")

"""A table model over a paged API listing (`limit` + a `next` cursor): the first page is read
when the query changes, the next as the view scrolls near the end. Every read runs off the GUI
thread; an answer to a query that has been replaced meanwhile is dropped."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    Qt,
    Signal,
)

from desktop.error_text import admin_error_text
from desktop.models.index import Index
from desktop.models.roles import ID_ROLE, RECORD_ROLE
from desktop.tasks import Latest, TaskRunner

Page = tuple[list[dict], Any]
Column = tuple[str, Callable[[dict], str]]


class PagedTableModel(QAbstractTableModel):
    """Rows are the records of the listing, in the server's order.

    Signals:
        loaded(): a page came in (the first of a query, or one more).
        failed(str): reading failed; the sentence says why.
        busyChanged(bool): a read started or ended.
    """

    loaded = Signal()
    failed = Signal(str)
    busyChanged = Signal(bool)

    columns: list[Column] = []

    def __init__(self, runner: TaskRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.rows: list[dict] = []
        self.query: dict = {}
        self.next_cursor: Any = None
        self._latest = Latest()
        self.ticket = self._latest.ask()  # the query shown now
        self.busy = False

    # what subclasses give ----------------------------------------------------------------
    def fetch_page(self, query: dict, cursor: Any, stale: Callable[[], bool]) -> Page:
        """Runs on a worker thread: one page of records and the cursor of the next (or None).
        ``stale()`` turns true once the query has been replaced: long reads may stop early."""
        raise NotImplementedError

    # reading -------------------------------------------------------------------------------
    def set_query(self, query: dict) -> None:
        """Shows the listing for ``query`` from its first page; a read still running for an
        older query is left to finish and its answer ignored."""
        self.query = dict(query)
        ticket = self.ticket = self._latest.ask()
        self._set_busy(True)
        self.runner.run(lambda: self.fetch_page(query, None, lambda: not ticket.current),
                        ticket.then(self._first_page), ticket.then(self._failed))

    def reload(self) -> None:
        self.set_query(self.query)

    def _first_page(self, page: Page) -> None:
        self.beginResetModel()
        self.rows, self.next_cursor = list(page[0]), page[1]
        self.endResetModel()
        self._set_busy(False)
        self.loaded.emit()

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008, N802
        return not parent.isValid() and self.next_cursor is not None and not self.busy

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008, N802
        if not self.canFetchMore(parent):
            return
        ticket, query, cursor = self.ticket, self.query, self.next_cursor
        self._set_busy(True)
        self.runner.run(lambda: self.fetch_page(query, cursor, lambda: not ticket.current),
                        ticket.then(self._more), ticket.then(self._failed))

    def _more(self, page: Page) -> None:
        records, self.next_cursor = list(page[0]), page[1]
        if records:
            start = len(self.rows)
            self.beginInsertRows(QModelIndex(), start, start + len(records) - 1)
            self.rows.extend(records)
            self.endInsertRows()
        self._set_busy(False)
        self.loaded.emit()

    def _failed(self, error: BaseException) -> None:
        self._set_busy(False)
        self.failed.emit(admin_error_text(error))

    def _set_busy(self, busy: bool) -> None:
        if busy != self.busy:
            self.busy = busy
            self.busyChanged.emit(busy)

    # the table -----------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole
                and 0 <= section < len(self.columns)):
            return self.tr(self.columns[section][0])
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self.rows):
            return None
        record = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self.columns[index.column()][1](record)
        if role == ID_ROLE:
            return record.get("id")
        if role == RECORD_ROLE:
            return record
        return None

    def record(self, row: int) -> dict | None:
        return self.rows[row] if 0 <= row < len(self.rows) else None

    def row_of(self, record_id: Any) -> int:
        for row, record in enumerate(self.rows):
            if record.get("id") == record_id:
                return row
        return -1

    def replace(self, record: dict) -> None:
        """Shows a record the server changed (after an edit) where it already is."""
        row = self.row_of(record.get("id"))
        if row < 0:
            return
        self.rows[row] = record
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.columns) - 1))

"""The thread list: a table view with fixed row heights over the lazy thread model.

A QTableView rather than a QTreeView: a tree lays out every row again (asking the model about
each) whenever a page of rows is appended, which at 100,000 rows costs a visible stall; a
table with fixed-height rows does not.

A click on the checkbox checks without opening, one on the header's box checks every thread of
the folder (or none), one on the star stars or unstars; Space checks the current row, Ctrl+A
checks every thread of the folder, Delete moves the checked (or current) threads to the trash.
A list with no rows says why (an empty folder, a search without matches).
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, QItemSelectionModel, QModelIndex, Qt, QTimer, Signal, Slot
from PySide6.QtGui import (
    QFontMetrics,
    QKeyEvent,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
)
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from desktop.models.index import Index
from desktop.models.list_row import ListRow
from desktop.models.roles import ID_ROLE, RECORD_ROLE
from desktop.models.thread_list_model import (
    ATTACHMENT,
    CHECK,
    DATE,
    PEOPLE,
    STAR,
    SUBJECT,
    ThreadListModel,
)
from desktop.widgets.check_header import CheckHeader
from desktop.widgets.row_painter import RowPainter


class ThreadList(QTableView):
    """Signals:
    threadOpened(str): the current thread changed to this id ("" for none).
    draftOpened(dict): a draft was activated in the Drafts folder.
    trashRequested(list): thread ids to move to the trash (Delete key).
    starToggled(str, bool): a thread's star was clicked; whether it is to be starred.
    firstListPainted(): the list has painted what it lists for the first time, its rows or why
        there are none (emitted once, after that paint is done).
    """

    threadOpened = Signal(str)
    draftOpened = Signal(dict)
    trashRequested = Signal(list)
    starToggled = Signal(str, bool)
    firstListPainted = Signal()

    def __init__(self, model: ThreadListModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("threadList")
        self.setHorizontalHeader(CheckHeader(CHECK, self))
        self.setModel(model)
        self.empty_text = ""
        self.setShowGrid(False)
        self.setWordWrap(False)
        self.setCornerButtonEnabled(False)
        rows = self.verticalHeader()
        rows.hide()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(2 * QFontMetrics(self.font()).lineSpacing() + 12)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setDragEnabled(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.row_painter = RowPainter(self)
        self._painted_listing = False
        self.setAlternatingRowColors(False)
        header = self.check_header
        header.toggled.connect(self.on_check_header_toggled)
        header.setHighlightSections(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setStretchLastSection(False)
        header.setSectionResizeMode(CHECK, QHeaderView.ResizeMode.Fixed)
        header.setSectionResizeMode(STAR, QHeaderView.ResizeMode.Fixed)
        header.setSectionResizeMode(ATTACHMENT, QHeaderView.ResizeMode.Fixed)
        header.setSectionResizeMode(PEOPLE, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(SUBJECT, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(DATE, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(CHECK, 30)
        header.resizeSection(STAR, 26)
        header.resizeSection(ATTACHMENT, 26)
        header.resizeSection(PEOPLE, 160)
        header.resizeSection(DATE, 72)
        self._current_id = ""
        self.selectionModel().currentRowChanged.connect(self.on_selection_currentRowChanged)
        model.modelAboutToBeReset.connect(self.on_model_modelAboutToBeReset)
        model.modelReset.connect(self.on_model_modelReset)
        model.rowsInserted.connect(self.on_model_rowsInserted)
        model.checkedChanged.connect(lambda _count: header.set_state(model.check_state()))
        model.loaded.connect(lambda: header.set_state(model.check_state()))
        self.activated.connect(self.on_self_activated)

    @property
    def thread_model(self) -> ThreadListModel:
        return self.model()  # type: ignore[return-value]

    @property
    def check_header(self) -> CheckHeader:
        return self.horizontalHeader()  # type: ignore[return-value]

    def set_empty_text(self, text: str) -> None:
        """What the list says while it has no rows."""
        self.empty_text = text
        self.viewport().update()

    def dataChanged(self, top_left: Index, bottom_right: Index,
                    roles: Sequence[int] = ()) -> None:
        """Qt repaints the whole list for any change of more than one cell: rows read ahead,
        off screen, would cost a full paint of the rows on screen."""
        first, last = self.rowAt(0), self.rowAt(self.viewport().height() - 1)
        if last < 0:
            last = self.thread_model.rowCount() - 1
        if first >= 0 and (bottom_right.row() < first or top_left.row() > last):
            return
        super().dataChanged(top_left, bottom_right, roles)

    def paintEvent(self, event: QPaintEvent) -> None:
        """Whole rows at a time (see RowPainter), or why there are none."""
        model = self.thread_model
        if not self._painted_listing and model.has_loaded:
            self._painted_listing = True
            QTimer.singleShot(0, self, self.firstListPainted.emit)  # once this paint is shown
        painter = QPainter(self.viewport())
        if model.rowCount():
            self.row_painter.paint_rows(painter, event.rect())
            painter.end()
            return
        if not model.has_loaded or not self.empty_text:
            painter.end()
            return
        painter.setPen(self.palette().color(QPalette.ColorRole.PlaceholderText))
        area = self.viewport().rect().adjusted(24, 24, -24, -24)
        painter.drawText(area, int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop
                                   | Qt.TextFlag.TextWordWrap), self.empty_text)
        painter.end()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in _LOOK_CHANGES:
            self.row_painter.forget()
        super().changeEvent(event)

    @Slot()
    def on_check_header_toggled(self) -> None:
        model = self.thread_model
        if model.check_state() == Qt.CheckState.Checked:
            model.clear_checks()
        else:
            model.check_all()

    def current_thread_id(self) -> str:
        index = self.currentIndex()
        return index.data(ID_ROLE) if index.isValid() else ""

    def select_thread(self, thread_id: str) -> bool:
        row = self.thread_model.row_of(thread_id)
        if row < 0:
            return False
        while row >= self.thread_model.rowCount() and self.thread_model.canFetchMore():
            self.thread_model.fetchMore()
        index = self.thread_model.index(row, SUBJECT)
        self.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows)
        self.scrollTo(index)
        return True

    # keeping the open thread across refreshes -------------------------------------------------
    @Slot()
    def on_model_modelAboutToBeReset(self) -> None:
        self._current_id = self.current_thread_id()

    @Slot()
    def on_model_modelReset(self) -> None:
        # Lay the new rows out now: left to the view's zero-time timer, the layout would come
        # after the first paint of the new rows and repaint the whole list a second time.
        self.doItemsLayout()
        if self._current_id:
            self.blockSignals(True)
            found = self.select_thread(self._current_id)
            if not found:  # a message sent from here got the server's id meanwhile
                resolved = self.thread_model.resolve(self._current_id)
                found = resolved != self._current_id and self.select_thread(resolved)
            self.blockSignals(False)
            if not found:
                self.threadOpened.emit("")

    @Slot(QModelIndex, int, int)
    def on_model_rowsInserted(self, _parent: QModelIndex, _first: int, _last: int) -> None:
        # Lay the appended rows out now too: a scroll step that asked for them and is painted
        # at once would otherwise be painted a second time when the view's timer fires.
        self.doItemsLayout()

    @Slot(QModelIndex, QModelIndex)
    def on_selection_currentRowChanged(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if self.signalsBlocked():
            return
        if self.thread_model.is_drafts:
            return
        self.threadOpened.emit(current.data(ID_ROLE) if current.isValid() else "")

    @Slot(QModelIndex)
    def on_self_activated(self, index: QModelIndex) -> None:
        if self.thread_model.is_drafts and index.isValid():
            record: ListRow | None = index.data(RECORD_ROLE)
            draft = record.get("draft") if record else None
            if draft:
                self.draftOpened.emit(draft)

    # checking ----------------------------------------------------------------------------------
    def mousePressEvent(self, event: QMouseEvent) -> None:
        index = self.indexAt(event.position().toPoint())
        if index.isValid() and index.column() == CHECK and \
                event.button() == Qt.MouseButton.LeftButton:
            self.toggle_check(index.row())
            event.accept()
            return
        if index.isValid() and index.column() == STAR and not self.thread_model.is_drafts \
                and event.button() == Qt.MouseButton.LeftButton:
            record = self.thread_model.record(index.row())
            self.starToggled.emit(index.data(ID_ROLE), not record.get("starred"))
            event.accept()
            return
        super().mousePressEvent(event)

    def _handled_by_press(self, event: QMouseEvent) -> bool:
        index = self.indexAt(event.position().toPoint())
        return index.isValid() and (index.column() == CHECK or (
            index.column() == STAR and not self.thread_model.is_drafts))

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._handled_by_press(event):
            event.accept()
            return
        super().mouseReleaseEvent(event)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        if self._handled_by_press(event):
            event.accept()
            return
        super().mouseDoubleClickEvent(event)

    def toggle_check(self, row: int) -> None:
        model = self.thread_model
        index = model.index(row, CHECK)
        checked = index.data(Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Checked
        model.setData(index, Qt.CheckState.Unchecked if checked else Qt.CheckState.Checked,
                      Qt.ItemDataRole.CheckStateRole)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.matches(QKeySequence.StandardKey.SelectAll):
            self.thread_model.check_all()
            event.accept()
            return
        if event.key() == Qt.Key.Key_Space and self.currentIndex().isValid():
            self.toggle_check(self.currentIndex().row())
            event.accept()
            return
        if event.key() == Qt.Key.Key_Delete and not self.thread_model.is_drafts:
            ids = self.thread_model.checked_ids() or (
                [self.current_thread_id()] if self.current_thread_id() else [])
            if ids:
                self.trashRequested.emit(ids)
            event.accept()
            return
        if event.key() == Qt.Key.Key_End and event.modifiers() & \
                Qt.KeyboardModifier.ControlModifier:
            self.thread_model.reveal_all()
        super().keyPressEvent(event)


_LOOK_CHANGES = frozenset({QEvent.Type.FontChange, QEvent.Type.PaletteChange,
                           QEvent.Type.StyleChange, QEvent.Type.ApplicationPaletteChange,
                           QEvent.Type.ApplicationFontChange})

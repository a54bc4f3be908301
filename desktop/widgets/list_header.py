"""The strip above the thread list: what is listed ("Inbox · 12 conversations, 3 unread",
"37 messages match …") or, while threads are checked, the bulk actions in the same place.

Both pages share one fixed height, so checking a row never moves the list under the pointer.
The thread list's empty state ("Inbox is empty.", "No messages match …") is worded here too.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QStackedWidget, QWidget

from desktop.models.thread_list_model import SEARCH_LIMIT, ThreadListModel
from desktop.widgets.bulk_toolbar import BulkToolBar


class ListHeader(QStackedWidget):
    def __init__(self, model: ThreadListModel, folders: Any, bulk_bar: BulkToolBar,
                 thread_list: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("listHeader")
        self.model = model
        self.folders = folders  # the FolderModel: names and counts
        self.bulk_bar = bulk_bar
        self.thread_list = thread_list
        self.summary_page = QWidget()
        self.summary_page.setObjectName("listSummary")
        line = QHBoxLayout(self.summary_page)
        line.setContentsMargins(10, 0, 10, 0)
        self.title = QLabel()
        self.title.setObjectName("listTitle")
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        line.addWidget(self.title)
        self.summary = QLabel()
        self.summary.setObjectName("hint")
        self.summary.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        line.addWidget(self.summary, 1)
        self.addWidget(self.summary_page)
        self.addWidget(bulk_bar)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.setFixedHeight(bulk_bar.sizeHint().height())
        model.checkedChanged.connect(self.on_model_checkedChanged)
        model.loaded.connect(self.update_texts)
        folders.loaded.connect(self.update_texts)
        self.update_texts()

    @Slot(int)
    def on_model_checkedChanged(self, count: int) -> None:
        self.setCurrentWidget(self.bulk_bar if count else self.summary_page)

    @Slot()
    def update_texts(self) -> None:
        title, summary, empty = self.texts()
        self.title.setText(title)
        self.summary.setText(summary)
        self.thread_list.set_empty_text(empty)

    def texts(self) -> tuple[str, str, str]:
        """(title, summary, what an empty list says) for what the list shows now."""
        kind, value = self.model.source
        if kind == "search":
            matches = self.model.matches
            if not matches:
                text = self.tr("No messages match \u201c%s\u201d") % value
                return text, "", text + "."
            if matches >= SEARCH_LIMIT:
                count = self.tr("The best %n messages", "", matches)
            else:
                count = self.tr("1 message") if matches == 1 else \
                    self.tr("%n messages", "", matches)
            threads = self.model.total()
            where = "" if threads == matches else self.tr(" in 1 conversation") \
                if threads == 1 else self.tr(" in %n conversations", "", threads)
            verb = self.tr("matches") if matches == 1 else self.tr("match")
            return count, f"{verb} \u201c{value}\u201d{where}", ""
        row = self.folders.row_of(value)
        name = self.folders.index(row, 0).data() if row >= 0 else ""
        total = self.folders.folder(row)["total"] if row >= 0 else 0
        unread = self.folders.unread(value)
        if value == "drafts":
            summary = "" if not total else self.tr("1 draft") if total == 1 else \
                self.tr("%n drafts", "", total)
        else:
            summary = "" if not total else self.tr("1 conversation") if total == 1 else \
                self.tr("%n conversations", "", total)
            if unread:
                summary += self.tr(", %n unread", "", unread)
        return name, summary, self.tr("%s is empty.") % name if name else ""

"""The conversation view's model: the messages of one thread, with the thread and its state."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from desktop.models.index import Index
from desktop.models.roles import ID_ROLE, RECORD_ROLE
from desktop.tasks import Latest, TaskRunner

if TYPE_CHECKING:
    from sync.cache import Cache
    from sync.cache.rows import Conversation, ConversationThread, MessageRow, ThreadStateRow


class ConversationModel(QAbstractListModel):
    """One row per message, oldest first; ``thread`` and ``state`` hold the thread's fields.

    Signals:
        loaded(str): the thread id whose conversation was (re)read; "" when it is gone.
    """

    loaded = Signal(str)

    def __init__(self, cache: Cache, runner: TaskRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._cache = cache
        self._runner = runner
        self.thread_id: str | None = None
        self.thread_row: ConversationThread | None = None
        self.state: ThreadStateRow | None = None
        self._messages: list[MessageRow] = []
        self._latest = Latest()

    def show_thread(self, thread_id: str | None) -> None:
        self.thread_id = thread_id
        self.refresh()

    def refresh(self) -> None:
        ticket = self._latest.ask()
        thread_id = self.thread_id
        if thread_id is None:
            self._apply(None)
            return
        self._runner.run(lambda: self._cache.conversation(thread_id), ticket.then(self._apply))

    def _apply(self, conversation: Conversation | None) -> None:
        self.beginResetModel()
        if conversation is None:
            self.thread_row = self.state = None
            self._messages = []
        else:
            self.thread_row = conversation["thread"].copy()
            self.thread_id = self.thread_row["id"]  # a local id is followed to the server's
            self.state = conversation["state"].copy()
            self._messages = [m.copy() for m in conversation["messages"]]
        self.endResetModel()
        self.loaded.emit(self.thread_id if conversation is not None else "")

    def messages(self) -> list[MessageRow]:
        return list(self._messages)

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._messages)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> Any:
        if not index.isValid():
            return None
        message = self._messages[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return message["body_text"] or ""
        if role == ID_ROLE:
            return message["id"]
        if role == RECORD_ROLE:
            return message
        return None

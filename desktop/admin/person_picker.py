"""A field to pick one person of the practice by typing part of a name, username or email:
matches come from `GET /admin/people` (debounced, off the GUI thread, stale answers dropped)."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QStringListModel, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import QCompleter, QLineEdit, QWidget

from desktop.tasks import Latest, TaskRunner
from sync.admin_api import AdminApi

SEARCH_DELAY_MS = 250
MATCHES = 20


class PersonPicker(QLineEdit):
    """Signals:
    personChanged(object): the picked person's id, or None when the field is cleared.
    """

    personChanged = Signal(object)

    def __init__(self, admin: AdminApi, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.admin = admin
        self.runner = runner
        self.person_id: str | None = None
        self.matches: list[dict] = []
        self._latest = Latest()
        self.setPlaceholderText(self.tr("Anyone"))
        self.setClearButtonEnabled(True)
        self.names = QStringListModel(self)
        self.completer_ = QCompleter(self.names, self)
        self.completer_.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer_.setFilterMode(Qt.MatchFlag.MatchContains)
        self.completer_.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.setCompleter(self.completer_)
        self.completer_.activated[QModelIndex].connect(  # type: ignore[index]  # an overloaded signal
            self.on_completer_activated)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._timer.timeout.connect(self._look_up)
        self.textEdited.connect(self.on_textEdited)

    @staticmethod
    def label(person: dict) -> str:
        return f"{person.get('name')} ({person.get('username')})"

    @Slot(str)
    def on_textEdited(self, text: str) -> None:
        if self.person_id is not None:
            self.person_id = None
            self.personChanged.emit(None)
        if text.strip():
            self._timer.start()
        else:
            self._timer.stop()

    def _look_up(self) -> None:
        text = self.text().strip()
        self.runner.run(lambda: self.admin.people(q=text, include_disabled=True,
                                                  limit=MATCHES),
                        self._latest.ask().then(self._show_matches),
                        lambda _error: None)

    def _show_matches(self, page: dict) -> None:
        self.matches = list(page.get("people") or [])
        self.names.setStringList([self.label(p) for p in self.matches])
        if self.hasFocus():
            self.completer_.complete()

    @Slot(QModelIndex)
    def on_completer_activated(self, index: QModelIndex) -> None:
        label = index.data()
        for person in self.matches:
            if self.label(person) == label:
                self.pick(person)
                return

    def pick(self, person: dict) -> None:
        self.setText(self.label(person))
        self.person_id = person["id"]
        self.personChanged.emit(self.person_id)

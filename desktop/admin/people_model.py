"""The People table: staff and clients as `GET /admin/people` lists them (by name, a page at a
time). Sorting by any other column reads every page of the current search on a worker and
sorts there, so the GUI thread never waits, however many clients the practice has."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, Qt
from PySide6.QtGui import QGuiApplication, QPalette

from desktop.admin.labels import account_state
from desktop.admin.paged_model import Column, Index, Page, PagedTableModel
from desktop.display import role_label, short_time
from desktop.tasks import TaskRunner
from sync.admin_api import AdminApi

PAGE_SIZE = 200
ALL_PAGE_SIZE = 500


def _two_step(person: dict) -> str:
    if person.get("kind") == "client":
        return ""
    return QCoreApplication.translate("admin", "On" if person.get("mfa_enabled") else "Off")


class PeopleModel(PagedTableModel):
    """The query is ``{"kind": "staff"|"client"|None, "q", "include_disabled", "sort"}``;
    ``sort`` is None for the server's order (name, A to Z) or ``(column, descending)``."""

    columns: list[Column] = [
        ("Name", lambda p: p.get("name") or ""),
        ("Username", lambda p: p.get("username") or ""),
        ("Role", role_label),
        ("Email", lambda p: p.get("email") or ""),
        ("Account", account_state),
        ("Two-step", _two_step),
        ("Last signed in", lambda p: short_time(p.get("last_login_at"))),
        ("Invite sent", lambda p: short_time(p.get("invite_sent_at"))),
    ]
    # Times sort by their value, not by how they are written.
    _sort_fields = {6: "last_login_at", 7: "invite_sent_at"}

    def __init__(self, admin: AdminApi, runner: TaskRunner, parent: QObject | None = None) -> None:
        super().__init__(runner, parent)
        self.admin = admin
        self.query = {"kind": None, "q": "", "include_disabled": False, "sort": None}

    def fetch_page(self, query: dict, cursor: Any, stale: Callable[[], bool]) -> Page:
        if query.get("sort") is None:
            page = self.admin.people(query.get("kind"), query.get("q") or "",
                                     bool(query.get("include_disabled")), PAGE_SIZE, cursor)
            return list(page.get("people") or []), page.get("next")
        rows = self._every_page(query, stale)
        column, descending = query["sort"]
        rows.sort(key=lambda p: self.sort_key(p, column), reverse=descending)
        return rows, None

    def _every_page(self, query: dict, stale: Callable[[], bool]) -> list[dict]:
        rows: list[dict] = []
        cursor = None
        while not stale():
            page = self.admin.people(query.get("kind"), query.get("q") or "",
                                     bool(query.get("include_disabled")), ALL_PAGE_SIZE, cursor)
            rows.extend(page.get("people") or [])
            cursor = page.get("next")
            if not cursor:
                return rows
        return rows  # replaced meanwhile: nobody will see these

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.ForegroundRole and index.isValid():
            record = self.record(index.row())
            if record and record.get("disabled"):
                return QGuiApplication.palette().color(QPalette.ColorGroup.Disabled,
                                                       QPalette.ColorRole.Text)
        return super().data(index, role)

    def sort_key(self, person: dict, column: int) -> str:
        field = self._sort_fields.get(column)
        if field:
            return str(person.get(field) or "")
        return self.columns[column][1](person).casefold()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        descending = order == Qt.SortOrder.DescendingOrder
        wanted = None if (column <= 0 and not descending) else (column, descending)
        if wanted == self.query.get("sort"):
            return
        self.set_query({**self.query, "sort": wanted})

    def search(self, kind: str | None, text: str, include_disabled: bool) -> None:
        self.set_query({**self.query, "kind": kind, "q": text.strip(),
                        "include_disabled": include_disabled})

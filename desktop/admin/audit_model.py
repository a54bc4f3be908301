"""The audit log as a table: `GET /audit` with its filters (person, action, date range), newest
first, a page at a time. People are named from the cache's directory, read on the worker."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject

from desktop.admin.labels import action_label
from desktop.admin.paged_model import Column, Page, PagedTableModel
from desktop.display import long_time
from desktop.tasks import TaskRunner
from sync.admin_api import AdminApi
from sync.cache.rows import PersonRow

PAGE_SIZE = 200
NEWEST_FIRST = {"order": "newest"}


class AuditModel(PagedTableModel):
    """The query holds API.md's filters: ``actor_id``, ``target_id``, ``action``, ``from``,
    ``to`` (RFC 3339 strings)."""

    columns: list[Column] = [
        ("When", lambda e: long_time(e.get("at"))),
        ("Who", lambda e: e.get("actor_name") or ""),
        ("Action", lambda e: action_label(str(e.get("action") or ""))),
        ("Concerning", lambda e: e.get("target_name") or ""),
        ("Address", lambda e: e.get("ip") or ""),
    ]

    def __init__(self, admin: AdminApi, runner: TaskRunner,
                 names: Callable[[], dict[str, PersonRow]], parent: QObject | None = None) -> None:
        super().__init__(runner, parent)
        self.admin = admin
        self.names = names

    def fetch_page(self, query: dict, cursor: Any, stale: Callable[[], bool]) -> Page:
        page = self.admin.audit(query, PAGE_SIZE, before=cursor, **NEWEST_FIRST)
        people = self.names()
        events = []
        for event in page.get("events") or []:
            events.append({**event,
                           "actor_name": self._name(people, event.get("actor_id")),
                           "target_name": self._target(people, event)})
        return events, page.get("next")

    @staticmethod
    def _name(people: dict[str, PersonRow], person_id: Any) -> str:
        if not person_id:
            return ""
        person = people.get(str(person_id))
        if person is None:
            return str(person_id)
        return f"{person['name']} ({person['username']})"

    def _target(self, people: dict[str, PersonRow], event: dict) -> str:
        target = event.get("target_id")
        if not target:
            return ""
        if str(target) in people:
            return self._name(people, target)
        kind = event.get("target_type") or ""
        if kind == "practice":
            return self.tr("The practice")
        return f"{kind} {target}".strip()

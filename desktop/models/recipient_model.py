"""Who a message can be addressed to: the practice's people and the staff groups."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from desktop.display import role_label
from desktop.models.roles import ID_ROLE, RECORD_ROLE
from sync.cache.rows import GroupRow, PersonRow

GROUP_ORDER = ("front_office", "therapists", "external_agents")


@dataclass(frozen=True)
class Recipient:
    address: str  # "person:<id>" or "group:<id>"
    name: str
    detail: str  # role badge or "Group"
    inactive: bool = False
    is_client: bool = False

    @property
    def label(self) -> str:
        return f"{self.name} ({self.detail})" if self.detail else self.name


def recipients_from(people: list[PersonRow], groups: list[GroupRow],
                    me_id: str | None) -> list[Recipient]:
    """Groups first, in the order staff think of them, then people by name (never oneself)."""
    result: list[Recipient] = []
    by_id = {g["id"]: g for g in groups}
    for group_id in [g for g in GROUP_ORDER if g in by_id] + [
        g for g in by_id if g not in GROUP_ORDER
    ]:
        group = by_id[group_id]
        name = group["name"] or group_id
        result.append(Recipient(f"group:{group_id}", name, "Group"))
    for person in sorted(people, key=lambda p: p["name"].lower()):
        if person["id"] == me_id:
            continue
        result.append(Recipient(
            f"person:{person['id']}", person["name"] or person["username"] or "?",
            role_label(person), inactive=person["status"] == "inactive",
            is_client=person["kind"] == "client",
        ))
    return result


class RecipientModel(QAbstractListModel):
    """The completion list of the recipient field."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._items: list[Recipient] = []

    def set_recipients(self, items: list[Recipient]) -> None:
        self.beginResetModel()
        self._items = list(items)
        self.endResetModel()

    def recipients(self) -> list[Recipient]:
        return list(self._items)

    def find(self, address: str) -> Recipient | None:
        return next((r for r in self._items if r.address == address), None)

    def match_text(self, text: str) -> Recipient | None:
        """The one recipient whose name or label is exactly ``text`` (case-insensitive)."""
        wanted = text.strip().lower()
        for item in self._items:
            if wanted in (item.name.lower(), item.label.lower()):
                return item
        return None

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._items)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> Any:
        if not index.isValid():
            return None
        item = self._items[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return item.label
        if role == ID_ROLE:
            return item.address
        if role == RECORD_ROLE:
            return item
        return None

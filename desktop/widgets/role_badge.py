"""A small coloured badge with a person's role: therapist, front office, client, inactive client…"""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QWidget

from desktop.display import role_label

BADGE_COLOURS = {
    "therapist": ("#dbeafe", "#1e3a8a"),
    "front_office": ("#dcfce7", "#14532d"),
    "biller": ("#f3e8ff", "#581c87"),
    "admin": ("#e5e7eb", "#1f2937"),
    "external_agent": ("#ffedd5", "#7c2d12"),
    "client": ("#e0f2fe", "#0c4a6e"),
    "inactive": ("#fef3c7", "#78350f"),
}


def badge_key(person: dict) -> str:
    if person.get("kind") == "client":
        return "inactive" if person.get("status") == "inactive" else "client"
    return person.get("role") or "admin"


class RoleBadge(QLabel):
    def __init__(self, person: dict, parent: QWidget | None = None) -> None:
        super().__init__(role_label(person), parent)
        self.setObjectName("roleBadge")
        background, foreground = BADGE_COLOURS.get(badge_key(person), BADGE_COLOURS["admin"])
        self.setStyleSheet(
            f"QLabel#roleBadge {{ background: {background}; color: {foreground}; }}"
        )

"""A small coloured badge with a person's role: therapist, front office, client, inactive client…

It paints its own pill (radius half its height, height from its font) so that every badge
has one shape wherever it sits; a style-sheet radius was clipped to a square whenever a
layout gave the label less height than twice the radius.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPaintEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

from desktop.display import role_label
from sync.cache.rows import Person

BADGE_COLOURS = {
    "therapist": ("#dbeafe", "#1e3a8a"),
    "front_office": ("#dcfce7", "#14532d"),
    "biller": ("#f3e8ff", "#581c87"),
    "admin": ("#e5e7eb", "#1f2937"),
    "external_agent": ("#ffedd5", "#7c2d12"),
    "client": ("#e0f2fe", "#0c4a6e"),
    "inactive": ("#fef3c7", "#78350f"),
}
PADDING_X, PADDING_Y = 8, 1
FONT_SCALE = 0.85


def badge_key(person: Person) -> str:
    if person["kind"] == "client":
        return "inactive" if person.get("status") == "inactive" else "client"
    return person.get("role") or "admin"


class RoleBadge(QLabel):
    def __init__(self, person: Person, parent: QWidget | None = None) -> None:
        super().__init__(role_label(person), parent)
        self.setObjectName("roleBadge")
        background, foreground = BADGE_COLOURS.get(badge_key(person), BADGE_COLOURS["admin"])
        self.background, self.foreground = QColor(background), QColor(foreground)
        font = QFont(self.font())
        if font.pointSizeF() > 0:
            font.setPointSizeF(font.pointSizeF() * FONT_SCALE)
            self.setFont(font)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)

    def sizeHint(self) -> QSize:
        metrics = self.fontMetrics()
        return QSize(metrics.horizontalAdvance(self.text()) + 2 * PADDING_X,
                     metrics.height() + 2 * PADDING_Y)

    def minimumSizeHint(self) -> QSize:
        return self.sizeHint()

    def paintEvent(self, event: QPaintEvent) -> None:
        size = self.sizeHint()
        pill = QRectF(0, (self.height() - size.height()) / 2, self.width(), size.height())
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(self.background)
        painter.drawRoundedRect(pill, pill.height() / 2, pill.height() / 2)
        painter.setPen(self.foreground)
        painter.setFont(self.font())
        painter.drawText(pill, int(Qt.AlignmentFlag.AlignCenter), self.text())
        painter.end()

"""How the thread list paints a row whose fields are still being read: soft rounded bars where
the texts will be, in the palette's quiet colour, of varied lengths so that a screenful of them
reads as "loading" rather than as empty threads."""

from __future__ import annotations

from PySide6.QtCore import QRect, QRectF, Qt
from PySide6.QtGui import QColor, QPainter

BAR_ALPHA = 45


def bar_colour(ink: QColor) -> QColor:
    """The bars' colour on a row whose text would be drawn in `ink`."""
    colour = QColor(ink)
    colour.setAlpha(BAR_ALPHA)
    return colour


def bar_fraction(row: int, column: int, line: int = 0) -> float:
    """A length between 40 % and 90 % of the cell that differs from row to row but is the
    same every time the row is painted."""
    return 0.4 + ((row * 7 + column * 3 + line * 5) % 11) / 20


def paint_bar(painter: QPainter, cell: QRect, top: float, height: float, fraction: float,
              colour: QColor, thickness: float, align_right: bool = False) -> None:
    """One rounded bar `thickness` tall (a text line's x-height), centred in
    [top, top + height] within `cell`."""
    inner = cell.adjusted(6, 0, -6, 0)
    width = max(12.0, inner.width() * fraction)
    left = inner.right() - width if align_right else inner.left()
    bar = QRectF(left, top + (height - thickness) / 2, width, thickness)
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(colour)
    painter.drawRoundedRect(bar, thickness / 2, thickness / 2)
    painter.restore()

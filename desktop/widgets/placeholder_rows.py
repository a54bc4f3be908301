"""How the thread list paints a row whose fields are still being read: soft rounded bars where
the texts will be, in the palette's quiet colour, of varied lengths so that a screenful of them
reads as "loading" rather than as empty threads."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPalette
from PySide6.QtWidgets import QApplication, QStyle, QStyledItemDelegate, QStyleOptionViewItem

from desktop.models.roles import LOADING_ROLE

BAR_ALPHA = 45


def bar_colour(option: QStyleOptionViewItem) -> QColor:
    selected = bool(option.state & QStyle.StateFlag.State_Selected)
    role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
    colour = QColor(option.palette.color(QPalette.ColorGroup.Active, role))
    colour.setAlpha(BAR_ALPHA)
    return colour


def bar_fraction(row: int, column: int, line: int = 0) -> float:
    """A length between 40 % and 90 % of the cell that differs from row to row but is the
    same every time the row is painted."""
    return 0.4 + ((row * 7 + column * 3 + line * 5) % 11) / 20


def paint_bar(painter: QPainter, option: QStyleOptionViewItem, top: float, height: float,
              fraction: float, align_right: bool = False) -> None:
    """One rounded bar, a text line's x-height tall, centred in [top, top + height]."""
    cell = option.rect.adjusted(6, 0, -6, 0)
    thickness = max(4.0, option.fontMetrics.xHeight() * 1.1)
    width = max(12.0, cell.width() * fraction)
    left = cell.right() - width if align_right else cell.left()
    bar = QRectF(left, top + (height - thickness) / 2, width, thickness)
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(bar_colour(option))
    painter.drawRoundedRect(bar, thickness / 2, thickness / 2)
    painter.restore()


def paint_background(painter: QPainter, option: QStyleOptionViewItem) -> None:
    """The cell as the style paints it (selection, focus), with no text."""
    style = option.widget.style() if option.widget else QApplication.style()
    style.drawControl(QStyle.ControlElement.CE_ItemViewItem, option, painter, option.widget)


class PlaceholderDelegate(QStyledItemDelegate):
    """A one-line column (people, date) that shows a bar while its row is being read."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        if not index.data(LOADING_ROLE):
            super().paint(painter, option, index)
            return
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        paint_background(painter, opt)
        align_right = bool(opt.displayAlignment & Qt.AlignmentFlag.AlignRight)
        fraction = 0.7 if align_right else bar_fraction(index.row(), index.column())
        top, height = first_line(opt)
        paint_bar(painter, opt, top, height, fraction, align_right)


def first_line(option: QStyleOptionViewItem) -> tuple[float, float]:
    """Top and height of a two-line row's first line (where the subject and names sit)."""
    rect = option.rect.adjusted(0, 3, 0, -3)
    return rect.top(), rect.height() // 2

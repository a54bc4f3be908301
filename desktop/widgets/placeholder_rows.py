"""How the thread list paints a row whose fields are still being read: soft rounded bars where
the texts will be, in the palette's quiet colour, of varied lengths so that a screenful of them
reads as "loading" rather than as empty threads."""

from __future__ import annotations

from PySide6.QtCore import QRect, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPalette
from PySide6.QtWidgets import QApplication, QStyle, QStyledItemDelegate, QStyleOptionViewItem

from desktop.models.index import Index
from desktop.models.roles import LOADING_ROLE

BAR_ALPHA = 45
TEXT_INSET = 4  # pixels between a cell's edge and its text


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
    """A one-line column (people, date): its text on the row's first line, level with the
    subject beside it, or a bar while its row is being read."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        align_right = bool(opt.displayAlignment & Qt.AlignmentFlag.AlignRight)
        if not index.data(LOADING_ROLE):
            text, opt.text = opt.text, ""
            paint_background(painter, opt)
            paint_first_line_text(painter, opt, text, align_right)
            return
        paint_background(painter, opt)
        fraction = 0.7 if align_right else bar_fraction(index.row(), index.column())
        top, height = first_line(opt)
        paint_bar(painter, opt, top, height, fraction, align_right)


def text_lines(option: QStyleOptionViewItem) -> tuple[QRect, QRect]:
    """The two text lines of a row's cell: the one every column shares (names, subject,
    date) and the one under it (the snippet)."""
    rect = option.rect.adjusted(TEXT_INSET, 3, -TEXT_INSET, -3)
    half = rect.height() // 2
    return (QRect(rect.left(), rect.top(), rect.width(), half),
            QRect(rect.left(), rect.top() + half, rect.width(), rect.height() - half))


def first_line(option: QStyleOptionViewItem) -> tuple[float, float]:
    """Top and height of a two-line row's first line (where the subject and names sit)."""
    first, _ = text_lines(option)
    return first.top(), first.height()


def text_colour(option: QStyleOptionViewItem) -> QColor:
    selected = bool(option.state & QStyle.StateFlag.State_Selected)
    return option.palette.color(QPalette.ColorGroup.Active, QPalette.ColorRole.HighlightedText
                                if selected else QPalette.ColorRole.Text)


def paint_first_line_text(painter: QPainter, option: QStyleOptionViewItem, text: str,
                          align_right: bool = False) -> None:
    first, _ = text_lines(option)
    shown = option.fontMetrics.elidedText(text, Qt.TextElideMode.ElideRight, first.width())
    painter.save()
    painter.setFont(option.font)
    painter.setPen(text_colour(option))
    horizontal = Qt.AlignmentFlag.AlignRight if align_right else Qt.AlignmentFlag.AlignLeft
    painter.drawText(first, int(Qt.AlignmentFlag.AlignVCenter | horizontal), shown)
    painter.restore()

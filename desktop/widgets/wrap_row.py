"""A row of widgets that never makes its parent wider than the room it is given.

Widgets are added to the left group or, after ``add_right``, to the right group (pushed to the
right edge, as after a stretch in a QHBoxLayout). When both groups do not fit side by side the
right group moves onto a line of its own, and a group wider than the line wraps its widgets
onto further lines. Its minimum width is that of its widest widget, so the reading pane's
rows (a message's sender and date, the reply box's buttons) grow taller instead of wider.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QPoint, QRect, QSize
from PySide6.QtWidgets import QLayoutItem, QWidget, QWidgetItem

from desktop.widgets.flow_layout import FlowLayout


class WrapRow(FlowLayout):
    def __init__(self, parent: QWidget | None = None, spacing: int = 6) -> None:
        super().__init__(parent, spacing)
        self._right: set[int] = set()  # ids of the items of the right group

    def add_right(self, widget: QWidget) -> None:
        self.addWidget(widget)
        self._right.add(id(self._items[-1]))

    def takeAt(self, index: int) -> QLayoutItem | None:
        item = super().takeAt(index)
        if item is not None:
            self._right.discard(id(item))
        return item

    def sizeHint(self) -> QSize:
        shown = self._shown()
        margins = self.contentsMargins()
        width = sum(i.sizeHint().width() for i in shown) + self.spacing() * max(0, len(shown) - 1)
        height = max((i.sizeHint().height() for i in shown), default=0)
        return QSize(width + margins.left() + margins.right(),
                     height + margins.top() + margins.bottom())

    def minimumSize(self) -> QSize:
        size = QSize()
        for item in self._shown():
            size = size.expandedTo(item.sizeHint())
        margins = self.contentsMargins()
        return size + QSize(margins.left() + margins.right(), margins.top() + margins.bottom())

    # placing -----------------------------------------------------------------------------------
    def _shown(self) -> list[QLayoutItem]:
        return [i for i in self._items if not _hidden_widget(i)]

    def _place(self, rect: QRect, move: bool) -> int:
        margins = self.contentsMargins()
        area = rect.adjusted(margins.left(), margins.top(), -margins.right(), -margins.bottom())
        shown = self._shown()
        left = [i for i in shown if id(i) not in self._right]
        right = [i for i in shown if id(i) in self._right]
        # None in a line: the push to the right
        lines: list[list[QLayoutItem | None]] = list(self._lines(left, area.width()))
        right_lines = self._lines(right, area.width())
        if lines and len(right_lines) == 1 and \
                self._width(lines[-1]) + self.spacing() + self._width(right_lines[0]) \
                <= area.width():
            lines[-1] = [*lines[-1], None, *right_lines[0]]
        else:
            lines += [[None, *line] for line in right_lines]
        y = area.y()
        for line in lines:
            height = max(i.sizeHint().height() for i in line if i is not None)
            if move:
                self._move_line(line, area, y, height)
            y += height + self.spacing()
        used = y - self.spacing() - area.y() if lines else 0
        return used + margins.top() + margins.bottom()

    def _lines(self, items: list[QLayoutItem], width: int) -> list[list[QLayoutItem | None]]:
        lines: list[list[QLayoutItem | None]] = []
        for item in items:
            if lines and self._width(lines[-1]) + self.spacing() + item.sizeHint().width() \
                    <= width:
                lines[-1].append(item)
            else:
                lines.append([item])
        return lines

    def _width(self, line: Sequence[QLayoutItem | None]) -> int:
        items = [i for i in line if i is not None]
        return sum(i.sizeHint().width() for i in items) + self.spacing() * max(0,
                                                                               len(items) - 1)

    def _move_line(self, line: list[QLayoutItem | None], area: QRect, y: int,
                   height: int) -> None:
        pushed = line.index(None) if None in line else len(line)
        before = [i for i in line[:pushed] if i is not None]
        after = [i for i in line[pushed + 1:] if i is not None]
        x = area.x()
        for item in before:
            x = self._move(item, x, y, height, area.right() - x + 1)
        x = max(x, area.right() + 1 - self._width(after))
        for item in after:
            x = self._move(item, x, y, height, area.right() - x + 1)

    def _move(self, item: QLayoutItem, x: int, y: int, height: int, room: int) -> int:
        hint = item.sizeHint()
        width = min(hint.width(), max(room, item.minimumSize().width()))
        top = y + (height - hint.height()) // 2
        item.setGeometry(QRect(QPoint(x, top), QSize(width, hint.height())))
        return x + width + self.spacing()


def _hidden_widget(item: QLayoutItem) -> bool:
    widget = item.widget() if isinstance(item, QWidgetItem) else None
    return widget is not None and widget.isHidden()

"""Paints the thread list a whole row at a time, from the row's prepared texts.

Qt's table paints cell by cell: for each cell it asks the model a dozen roles and lets the
style sheet style lay the cell out, which for a screenful of rows took longer than a frame.
Here the cells that show only a state (the check box, the star, the paper clip, and the
selection behind the text cells) are pixmaps the style painted once for that state and size,
the texts are drawn with fonts, metrics and colours prepared once, and a row whose fields are
still being read is painted as placeholder bars.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from PySide6.QtCore import QPointF, QRect, QSize, Qt
from PySide6.QtGui import QFont, QFontMetrics, QIcon, QPainter, QPalette, QPixmap
from PySide6.QtWidgets import QStyle, QStyleOptionViewItem

from desktop.models.list_row import ListRow, Shown
from desktop.models.thread_list_model import (
    ATTACHMENT,
    CHECK,
    COLUMN_COUNT,
    DATE,
    STAR,
    SUBJECT,
)
from desktop.resources import icon
from desktop.widgets.placeholder_rows import bar_colour, bar_fraction, paint_bar
from desktop.widgets.snippet_line import baseline, draw_text, paint_snippet, shortened

if TYPE_CHECKING:
    from desktop.widgets.thread_list import ThreadList

TEXT_INSET = 4  # pixels between a cell's edge and its text
SUBJECT_LINE = 3  # varies the subject's placeholder bars' lengths apart from the other columns'
PIXMAPS_KEPT = 64  # cell pixmaps by state and size; a few column widths' worth
_ICONS = {STAR: "star-filled", ATTACHMENT: "attachment"}
_FLAGS = {STAR: "starred", ATTACHMENT: "has_attachments"}


class _Look:
    """The fonts, metrics and colours of the rows, prepared once per font and palette."""

    def __init__(self, font: QFont, palette: QPalette) -> None:
        self.plain = QFont(font)
        self.plain.setBold(False)
        self.bold = QFont(font)
        self.bold.setBold(True)
        self.plain_metrics, self.bold_metrics = QFontMetrics(self.plain), QFontMetrics(self.bold)
        active = QPalette.ColorGroup.Active
        self.ink = palette.color(active, QPalette.ColorRole.Text)
        self.selected_ink = palette.color(active, QPalette.ColorRole.HighlightedText)
        self.quiet_ink = palette.color(active, QPalette.ColorRole.PlaceholderText)
        self.bar = bar_colour(self.ink)
        self.selected_bar = bar_colour(self.selected_ink)
        self.bar_thickness = max(4.0, QFontMetrics(font).xHeight() * 1.1)


def text_lines(cell: QRect) -> tuple[QRect, QRect]:
    """The two text lines of a row's cell: the one every column shares (names, subject,
    date) and the one under it (the snippet)."""
    rect = cell.adjusted(TEXT_INSET, 3, -TEXT_INSET, -3)
    half = rect.height() // 2
    return (QRect(rect.left(), rect.top(), rect.width(), half),
            QRect(rect.left(), rect.top() + half, rect.width(), rect.height() - half))


class RowPainter:
    def __init__(self, view: ThreadList) -> None:
        self._view = view
        self._pixmaps: dict[tuple[object, ...], QPixmap] = {}
        self._look: _Look | None = None

    def forget(self) -> None:
        """The font, palette or style changed: prepare everything again."""
        self._pixmaps.clear()
        self._look = None

    # the list ---------------------------------------------------------------------------------
    def paint_rows(self, painter: QPainter, area: QRect) -> None:
        """Every row that `area` of the viewport shows."""
        view = self._view
        model = view.thread_model
        first, last = view.rowAt(area.top()), view.rowAt(area.bottom())
        if first < 0:
            return
        if last < 0:
            last = model.rowCount() - 1
        header = view.horizontalHeader()
        columns = [(column, header.sectionViewportPosition(column), header.sectionSize(column))
                   for column in range(COLUMN_COUNT) if not header.isSectionHidden(column)]
        selected = {index.row() for index in view.selectionModel().selectedIndexes()}
        for row in range(first, last + 1):
            top, height = view.rowViewportPosition(row), view.rowHeight(row)
            painted = model.painted_row(row)
            for column, x, cell_width in columns:
                self._paint_cell(painter, QRect(x, top, cell_width, height), row, column,
                                 row in selected, painted)

    def paint_cell(self, painter: QPainter, cell: QRect, row: int, column: int,
                   selected: bool = False) -> None:
        """One cell of `row`, as the list shows it."""
        self._paint_cell(painter, cell, row, column, selected,
                         self._view.thread_model.painted_row(row))

    def _paint_cell(self, painter: QPainter, cell: QRect, row: int, column: int,
                    selected: bool, painted: tuple[ListRow, Shown] | None) -> None:
        look = self._prepared()
        if column == CHECK:
            checked = self._view.thread_model.is_checked(row)
            self._blit(painter, cell, ("check", checked, selected))
            return
        if column in _FLAGS:
            shows = painted is not None and bool(painted[0].get(_FLAGS[column]))
            self._blit(painter, cell, (column, shows, selected))
            return
        self._blit(painter, cell, ("text", False, selected))
        first, second = text_lines(cell)
        if painted is None:
            self._paint_bars(painter, cell, first, second, row, column, selected, look)
            return
        record, shown = painted
        ink = look.selected_ink if selected else look.ink
        bold = shown[6] and column != DATE
        font, metrics = (look.bold, look.bold_metrics) if bold else \
            (look.plain, look.plain_metrics)
        text = cast(str, shown[column])
        if column == DATE:
            date = shortened(text, metrics, first.width())
            painter.setFont(font)
            painter.setPen(ink)
            right = first.left() + first.width()
            painter.drawText(QPointF(right - metrics.horizontalAdvance(date),
                                     baseline(first, metrics)), date)
            return
        draw_text(painter, first, first.left(), text, font, metrics, ink)
        if column == SUBJECT:
            paint_snippet(painter, second, record["snippet"] or "", (look.plain, look.bold),
                          (look.plain_metrics, look.bold_metrics),
                          look.selected_ink if selected else look.quiet_ink)

    # parts ------------------------------------------------------------------------------------
    def _prepared(self) -> _Look:
        if self._look is None:
            self._look = _Look(self._view.font(), self._view.palette())
        return self._look

    @staticmethod
    def _paint_bars(painter: QPainter, cell: QRect, first: QRect, second: QRect, row: int,
                    column: int, selected: bool, look: _Look) -> None:
        colour = look.selected_bar if selected else look.bar
        top, height = first.top(), first.height()
        if column == SUBJECT:
            paint_bar(painter, cell, top, height, bar_fraction(row, SUBJECT_LINE) * 0.8, colour,
                      look.bar_thickness)
            paint_bar(painter, cell, second.top(), second.height(),
                      bar_fraction(row, SUBJECT_LINE, 1), colour, look.bar_thickness)
        elif column == DATE:
            paint_bar(painter, cell, top, height, 0.7, colour, look.bar_thickness,
                      align_right=True)
        else:
            paint_bar(painter, cell, top, height, bar_fraction(row, column), colour,
                      look.bar_thickness)

    def _blit(self, painter: QPainter, cell: QRect, state: tuple[object, bool, bool]) -> None:
        view = self._view
        ratio = view.devicePixelRatioF()
        key = (*state, view.isActiveWindow(), cell.width(), cell.height(), ratio)
        pixmap = self._pixmaps.get(key)
        if pixmap is None:
            if len(self._pixmaps) >= PIXMAPS_KEPT:
                self._pixmaps.clear()
            pixmap = self._pixmaps[key] = self._styled_cell(cell.size(), ratio, *state)
        painter.drawPixmap(cell.topLeft(), pixmap)

    def _styled_cell(self, size: QSize, ratio: float, kind: object, on: bool,
                     selected: bool) -> QPixmap:
        """A cell without text as the style paints it: the selection behind it, and the check
        box or the column's icon."""
        view = self._view
        option = QStyleOptionViewItem()
        view.initViewItemOption(option)
        option.rect = QRect(0, 0, size.width(), size.height())
        option.widget = view
        if selected:
            option.state |= QStyle.StateFlag.State_Selected
        if view.isActiveWindow():
            option.state |= QStyle.StateFlag.State_Active
        else:
            option.state &= ~QStyle.StateFlag.State_Active
        if kind == "check":
            option.features |= QStyleOptionViewItem.ViewItemFeature.HasCheckIndicator
            option.checkState = Qt.CheckState.Checked if on else Qt.CheckState.Unchecked
        elif on and kind in _ICONS:
            option.features |= QStyleOptionViewItem.ViewItemFeature.HasDecoration
            option.icon = icon(_ICONS[kind])
            mode = QIcon.Mode.Selected if selected else QIcon.Mode.Normal
            option.decorationSize = option.icon.actualSize(option.decorationSize, mode)
        pixmap = QPixmap(size * ratio)
        pixmap.setDevicePixelRatio(ratio)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        view.style().drawControl(QStyle.ControlElement.CE_ItemViewItem, option, painter, view)
        painter.end()
        return pixmap

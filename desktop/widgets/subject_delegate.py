"""Paints the thread list's subject cell on two lines: the subject, and under it the snippet in
a quieter colour with search matches (``<b>…</b>`` from the cache) highlighted. Plain text
drawing, no rich-text document per row, so scrolling stays smooth."""

from __future__ import annotations

import re

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import QApplication, QStyle, QStyledItemDelegate, QStyleOptionViewItem

from desktop.models.index import Index
from desktop.models.roles import LOADING_ROLE, SNIPPET_ROLE, UNREAD_ROLE
from desktop.widgets.placeholder_rows import (
    bar_fraction,
    first_line,
    paint_background,
    paint_bar,
    text_colour,
    text_lines,
)

MATCH_BACKGROUND = QColor("#ffe066")
MATCH_FOREGROUND = QColor("#1f2933")
SUBJECT_LINE = 3  # varies the placeholder bars' lengths apart from the other columns'
_SPLIT = re.compile(r"(<b>.*?</b>)", re.DOTALL)


def snippet_segments(snippet: str) -> list[tuple[str, bool]]:
    """[(text, is_match)] from a snippet whose matches are wrapped in <b>..</b>."""
    segments: list[tuple[str, bool]] = []
    for part in _SPLIT.split(snippet.replace("\n", " ")):
        if not part:
            continue
        if part.startswith("<b>") and part.endswith("</b>"):
            segments.append((part[3:-4], True))
        else:
            segments.append((part, False))
    return segments


def keep_match_visible(segments: list[tuple[str, bool]], plain: QFontMetrics,
                       bold: QFontMetrics, width: int) -> list[tuple[str, bool]]:
    """Shorten the text before the first match so that the match shows in `width` pixels."""
    first = next((i for i, (_, is_match) in enumerate(segments) if is_match), None)
    if not first:
        return segments
    before = "".join(text for text, _ in segments[:first])
    match_width = bold.horizontalAdvance(segments[first][0])
    if plain.horizontalAdvance(before) + match_width <= width:
        return segments
    room = max(width // 4, width - match_width - width // 3)
    kept = plain.elidedText(before, Qt.TextElideMode.ElideLeft, room)
    return [(kept, False), *segments[first:]]


class SubjectDelegate(QStyledItemDelegate):
    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        if index.data(LOADING_ROLE):
            self._paint_placeholder(painter, opt, index.row())
            return
        subject = opt.text
        opt.text = ""
        style = opt.widget.style() if opt.widget else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)

        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        colour = text_colour(opt)
        quiet = QColor(colour) if selected else opt.palette.color(
            QPalette.ColorGroup.Active, QPalette.ColorRole.PlaceholderText)
        first, second = text_lines(opt)
        painter.save()
        painter.setClipRect(opt.rect)
        subject_font = QFont(opt.font)
        subject_font.setBold(bool(index.data(UNREAD_ROLE)))
        self._draw(painter, first, first.left(), subject, subject_font, colour)
        snippet = index.data(SNIPPET_ROLE) or ""
        x = second.left()
        plain_font = QFont(opt.font)
        plain_font.setBold(False)  # only the first line of an unread row is bold
        match_font = QFont(plain_font)
        match_font.setBold(True)
        segments = keep_match_visible(snippet_segments(snippet), QFontMetrics(plain_font),
                                      QFontMetrics(match_font), second.width())
        for text, is_match in segments:
            if x >= second.right():
                break
            if is_match:
                shown = QFontMetrics(match_font).elidedText(
                    text, Qt.TextElideMode.ElideRight, second.right() - x)
                width = QFontMetrics(match_font).horizontalAdvance(shown)
                painter.fillRect(QRect(x, second.top() + 1, width, second.height() - 2),
                                 MATCH_BACKGROUND)
                end = self._draw(painter, second, x, text, match_font, MATCH_FOREGROUND)
            else:
                end = self._draw(painter, second, x, text, plain_font, quiet)
            if end < 0:
                break  # shortened with "…": nothing may follow it
            x = end
        painter.restore()

    @staticmethod
    def _paint_placeholder(painter: QPainter, opt: QStyleOptionViewItem, row: int) -> None:
        paint_background(painter, opt)
        top, height = first_line(opt)
        paint_bar(painter, opt, top, height, bar_fraction(row, SUBJECT_LINE) * 0.8)
        paint_bar(painter, opt, top + height, height, bar_fraction(row, SUBJECT_LINE, 1))

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        base = super().sizeHint(option, index)
        lines = 2 * QFontMetrics(option.font).lineSpacing() + 8
        return QSize(base.width(), max(base.height(), lines))

    @staticmethod
    def _draw(painter: QPainter, rect: QRect, x: int, text: str, font: QFont,
              colour: QColor) -> int:
        """Draws `text` from `x`; returns where it ends, or -1 when it had to be shortened."""
        metrics = QFontMetrics(font)
        available = rect.right() - x
        if available <= 0:
            return -1
        shown = metrics.elidedText(text, Qt.TextElideMode.ElideRight, available)
        painter.setFont(font)
        painter.setPen(colour)
        target = QRect(x, rect.top(), available, rect.height())
        painter.drawText(target, int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft),
                         shown)
        return x + metrics.horizontalAdvance(shown) if shown == text else -1

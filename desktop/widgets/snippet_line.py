"""The second line of a thread list row: the snippet, in a quieter colour, with search matches
(``<b>…</b>`` from the cache) highlighted. Plain text drawing, no rich-text document per row,
so scrolling stays smooth."""

from __future__ import annotations

import re

from PySide6 import QtGui
from PySide6.QtCore import QPointF, QRect, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter

MATCH_BACKGROUND = QColor("#ffe066")
MATCH_FOREGROUND = QColor("#1f2933")
_SPLIT = re.compile(r"(<b>.*?</b>)", re.DOTALL)


def prepare_match_painting() -> None:
    """Has Qt for Python make now the types it makes when a match's highlight is first filled:
    choosing among fillRect's overloads makes QGradient's enums (hundreds of presets), a few
    milliseconds the first search would otherwise wait for."""
    QtGui.QGradient.Preset  # noqa: B018 (reading the attribute is what makes the types)


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


def baseline(line: QRect, metrics: QFontMetrics) -> float:
    """The baseline of one line of text centred on `line` (where Qt's centring puts it)."""
    return line.top() + (line.height() - metrics.height()) / 2 + metrics.ascent()


def shortened(text: str, metrics: QFontMetrics, width: int) -> str:
    """`text` shortened with "…" to fit `width` pixels. Text that cannot fit is cut to what
    could before it is measured: measuring costs with its length, and snippets are long."""
    most = width // max(1, metrics.horizontalAdvance(".")) + 2
    if len(text) <= most:
        return metrics.elidedText(text, Qt.TextElideMode.ElideRight, width)
    shown = metrics.elidedText(text[:most], Qt.TextElideMode.ElideRight, width)
    if shown == text[:most]:  # characters narrower than a full stop
        shown = metrics.elidedText(text, Qt.TextElideMode.ElideRight, width)
    return shown


def draw_text(painter: QPainter, line: QRect, x: int, text: str, font: QFont,
              metrics: QFontMetrics, colour: QColor) -> int:
    """Draws `text` on `line` from `x`, shortened with "…" to fit; returns where it ends, or -1
    when it had to be shortened (nothing may follow it)."""
    available = line.right() - x
    if available <= 0:
        return -1
    shown = shortened(text, metrics, available)
    painter.setFont(font)
    painter.setPen(colour)
    painter.drawText(QPointF(x, baseline(line, metrics)), shown)
    return x + metrics.horizontalAdvance(shown) if shown == text else -1


def paint_snippet(painter: QPainter, line: QRect, snippet: str, fonts: tuple[QFont, QFont],
                  metrics: tuple[QFontMetrics, QFontMetrics], colour: QColor) -> None:
    """The snippet on `line` in `colour`, its matches bold on the match highlight; `fonts` and
    `metrics` are the plain and the bold (match) font's."""
    if not snippet:
        return
    if "<b>" not in snippet:  # the usual row, outside a search
        draw_text(painter, line, line.left(), snippet.replace("\n", " "), fonts[0], metrics[0],
                  colour)
        return
    x = line.left()
    for text, is_match in keep_match_visible(snippet_segments(snippet), metrics[0], metrics[1],
                                             line.width()):
        if x >= line.right():
            break
        if is_match:
            shown = metrics[1].elidedText(text, Qt.TextElideMode.ElideRight, line.right() - x)
            painter.fillRect(QRect(x, line.top() + 1, metrics[1].horizontalAdvance(shown),
                                   line.height() - 2), MATCH_BACKGROUND)
            end = draw_text(painter, line, x, text, fonts[1], metrics[1], MATCH_FOREGROUND)
        else:
            end = draw_text(painter, line, x, text, fonts[0], metrics[0], colour)
        if end < 0:
            break
        x = end

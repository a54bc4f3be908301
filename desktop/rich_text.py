"""Turns the composer's QTextDocument into the small, clean HTML the server accepts.

Qt's own ``toHtml()`` writes a whole page with inline styles for everything; this walks the
document and writes only paragraphs, lists, b/i/u/s, links and text sizes, then runs the
result through the same kind of allowlist the server uses.
"""

from __future__ import annotations

import html

import nh3
from PySide6.QtGui import QFont, QTextBlock, QTextCharFormat, QTextDocument, QTextListFormat

ALLOWED_TAGS = {"p", "br", "b", "i", "u", "s", "a", "ul", "ol", "li", "span"}
ALLOWED_ATTRIBUTES = {"a": {"href"}, "span": {"style"}}
ALLOWED_SCHEMES = {"http", "https", "mailto"}
DEFAULT_POINT_SIZE = 10.0


def sanitize(fragment: str) -> str:
    return nh3.clean(
        fragment,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_SCHEMES,
        filter_style_properties={"font-size"},
        link_rel="noopener noreferrer",
    )


def document_to_html(document: QTextDocument, base_point_size: float | None = None) -> str:
    base = base_point_size or document.defaultFont().pointSizeF() or DEFAULT_POINT_SIZE
    parts: list[str] = []
    open_list: tuple[int, str] | None = None  # (list object id, tag)
    block = document.begin()
    while block.isValid():
        text_list = block.textList()
        if text_list is not None:
            tag = "ol" if text_list.format().style() in _NUMBERED else "ul"
            key = (id(text_list), tag)
            if open_list is not None and open_list[0] != key[0]:
                parts.append(f"</{open_list[1]}>")
                open_list = None
            if open_list is None:
                parts.append(f"<{tag}>")
                open_list = key
            parts.append(f"<li>{_inline(block, base)}</li>")
        else:
            if open_list is not None:
                parts.append(f"</{open_list[1]}>")
                open_list = None
            parts.append(f"<p>{_inline(block, base) or '<br>'}</p>")
        block = block.next()
    if open_list is not None:
        parts.append(f"</{open_list[1]}>")
    return sanitize("".join(parts))


_NUMBERED = {
    QTextListFormat.Style.ListDecimal, QTextListFormat.Style.ListLowerAlpha,
    QTextListFormat.Style.ListUpperAlpha, QTextListFormat.Style.ListLowerRoman,
    QTextListFormat.Style.ListUpperRoman,
}


def _inline(block: QTextBlock, base: float) -> str:
    out: list[str] = []
    iterator = block.begin()
    while not iterator.atEnd():
        fragment = iterator.fragment()
        if fragment.isValid():
            out.append(_fragment_html(fragment.text(), fragment.charFormat(), base))
        iterator += 1
    return "".join(out)


def _fragment_html(text: str, fmt: QTextCharFormat, base: float) -> str:
    content = html.escape(text.replace("\ufffc", "")).replace("\u2028", "<br>")
    if fmt.fontWeight() >= QFont.Weight.DemiBold:
        content = f"<b>{content}</b>"
    if fmt.fontItalic():
        content = f"<i>{content}</i>"
    if fmt.fontUnderline() and not fmt.isAnchor():
        content = f"<u>{content}</u>"
    if fmt.fontStrikeOut():
        content = f"<s>{content}</s>"
    size = fmt.fontPointSize()
    if size and abs(size - base) > 0.1:
        content = f'<span style="font-size:{size:g}pt">{content}</span>'
    if fmt.isAnchor() and fmt.anchorHref():
        content = f'<a href="{html.escape(fmt.anchorHref(), quote=True)}">{content}</a>'
    return content

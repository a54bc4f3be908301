"""The plain text of a sanitized body, in one regular-expression pass.

The sanitizer's output is regular: comments are gone, text has `<`, `>` and `&` escaped,
and every attribute value is double-quoted with `"` escaped, so a tag is exactly
`<name attr="...">`. The rules are those of the page: block elements start and end lines,
list items get a bullet, entities are decoded and whitespace is tidied as a page shows it.
"""

from __future__ import annotations

import html
import re

BLOCK_TAGS = frozenset(
    {"p", "div", "br", "li", "blockquote", "pre", "h1", "h2", "h3", "h4", "hr", "ul", "ol"}
)
_TAG = re.compile(r'<(/?)([A-Za-z][A-Za-z0-9]*)(?:[^>"]|"[^"]*")*?(/?)>')
_WS_RUN = re.compile(r"[ \t\r\f\v]+")
_BLANK_LINES = re.compile(r"\n{3,}")
_EDGE_SPACE = "\u00a0\u202f\u2007\ufeff"


def html_to_text(clean_html: str) -> str:
    """Plain text of sanitized HTML: tags stripped, entities decoded, whitespace tidied."""
    parts: list[str] = []
    pos = 0
    for tag in _TAG.finditer(clean_html):
        if tag.start() > pos:
            parts.append(html.unescape(clean_html[pos : tag.start()]))
        pos = tag.end()
        closing, name, self_closing = tag.group(1), tag.group(2).lower(), tag.group(3)
        if name not in BLOCK_TAGS:
            continue
        parts.append("\n")
        if not closing and name == "li":
            parts.append("• ")
        if self_closing and not closing:
            parts.append("\n")
    if pos < len(clean_html):
        parts.append(html.unescape(clean_html[pos:]))
    text = html.unescape("".join(parts))
    lines = [_WS_RUN.sub(" ", line).strip(" ") for line in text.split("\n")]
    return strip_all_space(_BLANK_LINES.sub("\n\n", "\n".join(lines)))


def strip_all_space(text: str) -> str:
    """Trim leading/trailing whitespace, non-breaking spaces included."""
    return text.strip().strip(_EDGE_SPACE).strip()

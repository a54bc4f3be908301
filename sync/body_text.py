"""The plain text of a message body, the same text the server stores as `body_text`.

The server renders `body_text` from the sanitized `body_html` it keeps (tags stripped,
block elements as line breaks, list items with a bullet, entities decoded, whitespace
tidied). The cache can derive the same text from `body_html` when a feed page leaves it
out; the test suite holds this rendering to the server's on the demo's and generated
bodies. Sanitized HTML is well formed, so a tag pattern is enough to read it, and that is
several times faster than a full parser over a whole mailbox.
"""

from __future__ import annotations

import html
import re

BLOCK_TAGS = frozenset(
    {"p", "div", "br", "li", "blockquote", "pre", "h1", "h2", "h3", "h4", "hr", "ul", "ol"}
)
# A start or end tag (attribute values may hold ">"), a comment, or a declaration.
_TAG = re.compile(
    r"<(/?)([a-zA-Z][^\s/>]*)(?:[^>\"']|\"[^\"]*\"|'[^']*')*>|<!--.*?-->|<![^>]*>", re.S
)
_WS_RUN = re.compile(r"[ \t\r\f\v]+")
_BLANK_LINES = re.compile(r"\n{3,}")
_EDGE_SPACE = "\u00a0\u202f\u2007\ufeff"


def body_text(body_html: str) -> str:
    """Plain text of sanitized HTML, as the server's `body_text`."""
    if "<" not in body_html and "&" not in body_html:
        text = body_html
    else:
        parts: list[str] = []
        position = 0
        for tag in _TAG.finditer(body_html):
            if tag.start() > position:
                parts.append(html.unescape(body_html[position:tag.start()]))
            position = tag.end()
            name = tag.group(2)
            if name is None:
                continue  # a comment or declaration: no text
            if name.lower() not in BLOCK_TAGS:
                continue
            if tag.group(1):  # an end tag
                parts.append("\n")
                continue
            parts.append("\n• " if name.lower() == "li" else "\n")
            if tag.group(0).endswith("/>"):  # self-closing: a start and an end
                parts.append("\n")
        if position < len(body_html):
            parts.append(html.unescape(body_html[position:]))
        text = html.unescape("".join(parts))
    lines = [_WS_RUN.sub(" ", line).strip(" ") for line in text.split("\n")]
    text = _BLANK_LINES.sub("\n\n", "\n".join(lines))
    return text.strip().strip(_EDGE_SPACE).strip()

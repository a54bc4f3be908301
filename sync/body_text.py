"""The visible text of a message body, counted as the server counts it.

The server stores a body's plain text beside its HTML and refuses a body whose text is shorter
than its `min_body_chars` limit. A client that counted its own way would let through what the
server refuses (or block what it accepts), so the composer, the inline reply and the cache's
not-yet-sent messages all use this one rendering: the HTML is cleaned as the server cleans it
(script and style lose their content, comments and unknown tags go, broken nesting is
repaired), block elements become line breaks, list items get a bullet, runs of spaces become
one, and the whole is trimmed, non-breaking spaces included.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

import nh3

#: Elements that start a line of their own; the server's list.
LINE_TAGS = frozenset(
    {"p", "div", "br", "li", "blockquote", "pre", "h1", "h2", "h3", "h4", "hr", "ul", "ol"})
_SPACES = re.compile(r"[ \t\r\f\v]+")
_EMPTY_LINES = re.compile(r"\n{3,}")
_EDGE_SPACES = "\u00a0\u202f\u2007\ufeff"


class _Lines(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in LINE_TAGS:
            self.out.append("\n• " if tag == "li" else "\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in LINE_TAGS:
            self.out.append("\n")

    def handle_data(self, data: str) -> None:
        self.out.append(data)


def visible_text(body_html: str) -> str:
    """The plain text the server keeps for `body_html`."""
    # Only line-making tags need to survive the cleaning: the others add no text.
    cleaned = nh3.clean(body_html or "", tags=set(LINE_TAGS), attributes={},
                        clean_content_tags={"script", "style"}, strip_comments=True)
    parser = _Lines()
    parser.feed(cleaned)
    parser.close()
    text = html.unescape("".join(parser.out))
    text = "\n".join(_SPACES.sub(" ", line).strip(" ") for line in text.split("\n"))
    return _EMPTY_LINES.sub("\n\n", text).strip().strip(_EDGE_SPACES).strip()


def visible_length(body_html: str) -> int:
    """How many characters of `body_html` count towards the server's minimum length."""
    return len(visible_text(body_html))

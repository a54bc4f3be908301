"""Message bodies: sanitize HTML against an allowlist and render its plain text."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

import nh3

from server.html_attributes import filter_attribute

ALLOWED_TAGS = {
    "p",
    "br",
    "div",
    "span",
    "b",
    "strong",
    "i",
    "em",
    "u",
    "s",
    "strike",
    "del",
    "ul",
    "ol",
    "li",
    "a",
    "blockquote",
    "pre",
    "code",
    "h1",
    "h2",
    "h3",
    "h4",
    "hr",
    "sub",
    "sup",
    "small",
    "big",
}
ALLOWED_ATTRIBUTES = {"*": {"style"}, "a": {"href", "title"}, "ol": {"start"}}
ALLOWED_STYLES = {"font-size"}  # what the composer writes; see server.html_attributes
BLOCK_TAGS = {"p", "div", "br", "li", "blockquote", "pre", "h1", "h2", "h3", "h4", "hr", "ul", "ol"}
_WS_RUN = re.compile(r"[ \t\r\f\v]+")
_BLANK_LINES = re.compile(r"\n{3,}")


def sanitize_html(body: str) -> str:
    """Remove (not escape) everything outside the allowlist; script/style lose their content.

    Attribute values are held to their grammar too (server.html_attributes).
    """
    return nh3.clean(
        body,
        tags=ALLOWED_TAGS,
        clean_content_tags={"script", "style"},
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        url_relative="deny",
        attribute_filter=filter_attribute,
        filter_style_properties=ALLOWED_STYLES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in BLOCK_TAGS:
            self.parts.append("\n")
        if tag == "li":
            self.parts.append("• ")

    def handle_endtag(self, tag: str) -> None:
        if tag in BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_to_text(body: str) -> str:
    """Plain text of (sanitized) HTML: tags stripped, entities decoded, whitespace tidied."""
    collector = _TextCollector()
    collector.feed(body)
    collector.close()
    text = html.unescape("".join(collector.parts))
    lines = [_WS_RUN.sub(" ", line).strip(" ") for line in text.split("\n")]
    text = _BLANK_LINES.sub("\n\n", "\n".join(lines))
    return strip_all_space(text)


def strip_all_space(text: str) -> str:
    """Trim leading/trailing whitespace, non-breaking spaces included."""
    return text.strip().strip("\u00a0\u202f\u2007\ufeff").strip()

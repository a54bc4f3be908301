"""The values a stored body's attributes may keep, each checked against a small grammar.

The sanitizer's allowlist decides which attributes survive; this decides what they may say:
- `style`: only what the composer writes (`font-size`), with a number and unit inside a
  range a reader can read, so text can be neither hidden (0px) nor swamped (99999px). A
  declaration with anything else (an escape, a comment, `url(`, `expression(`) is dropped.
- `href`: absolute `http(s)://host…` or `mailto:`; relative, protocol-relative and
  scheme-less links are removed, so a body cannot point into the portal itself.
- `start` (of an `ol`): a plain number.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

# unit -> (smallest, largest) a body may ask for
FONT_SIZE_RANGES = {
    "pt": (6.0, 36.0),
    "px": (8.0, 48.0),
    "em": (0.5, 3.0),
    "rem": (0.5, 3.0),
    "%": (50.0, 300.0),
}
_FONT_SIZE = re.compile(
    r"\s*font-size\s*:\s*(\d{1,4}(?:\.\d{1,3})?|\.\d{1,3})\s*(pt|px|em|rem|%)\s*", re.IGNORECASE
)
_LIST_START = re.compile(r"\s*\d{1,6}\s*")


def font_size(declaration: str) -> str | None:
    """`font-size:<n><unit>` normalised, or None when it is not one within its range."""
    match = _FONT_SIZE.fullmatch(declaration)
    if match is None:
        return None
    number, unit = float(match.group(1)), match.group(2).lower()
    low, high = FONT_SIZE_RANGES[unit]
    if not low <= number <= high:
        return None
    return f"font-size:{number:g}{unit}"


def clean_style(value: str) -> str | None:
    kept = [d for d in (font_size(part) for part in value.split(";") if part.strip()) if d]
    return ";".join(dict.fromkeys(kept)) or None


def is_absolute_link(value: str) -> bool:
    url = value.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    scheme = parts.scheme.lower()
    if scheme in ("http", "https"):
        return bool(parts.hostname) and url[len(scheme) : len(scheme) + 3] == "://"
    return scheme == "mailto" and len(url) > len("mailto:")


def filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    """nh3's attribute filter: the value to keep, or None to remove the attribute."""
    if attribute == "style":
        return clean_style(value)
    if attribute == "href":
        return value.strip() if is_absolute_link(value) else None
    if attribute == "start":
        return value.strip() if _LIST_START.fullmatch(value) else None
    return value

"""Text a database can hold: PostgreSQL refuses NUL characters, and UTF-8 has no lone surrogates.

JSON lets a client send both ("\\u0000", "\\ud800"); they are refused as invalid input
instead of failing deep inside a query.
"""

from __future__ import annotations

UNSTORABLE = "contains a character that cannot be stored (a NUL or a lone surrogate)"


def is_storable(text: str) -> bool:
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True

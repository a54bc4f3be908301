"""Bodies at and beyond the server's limits, for the tests and the load benchmark alike."""

from __future__ import annotations

MAX_BODY_BYTES = 256 * 1024
MAX_DEPTH = 64
MAX_ELEMENTS = 20_000
TEXT = "text long enough"


def nested_divs(count: int) -> str:
    """The probe's sanitizer blow-up: `count` unclosed, nested <div>s."""
    return "<div>" * count + TEXT


def deepest_allowed(max_bytes: int = MAX_BODY_BYTES) -> str:
    """Runs of 63 nested, styled elements (64 levels with the outer one), to the byte limit."""
    level = '<span style="font-weight:600">'
    unit = level * (MAX_DEPTH - 1) + "x" + "</span>" * (MAX_DEPTH - 1)
    head, tail = "<div>" + TEXT, "</div>"
    runs = (max_bytes - len(head) - len(tail)) // len(unit)
    runs = min(runs, (MAX_ELEMENTS - 1) // (MAX_DEPTH - 1))
    return head + unit * runs + tail


def most_elements_allowed(max_bytes: int = MAX_BODY_BYTES) -> str:
    """As many small elements as the element limit takes, within the byte limit."""
    head, tail = "<div>" + TEXT, "</div>"
    unit = "<b>x</b>"
    count = min(MAX_ELEMENTS - 1, (max_bytes - len(head) - len(tail)) // len(unit))
    return head + unit * count + tail


def worst_allowed_bodies() -> dict[str, str]:
    return {"deepest": deepest_allowed(), "most elements": most_elements_allowed()}

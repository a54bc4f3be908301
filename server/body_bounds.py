"""Bounds on a message body checked in linear time, before the sanitizer sees it.

The HTML5 tree builder behind the sanitizer spends time in proportion to the depth of its
open-element stack for every tag, so a few hundred kilobytes of nested tags can take minutes.
This module measures what the parser could build from a body — an upper bound on its depth,
its element count and the attributes of any one tag — with regular expressions that follow
the HTML5 tokenizer's rules for tags, comments and quoted attribute values.

The depth is an upper bound: a closing tag lowers it only when it names the innermost open
element. Where the tree builder may switch the tokenizer into another state (the content of
`<style>`, `<textarea>`, `<svg>` and their kind) with markup inside, closing tags are no
longer trusted and every later `<name` counts as one level deeper.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_WS = "\t\n\f\r "
# `<` followed by an ASCII letter: the only way a start tag can begin, in any tokenizer state.
_TAG_START = re.compile(r"<[A-Za-z]")
# One attribute (a name, optionally `= value`), exactly as the HTML5 tokenizer splits them.
_ATTRIBUTE = (
    rf"[^{_WS}/>][^{_WS}/>=]*+"
    rf"(?>[{_WS}]*+=[{_WS}]*+(?>\"[^\"]*+\"|'[^']*+'|(?=[^\"'])[^{_WS}>]*+))?+"
)
_ATTRIBUTE_RE = re.compile(_ATTRIBUTE)
# Where the tokenizer leaves the data state: a comment, a declaration, an end or a start tag.
# A tag that never ends is dropped by the tokenizer with the rest of the body; this search then
# goes on inside it, which can only count more than the parser will see.
_OPEN = re.compile(
    rf"<(/?)([A-Za-z][^{_WS}/>]*+)((?:[{_WS}/]++|{_ATTRIBUTE})*+)>|<!--|<[!?]|</(?![A-Za-z])"
)
_VOID = frozenset({
    "area", "base", "basefont", "bgsound", "br", "col", "embed", "frame", "hr", "img",
    "input", "keygen", "link", "meta", "param", "source", "track", "wbr",
})
# Elements whose content the tree builder may read as text rather than as markup.
_RAW_TEXT = frozenset({
    "script", "style", "xmp", "iframe", "noembed", "noframes", "noscript", "textarea",
    "title", "plaintext",
})
_FOREIGN = frozenset({"svg", "math"})
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


@dataclass(frozen=True)
class BodyBounds:
    max_bytes: int = 262_144
    max_depth: int = 64
    max_elements: int = 20_000
    max_attributes: int = 64


@dataclass(frozen=True)
class BodyShape:
    """What a body could make the parser build: upper bounds, not exact figures."""

    size: int
    elements: int
    depth: int
    attributes: int


class _CommentEnds:
    """The next `-->` or `--!>` after a position, each searched for once per occurrence."""

    def __init__(self, body: str) -> None:
        self._body = body
        self._next = {"-->": -2, "--!>": -2}

    def after(self, start: int) -> int:
        """The position just past the first comment end at or after `start`, or -1."""
        best_start, best_end = -1, -1
        for mark, found in self._next.items():
            if found != -1 and found < start:
                found = self._body.find(mark, start)
                self._next[mark] = found
            if found >= 0 and (best_start < 0 or found < best_start):
                best_start, best_end = found, found + len(mark)
        return best_end


def _after_markup(body: str, at: int, kind: str, comment_ends: _CommentEnds) -> int:
    """Where the data state resumes after a comment, declaration or bogus comment (0 if never)."""
    if kind == "<!--" and not body.startswith(("<!-->", "<!--->"), at):
        return max(comment_ends.after(at + 4), 0)
    if body.startswith("</>", at):
        return at + 3
    return body.find(">", at) + 1  # a bogus comment or a declaration


def _raw_text_end(body: str, name: str, start: int) -> int:
    """Where `</name` (followed by a space, `/` or `>`) begins after `start`, or the end."""
    if name == "plaintext":
        return len(body)
    end = re.compile(rf"</{name}[{_WS}/>]", re.IGNORECASE | re.ASCII).search(body, start)
    return end.start() if end else len(body)


def measure(body: str, stop_above: BodyBounds | None = None) -> BodyShape:
    """Upper bounds of the body's depth, elements and attributes per tag, in one pass.

    With `stop_above`, measuring ends as soon as one bound is passed (the figures are then
    only known to be over it).
    """
    size = len(body.encode("utf-8", "surrogatepass"))
    limit = stop_above or BodyBounds(max_depth=1 << 62, max_attributes=1 << 62)
    if stop_above is not None and size > limit.max_bytes:
        return BodyShape(size, 0, 0, 0)
    elements = len(_TAG_START.findall(body))
    if stop_above is not None and elements > limit.max_elements:
        return BodyShape(size, elements, 0, 0)
    stack: list[str] = []
    push, pop = stack.append, stack.pop
    deepest = widest = 0
    max_depth, max_attributes = limit.max_depth, limit.max_attributes
    comment_ends = _CommentEnds(body)
    pos, done = 0, False
    while not done:
        done = True
        for tag in _OPEN.finditer(body, pos):
            closing, name, attributes = tag.group(1, 2, 3)
            if name is None:
                pos = _after_markup(body, tag.start(), tag.group(), comment_ends)
                done = pos <= 0  # left open: it takes the rest of the body
                break
            if not name.islower():
                name = name.translate(_ASCII_LOWER)
            if closing:
                if stack and stack[-1] == name:
                    pop()
                continue
            if len(attributes) > widest * 2:  # each attribute takes two characters or more
                widest = max(widest, len(_ATTRIBUTE_RE.findall(attributes)))
                if widest > max_attributes:
                    break
            if name in _VOID:
                continue
            push(name)
            if len(stack) > deepest:
                deepest = len(stack)
                if deepest > max_depth:
                    break
            if name in _FOREIGN or name in _RAW_TEXT:
                pos = tag.end()
                end = len(body) if name in _FOREIGN else _raw_text_end(body, name, pos)
                if "<" in body[pos:end]:
                    # Foreign content, or text that may be markup, depending on where the
                    # tree builder is: from here on every `<name` may open one more level.
                    deepest = max(deepest, len(stack) + len(_TAG_START.findall(body, pos)))
                    break
                pos, done = end, False
                break
    return BodyShape(size=size, elements=elements, depth=deepest, attributes=widest)


def refusal(body: str, bounds: BodyBounds) -> str | None:
    """A sentence saying which bound the body passes, or None when it is within them all."""
    shape = measure(body, stop_above=bounds)
    if shape.size > bounds.max_bytes:
        return (
            f"The message is too long: at most {bounds.max_bytes // 1024} KB of formatted "
            "text. Split it into several messages or attach it as a file."
        )
    if shape.elements > bounds.max_elements:
        return (
            f"The message has too much formatting: at most {bounds.max_elements:,} "
            "formatting elements."
        )
    if shape.depth > bounds.max_depth:
        return (
            f"The message's formatting is nested too deeply: at most {bounds.max_depth} "
            "levels."
        )
    if shape.attributes > bounds.max_attributes:
        return (
            f"The message's formatting has too many attributes on one element: at most "
            f"{bounds.max_attributes}."
        )
    return None

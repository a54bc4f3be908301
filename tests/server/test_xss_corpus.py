"""Every hostile body of the corpus (`tests/data/xss-bodies.json`), sent over HTTP and read
back, is stored inert: only allowed elements and attributes, no handler, no script, links
absolute http(s) or mailto, styles only `font-size` inside its range, no `url(` or
`expression(` anywhere."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from tests.support.api_client import Api

CORPUS = json.loads((Path(__file__).parent.parent / "data" / "xss-bodies.json").read_text())
FILLER = "<p>Enough words to be sent.</p>"
ELEMENTS = {
    "p", "br", "div", "span", "b", "strong", "i", "em", "u", "s", "strike", "del", "ul", "ol",
    "li", "a", "blockquote", "pre", "code", "h1", "h2", "h3", "h4", "hr", "sub", "sup", "small",
    "big",
}
ATTRIBUTES = {"style", "href", "title", "start", "rel"}
SIZE = re.compile(r"font-size:(\d+(?:\.\d+)?)(pt|px|em|rem|%)")
READABLE = {"pt": (6, 36), "px": (8, 48), "em": (0.5, 3), "rem": (0.5, 3), "%": (50, 300)}
ABSOLUTE = re.compile(r"(https?://[^/\\\s]+(/\S*)?|mailto:\S+)", re.IGNORECASE)


class Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, dict(attrs)))


def problems(stored: str) -> list[str]:
    """What makes a stored body not inert (empty when it is)."""
    out = []
    lowered = stored.lower()
    out += [f"keeps {bad}" for bad in ("url(", "expression(", "<script")
            if bad in lowered]
    parser = Elements()
    parser.feed(stored)
    parser.close()
    for tag, attrs in parser.found:
        if tag not in ELEMENTS:
            out.append(f"element <{tag}>")
        for name, value in attrs.items():
            value = value or ""
            if name not in ATTRIBUTES:
                out.append(f"attribute {name} on <{tag}>")
            elif name == "href" and not ABSOLUTE.fullmatch(value):
                out.append(f"link {value!r} is not absolute http(s) or mailto")
            elif name == "style":
                for declaration in value.split(";"):
                    match = SIZE.fullmatch(declaration)
                    if match is None:
                        out.append(f"style {declaration!r}")
                        continue
                    low, high = READABLE[match.group(2)]
                    if not low <= float(match.group(1)) <= high:
                        out.append(f"size {declaration!r} out of range")
            elif name == "start" and not value.isdigit():
                out.append(f"list start {value!r}")
    return out


def test_the_checker_sees_what_it_must_refuse() -> None:
    """The assertion below could fail: each of these stored bodies breaks one rule."""
    for bad in (
        '<img src="x">',
        '<p onclick="x()">t</p>',
        '<a href="/api/v1/auth/logout">t</a>',
        '<a href="//evil.example/">t</a>',
        '<span style="font-size:0px">t</span>',
        '<span style="color:red">t</span>',
        '<p style="background:url(x)">t</p>',
    ):
        assert problems(bad), bad
    assert problems('<p><a href="https://ok.example/" rel="noopener">ok</a></p>') == []


def test_the_corpus_holds_the_probe_and_more() -> None:
    assert len(CORPUS) > 76 and len(set(CORPUS)) == len(CORPUS)


def test_every_stored_body_is_inert(shared_api: Api) -> None:
    rivera, alex = shared_api.as_("dr.rivera"), shared_api.as_("alex")
    thread_id = rivera.started(["alex"], subject="Corpus")["thread"]["id"]
    failures: dict[str, Any] = {}
    for payload in CORPUS:
        reply = rivera.reply(thread_id, body=FILLER + payload)
        assert reply.status_code == 201, (payload, reply.text)
        stored = reply.json()["message"]["body_html"]
        if problems(stored):
            failures[payload] = (stored, problems(stored))
    read_back = [m["body_html"] for m in alex.thread(thread_id)["messages"]]
    assert len(read_back) == len(CORPUS) + 1
    for stored in read_back:
        if problems(stored):
            failures[stored] = problems(stored)
    assert not failures, json.dumps(failures, indent=1)


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ('<span style="font-size:13pt">Large words here</span>',
         '<span style="font-size:13pt">Large words here</span>'),
        ('<p><a href="https://ok.example/a?b=1">a safe link</a></p>', 'href="https://ok.example/a?b=1"'),
        ('<p><a href="mailto:frontdesk@example.org">write to us</a></p>',
         'href="mailto:frontdesk@example.org"'),
        ('<ol start="3"><li>third point of the list</li></ol>', '<ol start="3">'),
    ],
)
def test_what_the_composer_writes_is_kept(shared_api: Api, sent: str, kept: str) -> None:
    rivera = shared_api.as_("dr.rivera")
    stored = rivera.started(["alex"], body=sent)["message"]["body_html"]
    assert kept in stored

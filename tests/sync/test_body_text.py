"""sync.body_text renders a body as the server's `body_text`: on the demo's conversations as
the server stored them, on generated volume bodies, and on hostile and odd HTML after the
server's sanitizer."""

from __future__ import annotations

import json
import random
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.demo.conversations import write_starter_conversations
from server.sanitize import html_to_text, sanitize_html
from server.seed_volume import _body
from sync.body_text import body_text
from tests.support.live_server import LiveServer
from tests.sync.traffic import signed_in

HOSTILE = json.loads((Path(__file__).parent.parent / "data" / "xss-bodies.json").read_text())
ODD = [
    "<ul><li>one</li><li>two<br/>three</li></ul>",
    "<p>a &amp;lt; b &nbsp; c</p><hr><p>\u00a0 d \t e</p>",
    "<ol start=\"3\"><li><b>x</b></li></ol><blockquote>q<pre>  code\n  kept</pre></blockquote>",
    "<a href=\"https://example.com/?a=1&amp;b=2\" title=\"x > y\">link</a> after",
    "<div><div><div>deep</div></div></div>\n\n\n\n<p></p><p>end</p>",
    "plain text with no markup at all",
    "<h1>Title</h1><h4>small</h4><sub>2</sub><sup>3</sup><small>s</small><big>b</big>",
    "<br><br><br><br>gap<br/><br />",
]


def test_demo_conversations_as_the_server_stored_them(live_server: LiveServer) -> None:
    write_starter_conversations(live_server.url)
    api = signed_in(live_server, "dr.rivera")
    cursor, messages = "", []
    while True:
        page = api.changes(cursor, 500)
        messages += page["messages"]
        cursor = page["cursor"]
        if not page["more"]:
            break
    api.close()
    assert len(messages) >= 5
    for m in messages:
        assert body_text(m["body_html"]) == m["body_text"], m["body_html"]


def test_generated_volume_bodies() -> None:
    rng = random.Random(15)
    for _ in range(300):
        html, plain = _body(rng)
        assert body_text(html) == html_to_text(html) == plain


def test_hostile_and_odd_bodies_after_sanitizing() -> None:
    for raw in HOSTILE + ODD:
        clean = sanitize_html(raw)
        assert body_text(clean) == html_to_text(clean), raw


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(
    st.sampled_from(["<p>", "</p>", "<br>", "<li>", "</li>", "<ul>", "</ul>", "<b>", "</b>",
                     "<a href=\"https://x.test/\">", "</a>", "&amp;", "&lt;", "&nbsp;",
                     "\n", "  ", "\u00a0", "<hr>", "<pre>", "</pre>", "&#38;", "<!-- c -->"]),
    st.text(max_size=8)), max_size=30))
def test_any_sanitized_markup(pieces: list[str]) -> None:
    clean = sanitize_html("".join(pieces))
    assert body_text(clean) == html_to_text(clean)

"""The client's count of a body's visible text agrees with the server's, on any HTML."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from server.sanitize import html_to_text, sanitize_html
from sync.body_text import visible_length, visible_text


def server_text(raw_html: str) -> str:
    """What the server stores (and counts) for a body it is sent."""
    return html_to_text(sanitize_html(raw_html))


TAGS = ["p", "div", "br", "li", "ul", "ol", "b", "i", "span", "a", "blockquote", "pre", "h1",
        "hr", "table", "td", "tr", "script", "style", "title", "textarea", "img", "font", "sup",
        "template", "noscript", "iframe", "select", "option", "xmp", "svg", "math"]
SPACES = [" ", "  ", "\t", "\n", "\r\n", "\u00a0", "\u202f", "\u2007", "\ufeff", "\u2028",
          "\u3000", "\f", "\v"]
PIECES = st.one_of(
    st.text(max_size=8),
    st.sampled_from(SPACES),
    st.sampled_from(["&nbsp;", "&amp;", "&lt;", "&gt;", "&amp;lt;", "&#160;", "&#xA0;",
                     "&bogus;", "&", "<", ">", "<!-- note -->", "<!--", "-->", "<![CDATA[x]]>",
                     "<!DOCTYPE html>", "<?php ?>", "</", "<>", "•", "\x00"]),
    st.builds(lambda t, attrs: f"<{t}{attrs}>", st.sampled_from(TAGS),
              st.sampled_from(["", " style='font-size:2pt'", ' href="http://x"', " class=x",
                               " /", ' title="a > b"'])),
    st.builds(lambda t: f"</{t}>", st.sampled_from(TAGS)),
    st.builds(lambda t: f"<{t}/>", st.sampled_from(TAGS)),
)
HTML = st.lists(PIECES, max_size=30).map("".join)


@settings(max_examples=600, deadline=None)
@given(HTML)
def test_visible_text_agrees_with_the_server_on_arbitrary_html(raw: str) -> None:
    assert visible_text(raw) == server_text(raw)


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_visible_text_agrees_with_the_server_on_any_string(raw: str) -> None:
    assert visible_text(raw) == server_text(raw)


def test_runs_of_spaces_count_once_as_the_server_counts_them() -> None:
    assert visible_length("<p>ok          .</p>") == 4 == len(server_text("<p>ok          .</p>"))


def test_what_does_not_show_does_not_count() -> None:
    assert visible_length("<p>\u00a0 </p><script>long enough text</script><!-- hidden -->") == 0
    assert visible_length("<ul><li>ok</li></ul>") == len("• ok")

"""Message bodies are bounded in bytes, depth, elements and attributes before cleaning.

The probe's blow-up: `"<div>" * 60000` held the SQLite write lock for 12 s while the
sanitizer ran; 333,000 of them ran for minutes. Each bound is tried over loopback HTTP on
both databases; the upper bounds themselves are tried on constructs that hide nesting.
"""

from __future__ import annotations

import threading

import pytest

from server.body_bounds import BodyBounds, measure, refusal
from tests.support.api_client import Api
from tests.support.hostile_inputs import (
    MAX_BODY_BYTES,
    TEXT,
    nested_divs,
    worst_allowed_bodies,
)


def _refused(reply, status: int = 422, code: str = "validation_error") -> str:
    assert reply.status_code == status, reply.text
    assert reply.headers["content-type"] == "application/problem+json"
    problem = reply.json()
    assert problem["code"] == code
    return str(problem["detail"])


def test_sixty_thousand_nested_divs_are_refused_with_a_sentence(api: Api) -> None:
    rivera = api.as_("dr.rivera")
    detail = _refused(rivera.send(["alex"], body=nested_divs(60_000)))
    assert "too long" in detail and "256 KB" in detail
    assert rivera.changes()["messages"] == []


def test_333000_divs_are_refused_before_they_are_parsed(api: Api) -> None:
    rivera = api.as_("dr.rivera")
    _refused(rivera.send(["alex"], body=nested_divs(333_000)), 413, "request_too_large")


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ("<div>" * 65 + TEXT, "nested too deeply"),
        ("<p>" + "<b>x</b>" * 20_001 + "</p>", "too much formatting"),
        ("<p " + " a" * 65 + ">" + TEXT + "</p>", "too many attributes"),
    ],
    ids=["depth 65", "20,002 elements", "65 attributes"],
)
def test_each_bound_is_refused_in_sends_replies_and_drafts(
    api: Api, body: str, words: str
) -> None:
    rivera = api.as_("dr.rivera")
    assert len(body.encode()) <= MAX_BODY_BYTES
    assert words in _refused(rivera.send(["alex"], body=body))
    thread = rivera.started(["alex"])["thread"]
    assert words in _refused(rivera.reply(thread["id"], body=body))
    draft = {"to": [], "subject": "s", "body_html": body, "attachment_ids": []}
    assert words in _refused(rivera.put("/drafts/7d1f2a7e-55b8-4b3f-9a57-8b0c3cf5d9a1", draft))


def test_the_worst_bodies_allowed_are_accepted_while_others_are_served(api: Api) -> None:
    rivera, chen = api.as_("dr.rivera"), api.as_("dr.chen")
    replies: list[int] = []
    stop = threading.Event()

    def other_user() -> None:
        while not stop.is_set():
            replies.append(chen.get("/session").status_code)

    reader = threading.Thread(target=other_user)
    reader.start()
    try:
        sent = [
            (name, rivera.send(["alex"], body=body))
            for name, body in worst_allowed_bodies().items()
            for _ in range(3)
        ]
    finally:
        stop.set()
        reader.join()
    for name, reply in sent:
        assert reply.status_code == 201, f"{name}: {reply.text}"
        assert reply.json()["message"]["body_text"].startswith(TEXT)
    assert replies and set(replies) == {200}


# The bounds are upper bounds: nothing below may hide levels the HTML5 parser builds.
@pytest.mark.parametrize(
    "body",
    [
        '<div title="</div>">' * 100,  # a closing tag inside a quoted value
        "<div title='</div>'>" * 100,
        "<div title=</div>>" * 100,  # ... and an unquoted one
        '<div =="</div>">' * 100,  # a name starting with "="
        "<div><!-- </div> -->" * 100,  # inside a comment
        "<div><!</div>" * 100,  # a bogus comment eats up to ">"
        "<xmp><a title=\"</xmp>" + "<div>" * 100 + '">',  # raw text or markup
        "<select><plaintext></select>" + "<div>" * 100,
        "<svg><style><a title=\"</style></div>\"></svg>" * 100,  # foreign content
        "<DIV>" * 50 + "<dIv>" * 50,
    ],
)
def test_hidden_nesting_counts_as_deep(body: str) -> None:
    assert measure(body).depth > 64
    assert "nested too deeply" in (refusal(body, BodyBounds()) or "")


@pytest.mark.parametrize(
    "body",
    [
        "<p>" + "<b>bold</b> and <i>more</i> " * 200 + "</p>",
        '<p style="font-weight:600">a</p><br><hr><img src="x">' * 200,
        "<div><!-- a comment --><p>text</p></div>" * 200,
        '<style type="text/css">p, li { white-space: pre-wrap; }</style>' + "<p>x</p>" * 200,
        "<ul>" + "<li>item</li>" * 500 + "</ul>",
    ],
)
def test_ordinary_formatting_stays_shallow(body: str) -> None:
    assert measure(body).depth <= 3
    assert refusal(body, BodyBounds()) is None

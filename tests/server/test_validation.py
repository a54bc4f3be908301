"""Validation and errors: subject and body rules, HTML sanitizing, and problem+json for every
refusal. No input a client can send produces a 500.
"""

from __future__ import annotations

import base64
import uuid
from typing import Any

import pytest
import requests

from tests.support.api_client import Api, assert_problem

SUBJECT_CASES = [
    pytest.param("", 422, "subject_required", id="empty"),
    pytest.param("   \t  ", 422, "subject_required", id="only-whitespace"),
    pytest.param("x" * 201, 422, "validation_error", id="201-characters"),
    pytest.param("  " + "y" * 201 + "  ", 422, "validation_error", id="201-after-trimming"),
    pytest.param("x" * 200, 201, None, id="exactly-200"),
    pytest.param("  " + "z" * 200 + "  ", 201, None, id="200-after-trimming"),
    pytest.param("Ünïcødé ✓ 日本語", 201, None, id="unicode"),
]


@pytest.mark.parametrize(("subject", "status", "code"), SUBJECT_CASES)
def test_subject(shared_api: Api, subject: str, status: int, code: str | None) -> None:
    reply = shared_api.as_("dr.rivera").send(["alex"], subject=subject)
    if code:
        assert_problem(reply, status, code)
    else:
        assert reply.status_code == 201, reply.text
        assert reply.json()["thread"]["subject"] == subject.strip()


def test_missing_subject_is_a_validation_error(shared_api: Api) -> None:
    rivera = shared_api.as_("dr.rivera")
    payload = {"to": [f"person:{shared_api.id('alex')}"], "body_html": "<p>No subject here.</p>"}
    assert_problem(rivera.post("/threads", payload), 422, "validation_error")


NBSP = "\u00a0"
BODY_CASES = [
    pytest.param("<p>short</p>", False, id="five-characters"),
    pytest.param("<p>123456789</p>", False, id="nine-characters"),
    pytest.param("<p>1234567890</p>", True, id="exactly-ten"),
    pytest.param("<b></b><i></i><p></p>" * 30 + "abc", False, id="tags-do-not-count"),
    pytest.param("&amp;" * 9, False, id="entities-count-once"),
    pytest.param("&amp;" * 10, True, id="ten-entities"),
    pytest.param("&nbsp;" * 20 + "abcdefghi" + "&nbsp;" * 20, False, id="nbsp-entities-trimmed"),
    pytest.param(NBSP * 5 + "abcdefghi" + "  \n\t" + NBSP, False, id="raw-nbsp-trimmed"),
    pytest.param("abcd&nbsp;efghi", True, id="inner-nbsp-counts"),
    pytest.param("<script>aaaaaaaaaaaaaaaaaaaa</script>hi", False, id="script-content-dropped"),
    pytest.param("<style>p { color: red; }</style>hi there", False, id="style-content-dropped"),
    pytest.param("<!-- a long comment here -->hi", False, id="comments-dropped"),
    pytest.param("", False, id="empty"),
]


@pytest.mark.parametrize(("body", "accepted"), BODY_CASES)
def test_body_minimum_length(shared_api: Api, body: str, accepted: bool) -> None:
    rivera = shared_api.as_("dr.rivera")
    new = rivera.send(["alex"], body=body)
    thread_id = rivera.started(["alex"])["thread"]["id"]
    reply = rivera.reply(thread_id, body=body)
    for answer in (new, reply):
        if accepted:
            assert answer.status_code == 201, answer.text
            assert len(answer.json()["message"]["body_text"]) >= 10
        else:
            assert_problem(answer, 422, "body_too_short")


def test_body_text_is_the_decoded_trimmed_text(shared_api: Api) -> None:
    sent = shared_api.as_("dr.rivera").started(
        ["alex"], body="&nbsp; <p>Fish &amp; chips &lt;3</p>&nbsp;"
    )
    assert sent["message"]["body_text"] == "Fish & chips <3"


SANITIZE_CASES = [
    pytest.param(
        '<p>Hello <script>alert("x")</script>world, friend</p>',
        ["Hello", "world, friend"],
        ["<script", "alert"],
        id="script-and-content",
    ),
    pytest.param(
        "<style>body{display:none}</style><p>Visible text here</p>",
        ["Visible text here"],
        ["<style", "display"],
        id="style-and-content",
    ),
    pytest.param(
        '<p onclick="steal()" onmouseover="x()">Click handler text</p>',
        ["<p>", "Click handler text"],
        ["onclick", "onmouseover", "steal"],
        id="event-handlers",
    ),
    pytest.param(
        '<img src="http://evil.example/x.png" onerror="x()">Image text follows',
        ["Image text follows"],
        ["<img", "evil.example", "onerror"],
        id="images",
    ),
    pytest.param(
        '<iframe src="http://evil.example/"></iframe><frame><p>Frame text here</p>',
        ["Frame text here"],
        ["<iframe", "<frame", "evil.example"],
        id="frames",
    ),
    pytest.param(
        '<a href="javascript:alert(1)">bad link text</a>',
        ["bad link text"],
        ["javascript", "alert"],
        id="javascript-link",
    ),
    pytest.param(
        '<a href="data:text/html,hi">data link text</a>',
        ["data link text"],
        ["data:"],
        id="data-link",
    ),
    pytest.param(
        '<a href="http://example.org/a">plain link text</a>',
        ['href="http://example.org/a"', "plain link text"],
        [],
        id="http-link-kept",
    ),
    pytest.param(
        '<a href="https://example.org/b">secure link text</a>',
        ['href="https://example.org/b"'],
        [],
        id="https-link-kept",
    ),
    pytest.param(
        '<a href="mailto:help@example.org">mail link text</a>',
        ['href="mailto:help@example.org"'],
        [],
        id="mailto-link-kept",
    ),
    pytest.param(
        '<p style="background-image:url(http://evil.example/t.png)">Styled text here</p>',
        ["Styled text here"],
        ["url(", "evil.example"],
        id="remote-style",
    ),
    pytest.param(
        '<object data="x.swf"></object><embed src="y.swf"><p>Object text here</p>',
        ["Object text here"],
        ["<object", "<embed", "swf"],
        id="plugins",
    ),
    pytest.param(
        '<form action="http://evil.example/"><input name="pw"></form><p>Form text here</p>',
        ["Form text here"],
        ["<form", "<input", "evil.example"],
        id="forms",
    ),
    pytest.param(
        '<svg onload="x()"><circle r="5"/></svg><p>Vector text here</p>',
        ["Vector text here"],
        ["<svg", "onload", "<circle"],
        id="svg",
    ),
    pytest.param(
        '<link rel="stylesheet" href="http://evil.example/x.css"><p>Sheet text here</p>',
        ["Sheet text here"],
        ["<link", "evil.example"],
        id="stylesheet-link",
    ),
    pytest.param(
        "<blink>unknown element text</blink>",
        ["unknown element text"],
        ["<blink", "&lt;"],
        id="removed-not-escaped",
    ),
    pytest.param(
        "<p>Keep <b>bold</b> and <i>italic</i> and <ul><li>lists</li></ul></p>",
        ["<b>bold</b>", "<i>italic</i>", "<li>lists</li>"],
        [],
        id="formatting-kept",
    ),
]


@pytest.mark.parametrize(("html", "kept", "removed"), SANITIZE_CASES)
def test_sanitizing(shared_api: Api, html: str, kept: list[str], removed: list[str]) -> None:
    rivera = shared_api.as_("dr.rivera")
    sent = rivera.started(["alex"], body=html)
    # what the recipient reads is what was stored: the sanitized body
    stored = shared_api.as_("alex").thread(sent["thread"]["id"])["messages"][0]
    assert stored["body_html"] == sent["message"]["body_html"]
    for text in kept:
        assert text in stored["body_html"]
    for text in removed:
        assert text.lower() not in stored["body_html"].lower()


UNKNOWN_FIELDS = [
    pytest.param("POST", "/threads", {"cc": ["x"]}, "cc", id="new-thread"),
    pytest.param("POST", "/folders", {"name": "Billing", "colour": "red"}, "colour", id="folder"),
    pytest.param("PATCH", "/threads/{thread}/state", {"pinned": True}, "pinned", id="state"),
    pytest.param(
        "POST", "/threads/{thread}/messages", {"body": "hello there"}, "body", id="message"
    ),
    pytest.param("PUT", "/drafts/{uuid}", {"subject": "x", "bcc": []}, "bcc", id="draft"),
    pytest.param("POST", "/threads/state", {"thread_ids": [], "color": "red"}, "color", id="bulk"),
]


def fill(path: str, thread_id: str) -> str:
    return path.replace("{thread}", thread_id).replace("{uuid}", str(uuid.uuid4()))


def valid_thread(api: Api) -> dict[str, Any]:
    return {
        "to": [f"person:{api.id('alex')}"],
        "subject": "Hello",
        "body_html": "<p>A perfectly good body.</p>",
    }


@pytest.mark.parametrize(("method", "path", "extra", "unknown"), UNKNOWN_FIELDS)
def test_unknown_fields_are_refused(
    shared_api: Api, method: str, path: str, extra: dict[str, Any], unknown: str
) -> None:
    rivera = shared_api.as_("dr.rivera")
    thread_id = rivera.started(["alex"])["thread"]["id"]
    payload = {**valid_thread(shared_api), **extra} if path == "/threads" else extra
    if path.endswith("/messages"):
        payload = {"body_html": "<p>A perfectly good body.</p>", **extra}
    reply = rivera.http.request(
        method,
        rivera.url(fill(path, thread_id)),
        json=payload,
        headers={"Idempotency-Key": str(uuid.uuid4())},
        timeout=30,
    )
    body = assert_problem(reply, 422, "validation_error")
    assert unknown in body["detail"]  # the detail names the field


def test_unknown_login_field(shared_api: Api) -> None:
    reply = requests.post(
        f"{shared_api.server.api}/auth/login",
        json={"username": "alex", "password": "x", "remember": True},
        timeout=30,
    )
    assert_problem(reply, 422, "validation_error")


MALFORMED = [
    pytest.param('{"to": [', id="truncated"),
    pytest.param("", id="empty"),
    pytest.param("[]", id="array"),
    pytest.param('"a string"', id="string"),
    pytest.param("null", id="null"),
    pytest.param("{'single': 'quotes'}", id="not-json"),
    pytest.param("\xff\xfe{}", id="not-utf8"),
]


@pytest.mark.parametrize("raw", MALFORMED)
def test_malformed_json(shared_api: Api, raw: str) -> None:
    rivera = shared_api.as_("dr.rivera")
    reply = rivera.http.post(
        rivera.url("/threads"),
        data=raw.encode("latin-1"),
        headers={"Content-Type": "application/json", "Idempotency-Key": str(uuid.uuid4())},
        timeout=30,
    )
    assert_problem(reply, 422, "validation_error")


WRONG_TYPES = [
    pytest.param({"to": "person:x"}, id="to-not-a-list"),
    pytest.param({"to": [1, 2]}, id="to-numbers"),
    pytest.param({"subject": 42}, id="subject-number"),
    pytest.param({"subject": None}, id="subject-null"),
    pytest.param({"body_html": ["<p>x</p>"]}, id="body-list"),
    pytest.param({"attachment_ids": {"a": 1}}, id="attachments-object"),
    pytest.param({"draft_id": 12}, id="draft-id-number"),
]


@pytest.mark.parametrize("override", WRONG_TYPES)
def test_wrong_types(shared_api: Api, override: dict[str, Any]) -> None:
    rivera = shared_api.as_("dr.rivera")
    reply = rivera.post("/threads", {**valid_thread(shared_api), **override})
    assert_problem(reply, 422, "validation_error")


@pytest.mark.parametrize(
    ("payload"),
    [
        pytest.param({"unread": "maybe"}, id="unread-word"),
        pytest.param({"starred": [1]}, id="starred-list"),
        pytest.param({"folder": 3}, id="folder-number"),
        pytest.param({"folder": "sent"}, id="folder-sent"),
        pytest.param({"folder": "nowhere"}, id="folder-unknown"),
        pytest.param({"folder": f"folder:{uuid.uuid4()}"}, id="folder-missing"),
    ],
)
def test_wrong_state_values(shared_api: Api, payload: dict[str, Any]) -> None:
    rivera = shared_api.as_("dr.rivera")
    thread_id = rivera.started(["alex"])["thread"]["id"]
    assert_problem(rivera.patch(f"/threads/{thread_id}/state", payload), 422, "validation_error")


@pytest.mark.parametrize(
    ("method", "path", "status", "code"),
    [
        pytest.param("GET", "/api/v1/nothing-here", 404, "not_found", id="unknown-api-path"),
        pytest.param("GET", "/nothing-here", 404, "not_found", id="unknown-root-path"),
        pytest.param("GET", "/api/v2/threads", 404, "not_found", id="unknown-version"),
        pytest.param("DELETE", "/api/v1/session", 405, "method_not_allowed", id="delete-session"),
        pytest.param("POST", "/api/v1/directory", 405, "method_not_allowed", id="post-directory"),
        pytest.param("PUT", "/api/v1/threads", 405, "method_not_allowed", id="put-threads"),
        pytest.param(
            "GET", f"/api/v1/threads/{uuid.uuid4()}", 404, "not_found", id="unknown-thread"
        ),
        pytest.param(
            "DELETE", f"/api/v1/messages/{uuid.uuid4()}", 404, "not_found", id="unknown-message"
        ),
    ],
)
def test_unknown_paths_and_methods(
    shared_api: Api, method: str, path: str, status: int, code: str
) -> None:
    rivera = shared_api.as_("dr.rivera")
    reply = rivera.http.request(method, shared_api.server.url + path, timeout=30)
    assert_problem(reply, status, code)


def test_openapi_document_is_served(shared_api: Api) -> None:
    reply = requests.get(f"{shared_api.server.api}/openapi.json", timeout=30)
    assert reply.status_code == 200
    paths = reply.json()["paths"]
    for path in ("/api/v1/threads", "/api/v1/changes", "/api/v1/blobs", "/api/v1/auth/login"):
        assert path in paths


def b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode("utf-8", "surrogatepass")).decode()


NUL = "\x00"
SURROGATE = "\ud800"
HUGE = "x" * 3_000_000


def hostile_requests(api: Api, thread_id: str) -> list[tuple[str, str, dict[str, Any]]]:
    """(method, path, requests keyword arguments) that a careless or hostile client sends."""
    alex = f"person:{api.id('alex')}"
    good = valid_thread(api)
    posts = [
        {**good, "subject": f"a{NUL}b"},
        {**good, "subject": f"a{SURROGATE}b"},
        {**good, "subject": HUGE},
        {**good, "subject": "\u202e\u200b\ufeff"},
        {**good, "body_html": f"<p>hello there{NUL} friend</p>"},
        {**good, "body_html": f"<p>hello there{SURROGATE} friend</p>"},
        {**good, "body_html": HUGE},
        {**good, "body_html": "<p>" * 100_000 + "deep nesting here"},
        {**good, "to": [f"person:{NUL}"]},
        {**good, "to": [f"person:{SURROGATE}"]},
        {**good, "to": ["person:" + "a" * 5000]},
        {**good, "to": [alex] * 600},
        {**good, "to": [None]},
        {**good, "attachment_ids": [NUL]},
        {**good, "attachment_ids": ["a" * 5000]},
        {**good, "draft_id": NUL},
        {**good, "draft_id": "a" * 60},
        {**good, "to": {"person": alex}},
        {**good, "subject": {"$gt": ""}},
        [good, good],
    ]
    calls: list[tuple[str, str, dict[str, Any]]] = [
        ("POST", "/threads", {"json": p}) for p in posts
    ]
    calls += [
        ("POST", f"/threads/{thread_id}/messages", {"json": {"body_html": f"<p>x{NUL}yz</p>"}}),
        ("POST", f"/threads/{thread_id}/quick-note", {"json": {"body": f"a{NUL}"}}),
        ("POST", f"/threads/{thread_id}/quick-note", {"json": {"body": f"a{SURROGATE}"}}),
        ("POST", f"/threads/{thread_id}/quick-note", {"json": {"body": ""}}),
        ("POST", "/folders", {"json": {"name": f"a{NUL}"}}),
        ("POST", "/folders", {"json": {"name": f"a{SURROGATE}"}}),
        ("POST", "/folders", {"json": {"name": HUGE[:5000]}}),
        ("POST", "/threads/state", {"json": {"thread_ids": [NUL, "a" * 500], "starred": True}}),
        ("POST", "/threads/state", {"json": {"thread_ids": "all", "starred": True}}),
        ("PATCH", f"/threads/{thread_id}/state", {"json": {"folder": f"folder:{NUL}"}}),
        ("PATCH", f"/threads/{thread_id}/state", {"json": {"folder": "folder:" + "a" * 50}}),
        ("PATCH", "/clients/%00", {"json": {"status": "active"}}),
        ("PATCH", f"/clients/{api.id('alex')}", {"json": {"status": "asleep"}}),
        ("PATCH", "/folders/%00", {"json": {"name": "x"}}),
        ("PATCH", "/threads/%00/state", {"json": {"starred": True}}),
    ]
    for field in ("subject", "body_html", "thread_id", "updated_at"):
        for value in (f"a{NUL}", f"a{SURROGATE}", "x" * 70):
            calls.append(("PUT", f"/drafts/{uuid.uuid4()}", {"json": {field: value}}))
    calls += [
        ("PUT", f"/drafts/{uuid.uuid4()}", {"json": {"to": [f"person:{NUL}"]}}),
        ("PUT", f"/drafts/{uuid.uuid4()}", {"json": {"attachment_ids": [NUL]}}),
        ("PUT", "/drafts/not-a-uuid", {"json": {}}),
        ("PUT", f"/drafts/{uuid.uuid4()}", {"json": {"id": str(uuid.uuid4())}}),
    ]
    for path in (
        "/threads/%00",
        "/threads/%FF",
        "/threads/%ED%A0%80",
        "/threads/" + "a" * 5000,
        "/messages/%00",
        "/blobs/%00",
        "/blobs/" + "a" * 5000,
        "/clients/%00/notes",
        "/threads/..%2F..%2Fsession",
    ):
        calls.append(("GET", path, {}))
    for path in ("/messages/%00", "/threads/%00", "/drafts/%00", "/folders/%00"):
        calls.append(("DELETE", path, {}))
    for params in (
        {"folder": NUL},
        {"folder": f"folder:{NUL}"},
        {"folder": "x" * 100},
        {"before": "!!"},
        {"before": b64("2020-01-01T00:00:00|x")},
        {"before": b64("2020-01-01T00:00:00Z|" + NUL)},
        {"before": b64("0001-01-01T00:00:00+14:00|x")},
        {"before": b64("9999-12-31T23:59:59-14:00|x")},
        {"before": base64.urlsafe_b64encode(b"\xff\xfe").decode()},
        {"before": b64("garbage")},
        {"limit": "abc"},
        {"limit": "9" * 30},
        {"limit": "0"},
    ):
        calls.append(("GET", "/threads", {"params": params}))
    for params in (
        {"since": "9" * 20},
        {"since": "9" * 40},
        {"since": "abc"},
        {"since": "-5"},
        {"since": "1e5"},
        {"since": NUL},
        {"since": "٣"},
        {"wait": "nan"},
        {"wait": "inf"},
        {"wait": "-1"},
        {"wait": "61"},
        {"limit": "0"},
        {"limit": "100000"},
    ):
        calls.append(("GET", "/changes", {"params": params}))
    for params in ({"since": "9" * 20}, {"since": "-1"}, {"limit": "0"}, {"since": "x"}):
        calls.append(("GET", "/audit", {"params": params}))
    for name in ("%FF.txt", "%ED%A0%80.txt", "%00", "a" * 5000 + ".txt", ""):
        calls.append(("POST", "/blobs", {"data": b"hello", "headers": {"X-Filename": name}}))
    return calls


def test_no_input_produces_a_500(shared_api: Api) -> None:
    admin = shared_api.as_("admin")
    thread_id = admin.started(["alex"])["thread"]["id"]
    failures = []
    for method, path, kwargs in hostile_requests(shared_api, thread_id):
        headers = {"Idempotency-Key": str(uuid.uuid4()), **kwargs.pop("headers", {})}
        try:
            reply = admin.http.request(
                method, admin.url(path), headers=headers, timeout=60, **kwargs
            )
        except requests.ConnectionError as exc:  # the server dropped us: a crash
            failures.append(f"{method} {path[:60]} {kwargs!r:.80}: {exc}")
            admin.http.close()
            continue
        if reply.status_code >= 500:
            failures.append(f"{method} {path[:60]} {kwargs!r:.80}: {reply.status_code}")
        elif reply.status_code >= 400:
            problem = reply.json()
            assert reply.headers["content-type"].startswith("application/problem+json")
            assert problem["code"] and problem["detail"], problem
    assert failures == []
    assert admin.get("/session").status_code == 200


LOGIN_BODIES: list[Any] = [
    {"username": f"a{NUL}", "password": "x"},
    {"username": f"a{SURROGATE}", "password": "x"},
    {"username": "dr.rivera", "password": f"x{NUL}"},
    {"username": "dr.rivera", "password": "lakeside-demo-2026", "totp_code": NUL},
    {"username": "x" * 5000, "password": "x"},
    {"username": "dr.rivera", "password": "x" * 100_000},
    {"username": None, "password": "x"},
    {"username": ["dr.rivera"], "password": "x"},
    [],
    "dr.rivera",
    5,
]


@pytest.mark.parametrize("body", LOGIN_BODIES, ids=[f"login-{i}" for i in range(len(LOGIN_BODIES))])
def test_hostile_sign_in_is_refused_cleanly(shared_api: Api, body: Any) -> None:
    reply = requests.post(f"{shared_api.server.api}/auth/login", json=body, timeout=60)
    assert reply.status_code in (401, 422), reply.text
    assert reply.headers["content-type"].startswith("application/problem+json")
    assert reply.json()["code"] in ("invalid_credentials", "validation_error")


def test_requests_without_a_usable_token(shared_api: Api) -> None:
    url = f"{shared_api.server.api}/session"
    for headers in (
        {},
        {"Authorization": "Bearer"},
        {"Authorization": "Basic YWxleDp4"},
        {"Authorization": "Bearer " + "a" * 10_000},
        {"Authorization": "Bearer \xe9\xff"},
    ):
        assert_problem(requests.get(url, headers=headers, timeout=30), 401, "unauthenticated")

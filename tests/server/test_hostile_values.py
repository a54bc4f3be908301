"""Values longer than their columns, odd number spellings and cursors from the future get a
4xx with a sentence; nothing a client sends reaches the database's own length check (a 500
on PostgreSQL, with the parameters in the log)."""

from __future__ import annotations

import uuid

import pytest
import requests
from sqlalchemy import select

from server.db.models import FeedCounter
from tests.support.api_client import Api
from tests.support.live_server import LiveServer


def _problem(reply: requests.Response, status: int, code: str) -> str:
    assert reply.status_code == status, reply.text
    assert reply.headers["content-type"] == "application/problem+json"
    assert reply.json()["code"] == code
    return str(reply.json()["detail"])


def test_a_username_that_lengthens_when_lowered_is_refused(server: LiveServer) -> None:
    # "İ" lower-cases to two characters: 60 of them become 120, over the column's 100.
    reply = requests.post(
        f"{server.api}/auth/login", json={"username": "İ" * 60, "password": "x"}, timeout=30
    )
    assert "at most 100 characters" in _problem(reply, 422, "validation_error")


def test_a_draft_thread_id_longer_than_an_id_is_refused(api: Api) -> None:
    rivera = api.as_("dr.rivera")
    draft = {"to": [], "subject": "s", "body_html": "", "attachment_ids": [],
             "thread_id": "t" * 37}
    reply = rivera.put(f"/drafts/{uuid.uuid4()}", draft)
    _problem(reply, 422, "validation_error")
    assert rivera.get("/drafts").json()["drafts"] == []


@pytest.mark.parametrize("since", ["١٢", "1_0", " 12", "+12", "12.0", "0x1"])
def test_cursors_and_numbers_in_other_spellings_are_refused(api: Api, since: str) -> None:
    rivera, admin = api.as_("dr.rivera"), api.as_("admin")
    assert "not valid" in _problem(
        rivera.get("/changes", params={"since": since}), 422, "validation_error"
    )
    assert "digits 0-9" in _problem(
        admin.get("/audit", params={"since": since}), 422, "validation_error"
    )
    assert "digits 0-9" in _problem(
        rivera.get("/threads", params={"limit": since}), 422, "validation_error"
    )


def test_a_cursor_from_the_future_is_gone(api: Api, server: LiveServer) -> None:
    rivera = api.as_("dr.rivera")
    cursor = int(rivera.changes()["cursor"])
    assert rivera.get("/changes", params={"since": str(cursor)}).status_code == 200
    with server.ctx.sessions() as db:
        newest = db.scalar(select(FeedCounter.value).where(FeedCounter.id == 1))
    assert rivera.get("/changes", params={"since": str(newest)}).status_code == 200
    for later in (newest + 1, cursor + 1_000_000):
        reply = rivera.get("/changes", params={"since": str(later), "wait": "1"})
        assert "downloaded again" in _problem(reply, 410, "cursor_expired")


def test_malformed_json_is_problem_json(api: Api) -> None:
    rivera = api.as_("dr.rivera")
    reply = rivera.http.post(
        rivera.url("/folders"), data=b'{"name": ', timeout=30,
        headers={"Content-Type": "application/json"},
    )
    assert _problem(reply, 422, "validation_error")

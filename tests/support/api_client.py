"""A thin HTTP helper for tests: sign in as a demo person and call the API over loopback."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote

import requests

from tests.support.live_server import LiveServer


class User:
    """One signed-in person; every call goes over real HTTP."""

    def __init__(self, server: LiveServer, username: str) -> None:
        self.server = server
        self.username = username
        self.http = requests.Session()
        self.token = server.token(username)
        self.http.headers["Authorization"] = f"Bearer {self.token}"
        self.id = server.person_id(username)

    def url(self, path: str) -> str:
        return self.server.api + path

    def get(self, path: str, **kw: Any) -> requests.Response:
        return self.http.get(self.url(path), timeout=90, **kw)

    def post(
        self, path: str, json: Any = None, key: str | None = "auto", **kw: Any
    ) -> requests.Response:
        headers = dict(kw.pop("headers", {}))
        if key == "auto":
            key = str(uuid.uuid4())
        if key is not None:
            headers["Idempotency-Key"] = key
        return self.http.post(self.url(path), json=json, headers=headers, timeout=90, **kw)

    def patch(self, path: str, json: Any = None) -> requests.Response:
        return self.http.patch(self.url(path), json=json, timeout=90)

    def put(self, path: str, json: Any = None) -> requests.Response:
        return self.http.put(self.url(path), json=json, timeout=90)

    def delete(self, path: str) -> requests.Response:
        return self.http.delete(self.url(path), timeout=90)

    def send(
        self,
        to: list[str],
        subject: str = "Checking in",
        body: str = "<p>Hello, this is a test message.</p>",
        **extra: Any,
    ) -> requests.Response:
        """Start a thread; `to` holds usernames or raw addresses ("group:...")."""
        addresses = [t if ":" in t else f"person:{self.server.person_id(t)}" for t in to]
        payload = {"to": addresses, "subject": subject, "body_html": body, **extra}
        return self.post("/threads", payload)

    def reply(
        self, thread_id: str, body: str = "<p>Thanks, that works for me.</p>", **extra: Any
    ) -> requests.Response:
        return self.post(f"/threads/{thread_id}/messages", {"body_html": body, **extra})

    def thread(self, thread_id: str) -> dict[str, Any]:
        """GET /threads/{id} (which also marks it read), asserting it answered 200."""
        reply = self.get(f"/threads/{thread_id}")
        assert reply.status_code == 200, reply.text
        return dict(reply.json())

    def started(self, to: list[str], **kw: Any) -> dict[str, Any]:
        """Start a thread and return its 201 body `{"thread", "message"}`."""
        reply = self.send(to, **kw)
        assert reply.status_code == 201, reply.text
        return dict(reply.json())

    def upload(
        self,
        filename: str,
        data: bytes | Iterable[bytes],
        content_type: str = "application/octet-stream",
    ) -> requests.Response:
        """POST /blobs with the raw bytes (or a generator of chunks, sent chunked)."""
        headers = {"Content-Type": content_type, "X-Filename": quote(filename)}
        return self.http.post(self.url("/blobs"), data=data, headers=headers, timeout=90)

    def uploaded(self, filename: str, data: bytes) -> dict[str, Any]:
        reply = self.upload(filename, data)
        assert reply.status_code == 201, reply.text
        return dict(reply.json())

    def listing(self, folder: str = "inbox", **params: Any) -> list[dict[str, Any]]:
        """Every item of GET /threads?folder=..., following `next`."""
        items: list[dict[str, Any]] = []
        query: dict[str, Any] = {"folder": folder, **params}
        while True:
            reply = self.get("/threads", params=query)
            assert reply.status_code == 200, reply.text
            page = reply.json()
            items.extend(page["items"])
            if not page["next"]:
                return items
            query["before"] = page["next"]

    def changes(self, since: str | None = None, **params: Any) -> dict[str, Any]:
        """Every page of the feed from `since`, merged; returns the last page's cursor too."""
        merged: dict[str, Any] = {
            "threads": [],
            "messages": [],
            "states": [],
            "drafts": [],
            "folders": [],
            "people": [],
            "deleted": {"threads": [], "messages": [], "drafts": [], "folders": []},
        }
        cursor = since
        while True:
            query = {**params}
            if cursor:
                query["since"] = cursor
            reply = self.get("/changes", params=query)
            assert reply.status_code == 200, reply.text
            page = reply.json()
            for key in ("threads", "messages", "states", "drafts", "folders", "people"):
                merged[key].extend(page[key])
            for key, ids in page["deleted"].items():
                merged["deleted"][key].extend(ids)
            cursor = page["cursor"]
            if not page["more"]:
                break
        merged["cursor"] = cursor
        return merged


class Api:
    def __init__(self, server: LiveServer) -> None:
        self.server = server
        self._users: dict[str, User] = {}

    def as_(self, username: str) -> User:
        if username not in self._users:
            self._users[username] = User(self.server, username)
        return self._users[username]

    def id(self, username: str) -> str:
        return self.server.person_id(username)


def assert_problem(reply: requests.Response, status: int, code: str) -> dict[str, Any]:
    """The reply is an RFC 9457 problem with this status and stable code, and a sentence."""
    assert reply.status_code == status, f"{reply.status_code} {reply.text[:500]}"
    assert reply.headers["content-type"].startswith("application/problem+json"), reply.headers
    body = dict(reply.json())
    assert body["status"] == status, body
    assert body["code"] == code, body
    assert isinstance(body["detail"], str) and body["detail"].strip(), body
    assert body["title"] and body["type"], body
    return body

"""A thin HTTP helper for tests: sign in as a demo person and call the API over loopback."""

from __future__ import annotations

import uuid
from typing import Any

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

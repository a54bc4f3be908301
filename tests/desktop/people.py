"""Other people of the demo practice acting over HTTP while the inbox under test watches."""

from __future__ import annotations

import uuid

from sync.api import ApiClient
from tests.desktop.conftest import PASSWORD
from tests.support.live_server import LiveServer


class Person:
    def __init__(self, live_server: LiveServer, username: str) -> None:
        self.server = live_server
        self.username = username
        self.api = ApiClient(live_server.url)
        self.user = self.api.login(username, PASSWORD)["user"]

    @property
    def id(self) -> str:
        return self.user["id"]

    def address(self, username: str) -> str:
        return f"person:{self.server.person_id(username)}"

    def send(self, to: list[str], subject: str, body: str) -> dict:
        answer = self.api.create_thread(
            [a if ":" in a else self.address(a) for a in to], subject, f"<p>{body}</p>", [],
            idempotency_key=str(uuid.uuid4()))
        return answer["thread"]

    def reply(self, thread_id: str, body: str) -> dict:
        return self.api.add_message(thread_id, f"<p>{body}</p>", [],
                                    idempotency_key=str(uuid.uuid4()))

    def inbox_subjects(self) -> list[str]:
        return [item["thread"]["subject"] for item in self.api.threads("inbox")["items"]]

    def thread(self, thread_id: str) -> dict:
        """GET /threads/{id}: note that this marks the thread read for this person."""
        return self.api.thread(thread_id)

    def states(self) -> dict[str, dict]:
        """Every thread's state for this person, read from the folder listings (which,
        unlike opening a thread, change nothing)."""
        folders = ["inbox", "archive", "trash"] + [f["id"] for f in
                                                   self.api.folders()["folders"]]
        found: dict[str, dict] = {}
        for folder in folders:
            for item in self.api.threads(folder, limit=200)["items"]:
                found[item["thread"]["id"]] = item["state"]
        return found

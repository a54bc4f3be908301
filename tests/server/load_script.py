"""Messages sent one after another (every third with an attachment) while a test does something
else, e.g. takes a backup: `sent` lists what the server accepted, in order."""

from __future__ import annotations

import hashlib
import threading
import uuid
from typing import Any

import requests

from server.seed import DEMO_PASSWORD
from tests.support import sample_files


def sign_in(api: str, username: str, verify: bool | str = True) -> dict[str, str]:
    reply = requests.post(f"{api}/auth/login", timeout=30, verify=verify,
                          json={"username": username, "password": DEMO_PASSWORD})
    reply.raise_for_status()
    return {"Authorization": f"Bearer {reply.json()['token']}"}


def report(n: int) -> bytes:
    return sample_files.pdf(f"report {n} " + "of the week " * (200 + n))


class SendingScript:
    def __init__(self, api: str, to_person: str) -> None:
        self.api = api
        self.to_person = to_person
        self.headers = sign_in(api, "dr.rivera")
        self.sent: list[dict[str, Any]] = []  # {"n", "message_id", "blob_id", "sha256"}
        self.errors: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sending-script", daemon=True)

    def _send(self, n: int) -> None:
        attachment_ids, blob = [], None
        if n % 3 == 0:
            data = report(n)
            reply = requests.post(
                f"{self.api}/blobs", data=data, timeout=30,
                headers={**self.headers, "X-Filename": f"report {n}.pdf",
                         "Content-Type": "application/pdf"})
            if reply.status_code != 201:
                self.errors.append(reply.text)
                return
            blob = reply.json()
            attachment_ids = [blob["id"]]
        reply = requests.post(
            f"{self.api}/threads", timeout=30,
            headers={**self.headers, "Idempotency-Key": str(uuid.uuid4())},
            json={"to": [f"person:{self.to_person}"], "subject": f"Load {n}",
                  "body_html": f"<p>Message number {n} of the sending script.</p>",
                  "attachment_ids": attachment_ids})
        if reply.status_code != 201:
            self.errors.append(reply.text)
            return
        self.sent.append({"n": n, "message_id": reply.json()["message"]["id"],
                          "blob_id": blob and blob["id"],
                          "sha256": blob and hashlib.sha256(report(n)).hexdigest()})

    def _run(self) -> None:
        n = 0
        while not self._stop.is_set():
            self._send(n)
            n += 1

    def start(self) -> SendingScript:
        self._thread.start()
        return self

    def wait_for(self, count: int, timeout: float = 60) -> None:
        import time

        deadline = time.monotonic() + timeout
        while len(self.sent) < count and time.monotonic() < deadline and not self.errors:
            time.sleep(0.05)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=60)

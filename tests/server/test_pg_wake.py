"""Long polls wake across server processes that share one PostgreSQL database."""

from __future__ import annotations

import threading
import time
import uuid
from pathlib import Path

import requests

from server.seed import DEMO_PASSWORD
from tests.support.postgres import PostgresCluster
from tests.support.server_process import ServerProcess


def sign_in(api: str, username: str) -> dict[str, str]:
    reply = requests.post(
        f"{api}/auth/login", json={"username": username, "password": DEMO_PASSWORD}, timeout=30
    )
    reply.raise_for_status()
    return {"Authorization": f"Bearer {reply.json()['token']}"}


def test_message_sent_on_one_process_wakes_a_long_poll_on_another(
    tmp_path: Path, pg_cluster: PostgresCluster
) -> None:
    url = pg_cluster.create_database()
    first = ServerProcess(tmp_path / "a", url)
    first.seed()
    second = ServerProcess(tmp_path / "b", url)
    first.start()
    second.start()
    try:
        alex = sign_in(second.api, "alex")
        rivera = sign_in(first.api, "dr.rivera")
        me = requests.get(f"{second.api}/session", headers=alex, timeout=10).json()["user"]
        cursor = requests.get(f"{second.api}/changes", headers=alex, timeout=10).json()["cursor"]

        woke: dict[str, float] = {}

        def long_poll() -> None:
            reply = requests.get(
                f"{second.api}/changes",
                headers=alex,
                params={"since": cursor, "wait": 30},
                timeout=40,
            )
            woke["at"] = time.monotonic()
            woke["messages"] = len(reply.json()["messages"])

        waiter = threading.Thread(target=long_poll)
        waiter.start()
        time.sleep(1.0)  # the poll is now waiting on the second process
        assert "at" not in woke
        sent = requests.post(
            f"{first.api}/threads",
            headers={**rivera, "Idempotency-Key": str(uuid.uuid4())},
            json={
                "to": [f"person:{me['id']}"],
                "subject": "Across processes",
                "body_html": "<p>Sent on the first process.</p>",
            },
            timeout=10,
        )
        answered = time.monotonic()
        assert sent.status_code == 201, sent.text
        waiter.join(timeout=10)
        assert woke.get("messages") == 1
        assert woke["at"] - answered < 2.0  # woken by NOTIFY, long before the 30 s wait
    finally:
        first.stop()
        second.stop()

"""Long polls wake across server processes that share one PostgreSQL database."""

from __future__ import annotations

import threading
import time
import uuid
from pathlib import Path

import psycopg
import requests

from server.seed import DEMO_PASSWORD
from tests.support.live_server import LiveServer
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


def test_a_listener_that_lost_its_connection_wakes_every_waiting_poll(
    tmp_path: Path, pg_cluster: PostgresCluster
) -> None:
    """Changes announced while the listener was away are lost to it: the polls waiting on
    this process read their feeds again instead of sleeping through them."""
    url = pg_cluster.create_database()
    with LiveServer(tmp_path / "data", database_url=url) as server:
        alex = {"Authorization": f"Bearer {server.token('alex')}"}
        cursor = requests.get(f"{server.api}/changes", headers=alex, timeout=10).json()["cursor"]
        answered: dict[str, float] = {}

        def long_poll() -> None:
            reply = requests.get(f"{server.api}/changes", headers=alex,
                                 params={"since": cursor, "wait": 30}, timeout=40)
            answered["status"] = reply.status_code
            answered["at"] = time.monotonic()

        waiter = threading.Thread(target=long_poll)
        waiter.start()
        deadline = time.monotonic() + 10
        while server.ctx.hub.waiting < 1:
            assert time.monotonic() < deadline, "the long poll never started waiting"
            time.sleep(0.01)
        with psycopg.connect(url, autocommit=True) as admin:
            ended = admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE query LIKE 'LISTEN %' AND pid <> pg_backend_pid()").fetchall()
        assert ended, "no listening connection was found"
        cut = time.monotonic()
        waiter.join(timeout=40)
        assert answered.get("status") == 200
        assert answered["at"] - cut < 10  # the reconnect (a second later), not the 30 s wait

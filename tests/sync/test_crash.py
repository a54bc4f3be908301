"""Crash safety: the engine is killed with SIGKILL at random moments, at least 50 times."""

from __future__ import annotations

import queue
import random
import re
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

from sync import keys
from sync.cache import Cache
from tests.support.live_server import LiveServer
from tests.sync.server_truth import differences, server_mailbox
from tests.sync.traffic import key, signed_in

KILLS = 50
MESSAGES = 60
ROOT = Path(__file__).resolve().parents[2]


class Worker:
    def __init__(self, *args: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.sync.crash_worker", *args], cwd=ROOT,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.lines: queue.Queue[str] = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        try:
            for line in self.process.stdout:
                self.lines.put(line.strip())
        except ValueError:
            pass  # kill() closed the pipe: nothing more is wanted from it

    def wait_for(self, word: str, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if self.lines.get(timeout=0.1) == word:
                    return True
            except queue.Empty:
                if self.process.poll() is not None:
                    return False
        return False

    def kill(self) -> str:
        self.process.kill()
        self.process.wait()
        self._reader.join(5)  # the killed worker's pipe ends: the reader stops by itself
        assert self.process.stderr is not None and self.process.stdout is not None
        stderr = self.process.stderr.read()
        self.process.stderr.close()
        self.process.stdout.close()
        return stderr


def seed_inbox(server: LiveServer, count: int) -> None:
    """Gives dr.rivera something to sync: messages from a client and a colleague."""
    rivera_id = server.person_id("dr.rivera")
    for username in ("alex", "dr.chen"):
        api = signed_in(server, username)
        thread = None
        for n in range(count // 2):
            body = f"<p>Earlier message {n} from {username}, with some words to index.</p>"
            if n % 5 == 0:
                thread = api.create_thread([f"person:{rivera_id}"], f"Older topic {n}", body, [],
                                           idempotency_key=key())["thread"]["id"]
            else:
                api.add_message(thread, body, [], idempotency_key=key())
        api.close()


def phases_of(cache: Cache) -> set[str]:
    """What the worker was doing when it was killed (both at once, often)."""
    _, synced = cache.sync_position()
    with cache.read() as conn:
        delivered = conn.exec_driver_sql(
            "SELECT count(*) FROM messages WHERE local = 0 AND body_text LIKE '%crash%'"
        ).scalar_one()
    doing = set()
    if not synced:
        doing.add("initial sync")
    if delivered < MESSAGES or cache.outbox_count():
        doing.add("sending")
    return doing or {"idle"}


@pytest.mark.slow
def test_killed_engine_resumes_and_converges_with_nothing_lost_or_doubled(
        live_server: LiveServer, tmp_path: Path) -> None:
    seed_inbox(live_server, 160)
    rivera = signed_in(live_server, "dr.rivera")
    path = tmp_path / "crash.db"
    cache_key = keys.cache_key("crash")
    args = [live_server.url, str(path), cache_key.hex(), rivera.token, str(MESSAGES),
            live_server.person_id("alex")]
    rng = random.Random(11)
    phases: Counter[str] = Counter()
    for _ in range(KILLS):
        worker = Worker(*args)
        assert worker.wait_for("started", 60), worker.kill()
        time.sleep(rng.uniform(0.0, 0.3))
        stderr = worker.kill()
        assert "Traceback" not in stderr, stderr
        cache = Cache.open(path, cache_key)
        try:
            assert cache.rebuilt_reason is None
            assert cache.integrity_check() == "ok"
            phases.update(phases_of(cache))
        finally:
            cache.close()

    worker = Worker(*args)
    try:
        assert worker.wait_for("done", 120)
    finally:
        worker.kill()
    assert phases["initial sync"] >= 5 and phases["sending"] >= 5, phases

    truth = server_mailbox(rivera)
    seen = Counter(word for m in truth.messages.values()
                   for word in re.findall(r"crash\d{3}", m["body_text"]))
    assert seen == Counter({f"crash{n:03d}": 1 for n in range(MESSAGES)})
    cache = Cache.open(path, cache_key)
    try:
        assert cache.integrity_check() == "ok"
        assert cache.outbox_items() == []
        assert differences(cache, rivera) == []
    finally:
        cache.close()

"""Benchmark: how soon the engine reports a new message after the server has accepted it.

A demo practice server runs as a child process; dr.rivera's engine is synced and long-
polling (its normal 25 s wait). Client alex then sends 100 messages, one at a time; for
each, the time from the server's answer to alex's POST until the engine's NewMessage
event for that message. Last line: one JSON object of the figures.

    python bench/alert_latency.py [--messages N]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.sync_server import PASSWORD, BenchServer  # noqa: E402
from sync.api import ApiClient  # noqa: E402
from sync.cache import Cache  # noqa: E402
from sync.engine import SyncEngine  # noqa: E402
from sync.events import NewMessage  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=100)
    args = parser.parse_args()
    rng = random.Random(7)
    arrived: dict[str, float] = {}
    signal = threading.Condition()

    def listen(event: object) -> None:
        if isinstance(event, NewMessage):
            with signal:
                arrived[event.message_id] = time.perf_counter()
                signal.notify_all()

    with BenchServer(0) as server, tempfile.TemporaryDirectory() as folder:
        rivera = ApiClient(server.url)
        rivera.login("dr.rivera", PASSWORD)
        rivera_id = rivera.session()["user"]["id"]
        cache = Cache.open(Path(folder) / "alerts.db", os.urandom(32))
        engine = SyncEngine(cache, rivera, listen)
        engine.start()
        alex = ApiClient(server.url)
        alex.login("alex", PASSWORD)
        latencies: list[float] = []
        missed = 0
        try:
            if not engine.wait_until_synced(60):
                raise SystemExit("the engine did not finish its initial sync")
            time.sleep(1.0)  # the engine is now waiting in its long poll
            thread_id = None
            for n in range(args.messages):
                body = f"<p>Message {n}: checking in before our next session.</p>"
                if thread_id is None:
                    answer = alex.create_thread([f"person:{rivera_id}"], "Alert latency", body,
                                                [], idempotency_key=str(uuid.uuid4()))
                    thread_id = answer["thread"]["id"]
                else:
                    answer = alex.add_message(thread_id, body, [],
                                              idempotency_key=str(uuid.uuid4()))
                answered = time.perf_counter()
                message_id = answer["message"]["id"]
                with signal:
                    if not signal.wait_for(lambda m=message_id: m in arrived, timeout=10):
                        missed += 1
                        continue
                # The event can come before the sender has read its own answer: that is 0.
                latencies.append(max(0.0, arrived[message_id] - answered))
                time.sleep(rng.uniform(0.1, 0.4))
        finally:
            engine.stop()
            cache.close()

    latencies.sort()
    p50 = statistics.median(latencies)
    p95 = latencies[int(len(latencies) * 0.95) - 1]
    print(f"{len(latencies)} of {args.messages} messages alerted ({missed} missed); "
          f"latency p50 {p50 * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, "
          f"max {latencies[-1] * 1000:.0f} ms (target: p95 < 1 s)")
    print(json.dumps({"bench": "alert_latency", "p50_s": round(p50, 4),
                      "p95_s": round(p95, 4)}))


if __name__ == "__main__":
    main()

"""Benchmark: a full initial sync of 100,000 messages through GET /changes.

Seeds a fresh SQLite database with the demo practice plus N messages (every thread has
dr.rivera in it), starts `practice-server serve` on it as its own process, then times
dr.rivera reading her whole feed page by page as a client does (HTTP, JSON parsing).
The floor, measured in the same run, is the same rows read with one plain SQL query and
serialized to JSON. The same sync is also timed against a server that does not read the
next page ahead (PRACTICE_FEED_READ_AHEAD=0), as a baseline. Last line: one JSON object of
the figures.

    python bench/server_feed.py [--messages N] [--limit 1000]
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from server.context import AppContext  # noqa: E402
from server.seed import DEMO_PASSWORD  # noqa: E402
from server.seed_volume import seed_volume  # noqa: E402
from tests.support.live_server import LiveServer  # noqa: E402
from tests.support.server_process import ServerProcess  # noqa: E402

FLOOR_SQL = """
SELECT m.id, m.thread_id, m.sender_id, m.sent_at, m.body_html, m.body_text,
       t.subject, t.last_message_at
FROM message m
JOIN thread t ON t.id = m.thread_id
JOIN thread_participant p ON p.thread_id = m.thread_id AND p.person_id = ?
"""


def sync_over_http(api: str, limit: int) -> tuple[float, int, int, str]:
    http = requests.Session()
    reply = http.post(f"{api}/auth/login",
                      json={"username": "dr.rivera", "password": DEMO_PASSWORD}, timeout=30)
    http.headers["Authorization"] = f"Bearer {reply.json()['token']}"
    person_id = reply.json()["user"]["id"]
    started = time.perf_counter()
    cursor, pages, messages = "", 0, 0
    while True:
        page = http.get(f"{api}/changes", params={"since": cursor, "limit": limit},
                        timeout=120).json()
        pages += 1
        messages += len(page["messages"])
        cursor = page["cursor"]
        if not page["more"]:
            break
    return time.perf_counter() - started, pages, messages, person_id


def floor(db_path: Path, person_id: str, runs: int = 3) -> tuple[float, int]:
    """Best of a few runs on a checkpointed, warm database: a floor that is hard to beat."""
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    best, count = float("inf"), 0
    for _ in range(runs):
        started = time.perf_counter()
        rows = conn.execute(FLOOR_SQL, (person_id,)).fetchall()
        json.dumps([list(r) for r in rows])
        best = min(best, time.perf_counter() - started)
        count = len(rows)
    conn.close()
    return best, count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--limit", type=int, default=1000, help="page size (the API maximum)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-feed-") as tmp:
        server = LiveServer(Path(tmp), run_workers=False)
        seeding = time.perf_counter()
        server._prepare()
        ctx = AppContext.create(server.settings)
        with ctx.sessions() as db:
            seed_volume(db, ctx.blobs, args.messages)
        ctx.engine.dispose()
        print(f"seeded {args.messages} messages in {time.perf_counter() - seeding:.1f} s")
        # The server runs as its own process, as in production: no interpreter shared with
        # the client reading the feed.
        timings = {}
        for read_ahead in ("0", "1"):
            process = ServerProcess(Path(tmp), env={"PRACTICE_FEED_READ_AHEAD": read_ahead})
            process.start()
            try:
                timings[read_ahead] = sync_over_http(process.api, args.limit)
            finally:
                process.stop()
        seconds, pages, messages, rivera = timings["1"]
        without_read_ahead = timings["0"][0]
        floor_seconds, floor_rows = floor(Path(tmp) / "practice.db", rivera)

    ratio = seconds / floor_seconds if floor_seconds else float("inf")
    print(f"initial sync over HTTP: {messages} messages in {pages} pages, {seconds:.2f} s "
          f"({messages / seconds:,.0f} messages/s)")
    print(f"the same without reading the next page ahead: {without_read_ahead:.2f} s")
    print(f"floor (one SQL query + JSON of {floor_rows} rows): {floor_seconds:.2f} s")
    print(f"ratio to floor: {ratio:.2f}x (target: whole feed <= 10 s, within 3x of the floor)")
    print(json.dumps({"bench": "server_feed", "messages": messages, "pages": pages,
                      "seconds": round(seconds, 3), "floor_seconds": round(floor_seconds, 3),
                      "seconds_without_read_ahead": round(without_read_ahead, 3),
                      "ratio_to_floor": round(ratio, 2)}))


if __name__ == "__main__":
    main()

"""Benchmark: the sync engine's initial sync of 100,000 messages from a local server.

A practice server seeded with N messages runs as a child process. The engine syncs
dr.rivera's whole mailbox into a fresh encrypted cache in another child process (so its
peak memory is its own). The floor, measured in the same run against the same server:
the same pages fetched and parsed with no cache writes, plus the same rows (and their
full-text index) inserted with plain `sqlite3` `executemany`. Last line: one JSON object.

    python bench/sync_initial.py [--messages N]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.sync_server import PASSWORD, BenchServer  # noqa: E402
from sync.api import ApiClient  # noqa: E402
from sync.cache import Cache  # noqa: E402
from sync.engine import SyncEngine  # noqa: E402
from sync.events import SyncProgress  # noqa: E402

PAGE_LIMIT = 500
FLOOR_SCHEMA = [
    "CREATE TABLE threads (id TEXT PRIMARY KEY, subject TEXT, created_by TEXT, "
    "created_at TEXT, last_message_at TEXT, participants TEXT, message_count INTEGER)",
    "CREATE TABLE messages (seq INTEGER PRIMARY KEY, id TEXT UNIQUE, thread_id TEXT, "
    "sender_id TEXT, sent_at TEXT, body_html TEXT, body_text TEXT, attachments TEXT, "
    "attachment_names TEXT)",
    "CREATE TABLE states (thread_id TEXT PRIMARY KEY, folder TEXT, unread INTEGER, "
    "starred INTEGER)",
    "CREATE VIRTUAL TABLE message_fts USING fts5(subject, body_text, sender_name, "
    "attachment_names, content='', tokenize='unicode61 remove_diacritics 2')",
]


def sync_in_child(url: str, folder: str) -> None:
    """Runs in the child process: one full initial sync, then prints its figures."""
    api = ApiClient(url, read_timeout=300)
    api.login("dr.rivera", PASSWORD)
    cache = Cache.open(Path(folder) / "bench.db", os.urandom(32))
    done = threading.Event()
    counts: dict[str, int] = {}

    def listen(event: object) -> None:
        if isinstance(event, SyncProgress) and event.done:
            counts.update(pages=event.pages, messages=event.messages)
            done.set()

    engine = SyncEngine(cache, api, listen, page_limit=PAGE_LIMIT)
    started = time.perf_counter()
    engine.start()
    done.wait()  # every page applied and the search index merged
    seconds = time.perf_counter() - started
    engine.stop()
    size = (Path(folder) / "bench.db").stat().st_size
    cache.close()
    print(json.dumps({
        "seconds": seconds, "cache_mb": size / 1e6,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, **counts}))


def open_floor_db(path: Path) -> sqlite3.Connection:
    """A plain sqlite3 database with the floor's tables and full-text index."""
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = NORMAL")
    for statement in FLOOR_SCHEMA:
        db.execute(statement)
    return db


def insert_page(db: sqlite3.Connection, page: dict) -> int:
    """One feed page's rows inserted with plain executemany; returns its message count."""
    subjects = {t["id"]: t["subject"] for t in page["threads"]}
    thread_rows = [(t["id"], t["subject"], t["created_by"], t["created_at"],
                    t["last_message_at"], json.dumps(t["participants"]),
                    t["message_count"]) for t in page["threads"]]
    message_rows = [(m["id"], m["thread_id"], m["sender_id"], m["sent_at"], m["body_html"],
                     m["body_text"], json.dumps(m["attachments"]),
                     " ".join(a["filename"] for a in m["attachments"]))
                    for m in page["messages"]]
    state_rows = [(s["thread_id"], s["folder"], s["unread"], s["starred"])
                  for s in page["states"]]
    db.execute("BEGIN")
    db.executemany("INSERT OR REPLACE INTO threads VALUES (?, ?, ?, ?, ?, ?, ?)", thread_rows)
    db.executemany("INSERT INTO messages (id, thread_id, sender_id, sent_at, body_html, "
                   "body_text, attachments, attachment_names) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", message_rows)
    db.executemany("INSERT INTO message_fts (subject, body_text, sender_name, "
                   "attachment_names) VALUES (?, ?, '', ?)",
                   [(subjects.get(r[1], ""), r[5], r[7]) for r in message_rows])
    db.executemany("INSERT OR REPLACE INTO states VALUES (?, ?, ?, ?)", state_rows)
    db.execute("COMMIT")
    return len(message_rows)


def floor(url: str, folder: Path) -> dict[str, float]:
    """The same pages fetched and parsed, the same rows inserted with plain sqlite3."""
    http = requests.Session()
    token = http.post(f"{url}/api/v1/auth/login",
                      json={"username": "dr.rivera", "password": PASSWORD}, timeout=60).json()
    http.headers["Authorization"] = f"Bearer {token['token']}"
    db = open_floor_db(folder / "floor.db")
    fetch = insert = 0.0
    cursor, messages = "", 0
    while True:
        started = time.perf_counter()
        page = http.get(f"{url}/api/v1/changes", params={"since": cursor, "limit": PAGE_LIMIT},
                        timeout=300).json()
        fetch += time.perf_counter() - started
        started = time.perf_counter()
        messages += insert_page(db, page)
        insert += time.perf_counter() - started
        cursor = page["cursor"]
        if not page["more"]:
            break
    db.close()
    return {"fetch_parse": fetch, "insert": insert, "messages": messages}


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        sync_in_child(sys.argv[2], sys.argv[3])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=100_000)
    args = parser.parse_args()

    with BenchServer(args.messages) as server:
        print(f"seeded {args.messages} messages in {server.seed_seconds:.1f} s")
        child = subprocess.run(
            [sys.executable, __file__, "--child", server.url, str(server.scratch)],
            check=True, capture_output=True, text=True)
        engine = json.loads(child.stdout.strip().splitlines()[-1])
        base = floor(server.url, server.scratch)

    floor_seconds = base["fetch_parse"] + base["insert"]
    ratio = engine["seconds"] / floor_seconds
    rate = engine["messages"] / engine["seconds"]
    print(f"engine: {engine['messages']} messages in {engine['pages']} pages, synced with "
          f"the search index built in {engine['seconds']:.1f} s: {rate:,.0f} messages/s")
    print(f"engine: peak memory {engine['peak_rss_mb']:.0f} MB, cache file "
          f"{engine['cache_mb']:.0f} MB (encrypted)")
    print(f"floor: fetch + parse {base['fetch_parse']:.1f} s, plain sqlite3 inserts with the "
          f"full-text index {base['insert']:.1f} s, total {floor_seconds:.1f} s "
          f"({base['messages']} messages)")
    print(f"ratio to floor: {ratio:.2f}x (targets: <= 30 s, <= 2x the floor, < 300 MB)")
    print(json.dumps({
        "bench": "sync_initial", "messages": engine["messages"],
        "seconds": round(engine["seconds"], 2), "floor_seconds": round(floor_seconds, 2),
        "ratio_to_floor": round(ratio, 2), "peak_rss_mb": round(engine["peak_rss_mb"], 1)}))


if __name__ == "__main__":
    main()

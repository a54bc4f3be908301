"""Benchmark: a new workstation's first sign-in, until the newest inbox is readable and
until everything is synced, with 100,000 messages on the server.

A practice server seeded with N messages runs as a child process. Another child signs in
as dr.rivera with a fresh encrypted cache and runs the sync engine, timing from the
sign-in request:

- `newest_inbox_s`: the cache's Inbox lists exactly the server's newest 200 Inbox threads
  (`GET /threads?folder=inbox&limit=200`, asked before the run), in order, and holds the
  newest message of each (checked after every page the engine applies);
- `full_sync_s`: every page applied and the search index built.

`wire_mb` is the bytes of the snapshot's and the feed's answers as sent (compressed where
negotiated), and `peak_rss_mb` the engine process's peak memory. The floor, measured in the
same run and sharing no code with the engine: the same pages, fetched beforehand and kept as
files on disk, read back, parsed and inserted (with a full-text index) into a plain
`sqlite3` database. Last line: one JSON object.

    python bench/first_inbox.py [--messages N]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path

import orjson
import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.sync_initial import insert_page, open_floor_db  # noqa: E402
from bench.sync_server import PASSWORD, BenchServer  # noqa: E402

PAGE_LIMIT = 500
NEWEST = 200


def signed_in_http(url: str) -> requests.Session:
    http = requests.Session()
    token = http.post(f"{url}/api/v1/auth/login",
                      json={"username": "dr.rivera", "password": PASSWORD}, timeout=60).json()
    http.headers["Authorization"] = f"Bearer {token['token']}"
    return http


def newest_inbox(url: str) -> list[list[str]]:
    """The server's newest Inbox threads: [id, last_message_at] each, newest first."""
    items = signed_in_http(url).get(f"{url}/api/v1/threads",
                                    params={"folder": "inbox", "limit": NEWEST},
                                    timeout=120).json()["items"]
    return [[i["thread"]["id"], i["thread"]["last_message_at"]] for i in items]


def sync_in_child(url: str, folder: str, truth_file: str) -> None:
    """Runs in the child process: one first sign-in and sync, then prints its figures."""
    from sync.api import ApiClient
    from sync.cache import Cache
    from sync.engine import SyncEngine
    from sync.events import SyncProgress

    truth = json.loads(Path(truth_file).read_text())
    wanted_ids = [t[0] for t in truth]
    wire = [0]

    def count_bytes(response: requests.Response, *args: object, **kwargs: object) -> None:
        length = response.headers.get("Content-Length")
        if ("/changes" in response.url or "/snapshot" in response.url) and length is not None:
            wire[0] += int(length)

    started = time.perf_counter()
    api = ApiClient(url, read_timeout=300)
    # Each thread calling the server gets its own session: every one of them is counted.
    configure = api._configure

    def counting(session: requests.Session, adapter: object) -> None:
        configure(session, adapter)
        session.hooks["response"].append(count_bytes)

    api._configure = counting  # type: ignore[method-assign]
    api.login("dr.rivera", PASSWORD)
    cache = Cache.open(Path(folder) / "bench.db", os.urandom(32))
    done, applied = threading.Event(), threading.Event()
    figures: dict[str, float] = {}

    def inbox_ready() -> bool:
        if cache.thread_page("inbox", NEWEST)["ids"] != wanted_ids:
            return False
        marks = ",".join("?" * len(wanted_ids))
        with cache.read() as conn:
            newest = dict(conn.exec_driver_sql(
                f"SELECT thread_id, MAX(sent_at) FROM messages WHERE hidden = 0 "
                f"AND thread_id IN ({marks}) GROUP BY thread_id", tuple(wanted_ids)).all())
        return all(newest.get(tid) == at for tid, at in truth)

    def watch() -> None:
        while "newest_inbox_s" not in figures:
            applied.wait()
            applied.clear()
            if inbox_ready():
                figures["newest_inbox_s"] = time.perf_counter() - started

    def listen(event: object) -> None:
        if isinstance(event, SyncProgress):
            applied.set()
            if event.done:
                figures.update(pages=event.pages, messages=event.messages)
                done.set()

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    engine = SyncEngine(cache, api, listen, page_limit=PAGE_LIMIT)
    engine.start()
    done.wait()
    figures["full_sync_s"] = time.perf_counter() - started
    watcher.join(60)
    engine.stop()
    cache.close()
    print(json.dumps({**figures, "wire_mb": wire[0] / 1e6,
                      "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


def save_pages(url: str, folder: Path) -> list[Path]:
    """The same feed, page by page, kept as files (not timed)."""
    http = signed_in_http(url)
    files, cursor = [], ""
    while True:
        answer = http.get(f"{url}/api/v1/changes", params={"since": cursor, "limit": PAGE_LIMIT},
                          timeout=300)
        path = folder / f"page-{len(files):05d}.json"
        path.write_bytes(answer.content)
        files.append(path)
        page = orjson.loads(answer.content)
        cursor = page["cursor"]
        if not page["more"]:
            return files


def floor(files: list[Path], folder: Path) -> tuple[float, int]:
    """Pages read from disk, parsed, and inserted with plain sqlite3 (with full-text index)."""
    started = time.perf_counter()
    db = open_floor_db(folder / "floor.db")
    messages = 0
    for path in files:
        messages += insert_page(db, orjson.loads(path.read_bytes()))
    db.close()
    return time.perf_counter() - started, messages


def main() -> None:
    if len(sys.argv) == 5 and sys.argv[1] == "--child":
        sync_in_child(sys.argv[2], sys.argv[3], sys.argv[4])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=100_000)
    args = parser.parse_args()

    with BenchServer(args.messages) as server:
        print(f"seeded {args.messages} messages in {server.seed_seconds:.1f} s")
        truth_file = server.scratch / "newest.json"
        truth_file.write_text(json.dumps(newest_inbox(server.url)))
        child = subprocess.run(
            [sys.executable, __file__, "--child", server.url, str(server.scratch),
             str(truth_file)], check=True, capture_output=True, text=True)
        engine = json.loads(child.stdout.strip().splitlines()[-1])
        pages = server.scratch / "pages"
        pages.mkdir()
        files = save_pages(server.url, pages)
        floor_s, floor_messages = floor(files, server.scratch)

    ratio = engine["full_sync_s"] / floor_s
    print(f"sign-in to the newest {NEWEST} Inbox threads readable: "
          f"{engine['newest_inbox_s']:.2f} s (target: under 2 s)")
    print(f"full sync of {engine['messages']} messages in {engine['pages']} pages: "
          f"{engine['full_sync_s']:.2f} s (target: <= 12 s)")
    print(f"floor (pages from disk, parsed, plain sqlite3 inserts with full-text index, "
          f"{floor_messages} messages): {floor_s:.2f} s; ratio {ratio:.2f}x (target: <= 1.5x)")
    print(f"feed bytes on the wire: {engine['wire_mb']:.0f} MB (target: <= 200 MB); "
          f"engine peak memory {engine['peak_rss_mb']:.0f} MB")
    print(json.dumps({
        "bench": "first_inbox", "messages": engine["messages"],
        "newest_inbox_s": round(engine["newest_inbox_s"], 2),
        "full_sync_s": round(engine["full_sync_s"], 2), "floor_s": round(floor_s, 2),
        "ratio_to_floor": round(ratio, 2), "wire_mb": round(engine["wire_mb"], 1),
        "peak_rss_mb": round(engine["peak_rss_mb"], 1)}))


if __name__ == "__main__":
    main()

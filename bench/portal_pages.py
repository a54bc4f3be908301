"""Benchmark: the client portal's pages for a client with 5,000 messages.

A demo practice server runs as a child process; alex gets 5,000 messages with dr.rivera
(threads of 1 to 9 messages). Signed in through the sign-in form like a browser, the run
times (over loopback HTTP, p50/p95) the messages page, a thread page, and a reply POST
(POST-redirect, the redirect not followed), against a floor measured in the same run: the
sign-in page, which touches no messages. Page weight is the largest page with its style
sheet and script (every thread of the first pages of Inbox and Archive). Last line: one JSON
object of the figures.

    python bench/portal_pages.py [--messages N] [--rounds N]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.sync_server import PASSWORD, BenchServer  # noqa: E402

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
THREAD_LINK = re.compile(r'href="(/portal/lakeside/messages/[0-9a-f-]{36})"')
TARGET_MS = 50.0
TARGET_KB = 100.0


def seed_client(server: BenchServer, count: int) -> None:
    from server.config import Settings
    from server.context import AppContext
    from server.seed_volume import seed_volume

    ctx = AppContext.create(Settings.build(data_dir=server.data_dir, run_workers=False))
    try:
        with ctx.sessions() as db:
            seed_volume(db, ctx.blobs, count, seed=12, partners=("alex",))
    finally:
        ctx.engine.dispose()


def timed(call: Callable[[], requests.Response], rounds: int, ok: int = 200) -> list[float]:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        answer = call()
        times.append((time.perf_counter() - started) * 1000)
        assert answer.status_code == ok, (answer.status_code, answer.text[:300])
    return times


def p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()
    rng = random.Random(5)
    with BenchServer(0) as server:
        seed_client(server, args.messages)
        root = f"{server.url}/portal/lakeside/"
        http = requests.Session()
        origin = {"Origin": server.url}
        page = http.get(root, timeout=30)
        signed = http.post(root, data={"username": "alex", "password": PASSWORD,
                                       "csrf_token": TOKEN.search(page.text).group(1)},
                           headers=origin, allow_redirects=False, timeout=30)
        assert signed.status_code == 303, signed.text[:300]
        inbox = http.get(root + "messages", timeout=30)
        csrf = TOKEN.search(inbox.text).group(1)
        threads = THREAD_LINK.findall(inbox.text)
        older = http.get(root + "messages?folder=archive", timeout=30)
        threads += THREAD_LINK.findall(older.text)
        assert threads, "alex has no threads"
        for _ in range(20):  # warm up
            http.get(root + "messages", timeout=30)
        # Weighed before the replies below lengthen one thread.
        statics = sum(len(http.get(f"{server.url}/portal/static/{name}", timeout=30).content)
                      for name in ("portal.css", "portal.js"))
        pages = [http.get(root + path, timeout=30).content for path in
                 ("messages", "messages?folder=sent", "messages/new")]
        pages += [http.get(server.url + link, timeout=30).content for link in threads]
        biggest = max(len(body) for body in pages)
        anonymous = requests.Session()
        floor = timed(lambda: anonymous.get(root, timeout=30), args.rounds)
        listing = timed(lambda: http.get(root + "messages", timeout=30), args.rounds)
        reading = timed(lambda: http.get(server.url + rng.choice(threads), timeout=30),
                        args.rounds)
        reply_to = server.url + threads[0]
        replying = timed(
            lambda: http.post(reply_to, data={"body": "Thank you, that helps a lot.",
                                              "csrf_token": csrf},
                              headers=origin, allow_redirects=False, timeout=30),
            args.rounds, ok=303,
        )
    figures = {
        "floor_p50_ms": statistics.median(floor), "floor_p95_ms": p(floor, 0.95),
        "list_p50_ms": statistics.median(listing), "list_p95_ms": p(listing, 0.95),
        "thread_p50_ms": statistics.median(reading), "thread_p95_ms": p(reading, 0.95),
        "reply_p50_ms": statistics.median(replying), "reply_p95_ms": p(replying, 0.95),
    }
    for name, value in figures.items():
        print(f"{name:>15}: {value:7.1f} ms")
    page_kb = (biggest + statics) / 1024
    print(f"{'max page':>15}: {page_kb:7.1f} KB (largest HTML {biggest / 1024:.1f} KB + CSS and "
          f"JS {statics / 1024:.1f} KB); target {TARGET_KB:g} KB")
    print(f"target: p95 under {TARGET_MS:g} ms each")
    print(json.dumps({
        "bench": "portal_pages", "messages": args.messages,
        "list_p95_ms": round(figures["list_p95_ms"], 1),
        "thread_p95_ms": round(figures["thread_p95_ms"], 1),
        "reply_p95_ms": round(figures["reply_p95_ms"], 1),
        "max_page_kb": round(page_kb, 1),
        "floor_p95_ms": round(figures["floor_p95_ms"], 1),
        "list_p50_ms": round(figures["list_p50_ms"], 1),
        "thread_p50_ms": round(figures["thread_p50_ms"], 1),
        "reply_p50_ms": round(figures["reply_p50_ms"], 1),
    }))


if __name__ == "__main__":
    main()

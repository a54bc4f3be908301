"""Benchmark: full-text search over an encrypted cache of 100,000 messages.

Seeds a practice server with N messages, syncs dr.rivera's mailbox with the engine, then
times 200 searches through `Cache.search` (its default limit of 200 results, snippets
included): rare words, common words, people's names and phrases, all picked from what the
cache actually holds. Prints p50/p95; the last line is one JSON object.

    python bench/search.py [--messages N]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.sync_server import PASSWORD, BenchServer  # noqa: E402
from sync.api import ApiClient  # noqa: E402
from sync.cache import Cache  # noqa: E402
from sync.engine import SyncEngine  # noqa: E402
from sync.events import SyncProgress  # noqa: E402

PER_KIND = 50
WARM_UP = 10


def sync_cache(url: str, path: Path) -> Cache:
    api = ApiClient(url, read_timeout=300)
    api.login("dr.rivera", PASSWORD)
    cache = Cache.open(path, os.urandom(32))
    done = threading.Event()

    def listen(event: object) -> None:
        if isinstance(event, SyncProgress) and event.done:
            done.set()

    engine = SyncEngine(cache, api, listen)
    engine.start()
    done.wait()
    engine.stop()
    api.close()
    return cache


def queries(cache: Cache, rng: random.Random) -> dict[str, list[str]]:
    """Fifty of each kind, drawn from the cache's own index and rows."""
    with cache.read() as conn:
        conn.exec_driver_sql(
            "CREATE VIRTUAL TABLE IF NOT EXISTS temp.terms USING fts5vocab(main, "
            "'message_fts', 'row')")
        terms = conn.exec_driver_sql("SELECT term, doc FROM temp.terms").all()
        bodies = [r[0] for r in conn.exec_driver_sql(
            "SELECT body_text FROM messages ORDER BY random() LIMIT 500").all()]
        total = conn.exec_driver_sql("SELECT count(*) FROM messages").scalar_one()
    # Rare: in under 1% of messages (words first); common: in over 20% of them.
    rare = sorted((t for t, d in terms if d < total / 100), key=lambda t: not t.isalpha())
    common = [t for t, d in terms if d > total / 5 and t.isalpha() and len(t) > 3]
    names = [p["name"] for p in cache.people()]
    phrases = []
    for body in bodies:
        tokens = body.split()
        if len(tokens) > 4:
            start = rng.randrange(len(tokens) - 3)
            phrases.append('"' + " ".join(tokens[start:start + rng.choice((2, 3))]) + '"')
    pick = lambda pool: [rng.choice(pool) for _ in range(PER_KIND)]  # noqa: E731
    return {"rare words": pick(rare[:200]), "common words": pick(common),
            "names": pick(names), "phrases": pick(phrases)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=100_000)
    args = parser.parse_args()
    rng = random.Random(2026)

    with BenchServer(args.messages) as server:
        started = time.perf_counter()
        cache = sync_cache(server.url, server.scratch / "search.db")
        print(f"synced {args.messages} messages in {time.perf_counter() - started:.1f} s")
        try:
            by_kind = queries(cache, rng)
            mixed = [(kind, q) for kind, qs in by_kind.items() for q in qs]
            rng.shuffle(mixed)
            for _, text in mixed[:WARM_UP]:
                cache.search(text)
            timings: dict[str, list[float]] = {kind: [] for kind in by_kind}
            hits: dict[str, int] = {kind: 0 for kind in by_kind}
            for kind, text in mixed:
                begun = time.perf_counter()
                results = cache.search(text)
                timings[kind].append((time.perf_counter() - begun) * 1000)
                hits[kind] += bool(results)
        finally:
            cache.close()

    every = sorted(t for ts in timings.values() for t in ts)
    p50 = statistics.median(every)
    p95 = every[int(len(every) * 0.95) - 1]
    for kind, ts in timings.items():
        ts.sort()
        print(f"{kind:13}: p50 {statistics.median(ts):5.1f} ms, p95 "
              f"{ts[int(len(ts) * 0.95) - 1]:5.1f} ms, max {ts[-1]:5.1f} ms, "
              f"{hits[kind]}/{len(ts)} found something (e.g. {by_kind[kind][0]!r})")
    print(f"all {len(every)} searches: p50 {p50:.1f} ms, p95 {p95:.1f} ms "
          f"(target: p95 < 50 ms)")
    print(json.dumps({"bench": "search", "p50_ms": round(p50, 2), "p95_ms": round(p95, 2)}))


if __name__ == "__main__":
    main()

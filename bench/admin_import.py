"""Benchmark: import 10,000 clients from CSV through the API, then list and search them.

Starts `practice-server serve` as its own process on a fresh SQLite database with the demo
practice, times `POST /admin/people/import` of N rows as the admin, then the p95 of 200
requests for a page of 50 people: the first pages in name order, pages further in (`after`),
and searches (`q`). The floor, measured in the same run on the server's database file, is the
same rows inserted with plain `sqlite3` executemany (import) and the same page read with one
plain SQL query (list). Targets: import under 10 s, a page under 50 ms p95. Last line: one
JSON object of the figures.

    python bench/admin_import.py [--rows 10000] [--database URL]
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from server.seed import DEMO_PASSWORD  # noqa: E402
from tests.support.server_process import ServerProcess  # noqa: E402

PAGE = 50


def csv_rows(count: int) -> bytes:
    lines = ["name,email,status,assigned_therapist"]
    firsts = ["Avery", "Jordan", "Riley", "Morgan", "Casey", "Quinn", "Rowan", "Skyler"]
    lasts = ["Nguyen", "Garcia", "Okafor", "Schmidt", "Tanaka", "Rossi", "Kowalski", "Haddad"]
    for i in range(count):
        name = f"{firsts[i % 8]} {lasts[(i // 8) % 8]} {i:05d}"
        therapist = ("dr.rivera", "dr.chen", "")[i % 3]
        lines.append(f"{name},client{i:05d}@mail.example,active,{therapist}")
    return ("\n".join(lines) + "\n").encode()


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[18] * 1000


def timed_pages(http: requests.Session, api: str, rows: int) -> dict[str, float]:
    rng = random.Random(7)
    figures: dict[str, list[float]] = {"first": [], "further": [], "search": []}
    afters: list[str] = []
    params: dict[str, object] = {"kind": "client", "limit": PAGE}
    for _ in range(20):  # ids to page from, gathered first
        page = http.get(f"{api}/admin/people", params=params, timeout=30).json()
        afters.append(page["next"])
        params["after"] = page["next"]
    for _ in range(200):
        which = rng.choice(list(figures))
        query: dict[str, object] = {"kind": "client", "limit": PAGE}
        if which == "further":
            query["after"] = rng.choice(afters)
        elif which == "search":
            query["q"] = rng.choice([f"{rng.randrange(rows):05d}", "nguyen", "okafor 0",
                                     "client01", "mail.example"])
        started = time.perf_counter()
        reply = http.get(f"{api}/admin/people", params=query, timeout=30)
        figures[which].append(time.perf_counter() - started)
        assert reply.status_code == 200, reply.text
    every = [s for samples in figures.values() for s in samples]
    return {"list_p95_ms": p95(every), "first_page_p95_ms": p95(figures["first"]),
            "further_page_p95_ms": p95(figures["further"]),
            "search_p95_ms": p95(figures["search"])}


def floors(db_path: Path, rows: int) -> dict[str, float]:
    """Plain sqlite3 on the same file: the rows inserted alone, and one page read alone."""
    conn = sqlite3.connect(db_path)
    conn.execute("CREATE TEMP TABLE floor_person AS SELECT * FROM person WHERE 0")
    values = [(str(uuid.uuid4()), f"floor{i}", f"Floor Person {i:05d}", "client",
               f"floor{i}@mail.example") for i in range(rows)]
    started = time.perf_counter()
    conn.executemany("INSERT INTO floor_person (id, username, name, kind, email) "
                     "VALUES (?, ?, ?, ?, ?)", values)
    conn.commit()
    insert_seconds = time.perf_counter() - started
    practice = conn.execute("SELECT id FROM practice WHERE slug = 'lakeside'").fetchone()[0]
    samples, searches = [], []
    for i in range(200):
        started = time.perf_counter()
        conn.execute("SELECT * FROM person WHERE practice_id = ? AND kind = 'client' "
                     "ORDER BY lower(name), id LIMIT ?", (practice, PAGE + 1)).fetchall()
        samples.append(time.perf_counter() - started)
        started = time.perf_counter()
        conn.execute("SELECT * FROM person WHERE practice_id = ? AND kind = 'client' AND "
                     "(name LIKE ? OR username LIKE ? OR email LIKE ?) ORDER BY lower(name), id "
                     "LIMIT ?", (practice, *[f"%{i * 37 % rows:05d}%"] * 3, PAGE + 1)).fetchall()
        searches.append(time.perf_counter() - started)
    conn.close()
    return {"floor_insert_seconds": insert_seconds, "floor_list_p95_ms": p95(samples),
            "floor_search_p95_ms": p95(searches)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--database", help="a PostgreSQL URL (default: SQLite)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        server = ServerProcess(data, args.database)
        server.seed()
        server.start()
        try:
            http = requests.Session()
            reply = http.post(f"{server.api}/auth/login",
                              json={"username": "admin", "password": DEMO_PASSWORD}, timeout=30)
            http.headers["Authorization"] = f"Bearer {reply.json()['token']}"
            body = csv_rows(args.rows)
            started = time.perf_counter()
            reply = http.post(f"{server.api}/admin/people/import", data=body,
                              headers={"Content-Type": "text/csv"}, timeout=300)
            seconds = time.perf_counter() - started
            assert reply.status_code == 201 and reply.json()["created"] == args.rows, reply.text
            pages = timed_pages(http, server.api, args.rows)
        finally:
            server.stop()
        floor = floors(data / "practice.db", args.rows) if not args.database else {}
    print(f"import of {args.rows} clients through the API: {seconds:.2f} s (target < 10 s)")
    if floor:
        print(f"  floor, plain sqlite3 executemany of the rows: "
              f"{floor['floor_insert_seconds']:.3f} s")
    for key, value in pages.items():
        print(f"{key}: {value:.1f} ms (target < 50 ms)")
    if floor:
        print(f"  floor, one plain SQL page: {floor['floor_list_p95_ms']:.2f} ms, "
              f"one plain SQL search: {floor['floor_search_p95_ms']:.2f} ms")
    result = {"bench": "admin_import", "rows": args.rows, "seconds": round(seconds, 3),
              "list_p95_ms": round(pages["list_p95_ms"], 2),
              **{k: round(v, 3) for k, v in {**pages, **floor}.items() if k != "list_p95_ms"}}
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())

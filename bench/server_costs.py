"""Benchmark: the server's CPU time per request, by kind, on one process over PostgreSQL.

What bench/server_load.py's sends per second are made of. One `practice-server serve` child
on a throwaway PostgreSQL cluster; requests go one at a time from one connection each, and
the server process's own CPU time (user + system, from /proc) is divided by their number:

- http_floor_ms: a request refused before any database work (no bearer token): the HTTP
  stack and the middleware alone, the floor every other figure contains;
- empty_poll_ms: GET /changes with nothing new (the token checked, the feed looked at);
- feed_page_ms: GET /changes answering one new thread with its message;
- upload_ms: POST /blobs of a 20-300 KB PDF (its structure is checked);
- send_ms: POST /threads to a colleague, with the notification email it queues written.

PostgreSQL's own CPU is not included. Last line: one JSON object.

    python bench/server_costs.py [--requests 300]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.http_conn import Connection  # noqa: E402
from bench.server_load import auth, body_html, cpu_seconds, pdf, seed  # noqa: E402
from tests.support.postgres import PostgresCluster  # noqa: E402
from tests.support.server_process import ServerProcess  # noqa: E402


async def measure(pid: int, count: int, one: Callable[[int], Awaitable[None]],
                  settled: Callable[[], bool] = lambda: True) -> float:
    """ms of the server's CPU per call of `one`, counted until `settled()` (work the calls
    left for the server's background threads, such as emails, is theirs)."""
    before = cpu_seconds([pid])
    for i in range(count):
        await one(i)
    deadline = time.monotonic() + 60
    while not settled() and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    return (cpu_seconds([pid]) - before) / count * 1000


async def run(api: str, people: list[dict[str, str]], pid: int, count: int,
              mail: Path) -> dict[str, float]:
    rng = random.Random(2026)
    sender, reader = people[0], people[1]
    anonymous = Connection(api, {})
    writer, poller = Connection(api, auth(sender)), Connection(api, auth(reader))

    async def checked(conn: Connection, method: str, path: str, expected: int,
                      **kw: object) -> bytes:
        status, body = await conn.request(method, path, **kw)  # type: ignore[arg-type]
        if status != expected:
            raise SystemExit(f"{method} {path}: {status} {body[:200]!r}")
        return body

    cursor = orjson.loads(await checked(poller, "GET", "/changes", 200))["cursor"]

    async def refused(_: int) -> None:
        await checked(anonymous, "GET", "/session", 401)

    async def empty_poll(_: int) -> None:
        await checked(poller, "GET", "/changes", 200, params={"since": cursor})

    async def send(i: int) -> None:
        await checked(writer, "POST", "/threads", 201, headers={
            "Idempotency-Key": uuid.uuid4().hex}, json={
            "to": [f"person:{reader['id']}"], "subject": f"Costs {i}",
            "body_html": body_html(rng), "attachment_ids": []})

    async def feed_page(_: int) -> None:
        nonlocal cursor
        body = await checked(poller, "GET", "/changes", 200, params={"since": cursor, "limit": 3})
        page = orjson.loads(body)
        if not page["threads"]:
            raise SystemExit("the feed page held no thread")
        cursor = page["cursor"]

    files = [pdf(rng) for _ in range(max(10, count // 10))]

    async def upload(i: int) -> None:
        await checked(writer, "POST", "/blobs", 201, body=files[i], headers={
            "X-Filename": "scan.pdf", "Content-Type": "application/pdf"})

    def emails_written() -> bool:
        return len(list(mail.glob("*.eml"))) >= count

    figures = {"http_floor_ms": await measure(pid, count, refused),
               "empty_poll_ms": await measure(pid, count, empty_poll),
               "send_ms": await measure(pid, count, send, emails_written),
               "feed_page_ms": await measure(pid, count, feed_page),
               "upload_ms": await measure(pid, len(files), upload)}
    for conn in (anonymous, writer, poller):
        conn.close()
    return {name: round(value, 2) for name, value in figures.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    cluster = PostgresCluster().start()
    try:
        with tempfile.TemporaryDirectory(prefix="bench-costs-") as scratch:
            root = Path(scratch)
            url = cluster.create_database()
            people = seed(url, root / "seed", 10)
            mail = root / "mail"
            server = ServerProcess(root / "server", url,
                                   env={"PRACTICE_SMTP_DROP_DIR": str(mail)}).start()
            try:
                assert server.proc is not None
                figures = asyncio.run(run(server.api, people, server.proc.pid, args.requests,
                                          mail))
            finally:
                server.stop()
    finally:
        cluster.stop()
    for name, value in figures.items():
        print(f"{name}: {value} ms of server CPU per request")
    print(f"sends one core could take, with nothing else to do: "
          f"{1000 / figures['send_ms']:.0f} a second")
    print(json.dumps({"bench": "server_costs", "requests": args.requests, **figures}))


if __name__ == "__main__":
    main()

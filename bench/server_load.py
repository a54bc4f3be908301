"""Benchmark: a busy group practice on two server processes sharing one PostgreSQL database.

1,000 simulated desktop clients (each its own staff member; 100 practices of 10) keep a
long poll open on /changes, alternating between the two processes; 50 of them send new
messages (bodies of 200-3,000 characters, one in ten with a 20-300 KB PDF uploaded first)
to a colleague, each at about 1.2 sends a second, for 60 s. Measured: sends accepted per
second, the p95 of POST /threads, the p95 from the start of a send to the recipient's long
poll answering with it (wherever the two are connected), and errors (any refused request,
broken connection, or message its recipient never saw). The floor, measured first in the
same run: the same 50 senders for 10 s with no one polling.

Everything binds 127.0.0.1 only (a throwaway PostgreSQL cluster, two `practice-server serve`
children) and the load stops after its time. Last line: one JSON object.

    python bench/server_load.py [--clients 1000] [--senders 50] [--seconds 60]
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import random
import resource
import statistics
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import orjson
from pypdf import PdfWriter

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.http_conn import Connection, HttpError  # noqa: E402
from server.auth.tokens import issue_token  # noqa: E402
from server.cli import prepare  # noqa: E402
from server.config import Settings  # noqa: E402
from server.context import AppContext  # noqa: E402
from server.db.models import Person, Practice  # noqa: E402
from tests.support.postgres import PostgresCluster  # noqa: E402
from tests.support.server_process import ServerProcess  # noqa: E402

PER_PRACTICE = 10
WORDS = ("session", "plan", "schedule", "insurance", "referral", "intake", "follow-up",
         "progress", "note", "family", "coverage", "Tuesday", "assessment", "goals")


@dataclass
class Figures:
    send_ms: list[float] = field(default_factory=list)
    wake_s: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    sent: int = 0
    started: dict[str, tuple[float, str]] = field(default_factory=dict)  # nonce: (t, to)
    seen: set[str] = field(default_factory=set)


def seed(url: str, data_dir: Path, clients: int) -> list[dict[str, str]]:
    """Practices of ten staff each, with a bearer token per person (no argon2 sign-ins)."""
    settings = Settings.build(data_dir=data_dir, database_url=url)
    prepare(settings)
    ctx = AppContext.create(settings)
    people: list[dict[str, str]] = []
    with ctx.sessions() as db:
        for p in range(clients // PER_PRACTICE):
            practice = Practice(name=f"Practice {p}", slug=f"practice-{p}")
            db.add(practice)
            db.flush()
            for n in range(PER_PRACTICE):
                person = Person(practice_id=practice.id, username=f"staff{p}-{n}",
                                name=f"Staff {n} of {p}", kind="staff", role="therapist",
                                email=f"staff{p}-{n}@example.org", has_portal_account=True)
                db.add(person)
                db.flush()
                token, _ = issue_token(db, settings, person)
                people.append({"id": person.id, "token": token, "practice": practice.id})
        db.commit()
    ctx.engine.dispose()
    return people


def body_html(rng: random.Random) -> str:
    target, parts = rng.randint(200, 3000), []
    while sum(len(p) for p in parts) < target:
        parts.append(" ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 20))) + ".")
    return "".join(f"<p>{p}</p>" for p in parts)


def pdf(rng: random.Random) -> bytes:
    """A real one-page PDF of 20–300 KB (the server checks an upload's structure)."""
    size = rng.randint(20_000, 300_000)
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.add_metadata({"/Subject": rng.randbytes(size // 2).hex()})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def auth(person: dict[str, str]) -> dict[str, str]:
    return {"Authorization": f"Bearer {person['token']}"}


async def poller(api: str, me: dict[str, str], figures: Figures, ready: list[int],
                 stop: asyncio.Event) -> None:
    """One desktop client's pull loop on a connection of its own: its first page, then long
    polls; on a failure it counts an error and tries again a second later, as the sync
    engine does."""
    conn = Connection(api, auth(me))
    cursor = None
    try:
        while not stop.is_set():
            params: dict[str, object] = {"limit": 500}
            if cursor is not None:
                params.update(since=cursor, wait=25)
            try:
                status, body = await conn.request("GET", "/changes", params=params)
            except HttpError as exc:
                if not stop.is_set():
                    figures.errors.append(f"poll: {exc}"[:60])
                    await asyncio.sleep(1)
                continue
            answered = time.perf_counter()
            if status != 200:
                figures.errors.append(f"poll: {status}")
                await asyncio.sleep(1)
                continue
            page = orjson.loads(body)
            if cursor is None:
                ready[0] += 1
            cursor = page["cursor"]
            for thread in page["threads"]:
                nonce = thread["subject"].rpartition(" ")[2]
                sent = figures.started.get(nonce)
                if sent is not None and sent[1] == me["id"] and nonce not in figures.seen:
                    figures.seen.add(nonce)
                    figures.wake_s.append(answered - sent[0])
    finally:
        conn.close()


async def sender(api: str, me: dict[str, str], colleagues: list[dict[str, str]],
                 figures: Figures, seconds: float, rng: random.Random,
                 record_wakes: bool) -> None:
    conn = Connection(api, auth(me))
    period = 1 / 1.2
    deadline = time.perf_counter() + seconds
    next_at = time.perf_counter() + rng.random() * period
    try:
        while True:
            await asyncio.sleep(max(0.0, next_at - time.perf_counter()))
            if time.perf_counter() >= deadline:
                return
            next_at += period
            await send_one(conn, rng.choice(colleagues), figures, rng, record_wakes)
    finally:
        conn.close()


async def send_one(conn: Connection, to: dict[str, str], figures: Figures, rng: random.Random,
                   record_wakes: bool) -> None:
    attachment_ids: list[str] = []
    try:
        if rng.random() < 0.1:
            status, body = await conn.request("POST", "/blobs", body=pdf(rng), headers={
                "X-Filename": "scan.pdf", "Content-Type": "application/pdf"})
            if status != 201:
                figures.errors.append(f"upload: {status}")
                return
            attachment_ids = [orjson.loads(body)["id"]]
        nonce = uuid.uuid4().hex
        started = time.perf_counter()
        if record_wakes:
            figures.started[nonce] = (started, to["id"])
        status, body = await conn.request("POST", "/threads", headers={
            "Idempotency-Key": nonce}, json={
            "to": [f"person:{to['id']}"], "subject": f"Load {nonce}",
            "body_html": body_html(rng), "attachment_ids": attachment_ids})
        figures.send_ms.append((time.perf_counter() - started) * 1000)
        if status != 201:
            figures.errors.append(f"send: {status} {body[:80]!r}")
        else:
            figures.sent += 1
    except HttpError as exc:
        figures.errors.append(f"send: {exc}"[:60])


def p95(values: list[float]) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=20)[18]


def cpu_busy() -> tuple[float, float]:
    with open("/proc/stat") as stat:
        fields = [float(v) for v in stat.readline().split()[1:]]
    idle = fields[3] + fields[4]
    return sum(fields) - idle, sum(fields)


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU of these processes and their children so far."""
    ticks = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except FileNotFoundError:
            continue
        ticks += sum(float(v) for v in fields[11:15])
        ticks += cpu_seconds([int(c) for c in children]) * os.sysconf("SC_CLK_TCK")
    return ticks / os.sysconf("SC_CLK_TCK")


@dataclass
class Parts:
    """The processes whose CPU use is reported: what limits the figures."""
    servers: list[int]
    postgres: list[int]

    def sample(self) -> dict[str, float]:
        # This process alone: its children are the servers, counted above.
        own = os.times()
        return {"servers": cpu_seconds(self.servers), "postgres": cpu_seconds(self.postgres),
                "load_generator": own.user + own.system}


async def run(apis: list[str], people: list[dict[str, str]], senders: int, seconds: float,
              parts: Parts) -> dict[str, object]:
    rng = random.Random(2026)
    by_practice: dict[str, list[dict[str, str]]] = {}
    for person in people:
        by_practice.setdefault(person["practice"], []).append(person)
    chosen = [people[i * (len(people) // senders)] for i in range(senders)]

    def colleagues(me: dict[str, str]) -> list[dict[str, str]]:
        return [p for p in by_practice[me["practice"]] if p is not me]

    floor = Figures()
    await asyncio.gather(*(sender(apis[i % 2], me, colleagues(me), floor, 10, rng, False)
                           for i, me in enumerate(chosen)))

    figures, stop, ready = Figures(), asyncio.Event(), [0]
    polls = [asyncio.create_task(poller(apis[i % 2], me, figures, ready, stop))
             for i, me in enumerate(people)]
    try:
        started = time.perf_counter()
        while ready[0] < len(people):
            if time.perf_counter() - started > 300:
                raise RuntimeError(f"only {ready[0]} of {len(people)} clients got their "
                                   f"first page in 300 s: {sorted(set(figures.errors))}")
            await asyncio.sleep(0.2)
        print(f"{len(people)} clients synced in {time.perf_counter() - started:.1f} s "
              f"({len(figures.errors)} failed requests retried)", flush=True)
        figures.errors.clear()
        await asyncio.sleep(2)  # every client is now waiting in its long poll
        busy0, total0 = cpu_busy()
        used0 = parts.sample()
        t0 = time.perf_counter()
        await asyncio.gather(*(sender(apis[(i + 1) % 2], me, colleagues(me), figures,
                                      seconds, rng, True) for i, me in enumerate(chosen)))
        elapsed = time.perf_counter() - t0
        busy1, total1 = cpu_busy()
        used = {k: round((v - used0[k]) / elapsed, 2) for k, v in parts.sample().items()}
        # The last wake-ups: an overloaded run may take longer than its wake p95 to deliver.
        last_call = time.monotonic() + 30
        while set(figures.started) - figures.seen and time.monotonic() < last_call:
            await asyncio.sleep(0.2)
    finally:
        stop.set()
        for task in polls:
            task.cancel()
        await asyncio.gather(*polls, return_exceptions=True)
    never_seen = len(set(figures.started) - figures.seen)
    errors = figures.errors + [f"{never_seen} messages never reached their recipient"] * bool(
        never_seen)
    return {
        "floor_sends_per_s": round(floor.sent / 10, 1),
        "floor_send_p95_ms": round(p95(floor.send_ms), 1),
        "sends_per_s": round(figures.sent / elapsed, 1),
        "send_p95_ms": round(p95(figures.send_ms), 1),
        "wake_p95_s": round(p95(figures.wake_s), 3),
        "wakes": len(figures.wake_s),
        "errors": len(figures.errors) + never_seen,
        "error_kinds": sorted(set(errors))[:10],
        "cpu_busy": round((busy1 - busy0) / max(1.0, total1 - total0), 2),
        "cores_used": used,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--senders", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 8192)), hard))

    cluster = PostgresCluster().start()
    servers: list[ServerProcess] = []
    try:
        with tempfile.TemporaryDirectory(prefix="bench-load-") as scratch:
            root = Path(scratch)
            url = cluster.create_database()
            people = seed(url, root / "a", args.clients)
            env = {"PRACTICE_SMTP_DROP_DIR": str(root / "mail")}
            for name in "ab":
                servers.append(ServerProcess(root / name, url, env=env).start())
            postmaster = int((cluster.data / "postmaster.pid").read_text().split()[0])
            parts = Parts([s.proc.pid for s in servers if s.proc], [postmaster])
            load_before = os.getloadavg()[0]
            result = asyncio.run(run([s.api for s in servers], people, args.senders,
                                     args.seconds, parts))
            for server in servers:
                server.stop()
            emails = len(list((root / "mail").glob("*.eml")))
    finally:
        for server in servers:
            server.stop()
        cluster.stop()

    print(f"floor ({args.senders} senders, nobody polling): {result['floor_sends_per_s']} sends/s, "
          f"p95 {result['floor_send_p95_ms']} ms")
    print(f"with {args.clients} long-polling clients: {result['sends_per_s']} sends/s, "
          f"send p95 {result['send_p95_ms']} ms, wake p95 {result['wake_p95_s']} s "
          f"({result['wakes']} wake-ups), errors {result['errors']} {result['error_kinds']}")
    print(f"notification emails written: {emails}")
    used = result["cores_used"]
    print(f"CPU while sending: machine {result['cpu_busy']:.0%} busy of {os.cpu_count()} cores "
          f"(load average {load_before:.1f} before the run); cores used by the two servers "
          f"{used['servers']}, PostgreSQL {used['postgres']}, this load generator "
          f"{used['load_generator']}")
    print(f"What limits it: CPU. The servers, PostgreSQL and the {args.clients} simulated "
          "clients share the same cores; on a busy machine (load average above the core "
          "count) every figure is held back by the other work, the floor included.")
    print(json.dumps({"bench": "server_load", "clients": args.clients,
                      "sends_per_s": result["sends_per_s"],
                      "send_p95_ms": result["send_p95_ms"], "wake_p95_s": result["wake_p95_s"],
                      "errors": result["errors"], "floor_sends_per_s": result["floor_sends_per_s"],
                      "floor_send_p95_ms": result["floor_send_p95_ms"],
                      "cpu_busy": result["cpu_busy"], "cores_used": result["cores_used"],
                      "load_average_before": round(load_before, 1)}))


if __name__ == "__main__":
    main()

"""Hostile load: signed-in users hammering the worst inputs the limits allow, strangers
streaming oversized bodies and holding idle sockets, while one more user's requests are
timed.

The server runs as its own process (`practice-server serve`) on a loopback port, so its
memory is its own. Prints the other user's p50/p95 (target p95 < 200 ms, against the same
requests on the idle server, measured first), the count of 500s (target 0), 503s, and the
server's resident memory beyond its idle size (target < 100 MB). Last line: one JSON object.

    .venv/bin/python bench/hostile_load.py [--users 200] [--seconds 30] [--database URL]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.support.hostile_inputs import MAX_ELEMENTS, worst_allowed_bodies  # noqa: E402

PASSWORD = "lakeside-demo-2026"
MB = 1024 * 1024


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rss(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def add_users(data_dir: Path, database: str | None, count: int) -> None:
    """`count` more staff in the demo practice, sharing the demo password's hash."""
    from sqlalchemy import select

    from server.config import Settings
    from server.context import AppContext
    from server.db.models import Person

    ctx = AppContext.create(Settings.build(data_dir=data_dir, database_url=database))
    with ctx.sessions() as db:
        rivera = db.scalar(select(Person).where(Person.username == "dr.rivera"))
        assert rivera is not None
        for n in range(count):
            db.add(Person(practice_id=rivera.practice_id, username=f"load.user.{n}",
                          name=f"Load User {n}", kind="staff", role="front_office",
                          email=f"load{n}@lakeside.example", password_hash=rivera.password_hash))
        db.commit()
    ctx.engine.dispose()


class Server:
    def __init__(self, data_dir: Path, database: str | None) -> None:
        self.data_dir, self.database = data_dir, database
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def api(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v1"

    def cli(self, *args: str) -> list[str]:
        cmd = [sys.executable, "-m", "server.cli", *args, "--data-dir", str(self.data_dir)]
        return cmd + (["--database", self.database] if self.database else [])

    def start(self) -> None:
        log = open(self.data_dir.parent / "server.log", "wb")  # noqa: SIM115 - kept for the run
        self.proc = subprocess.Popen(
            self.cli("serve", "--port", str(self.port), "--log-level", "warning"),
            stdout=subprocess.DEVNULL, stderr=log)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                requests.get(f"{self.api}/openapi.json", timeout=1)
                return
            except requests.ConnectionError:
                time.sleep(0.1)
        raise RuntimeError("the practice server did not start")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def sign_in(api: str, username: str) -> tuple[str, str]:
    reply = requests.post(f"{api}/auth/login", json={"username": username, "password": PASSWORD},
                          timeout=120)
    reply.raise_for_status()
    body = reply.json()
    return body["token"], body["user"]["id"]


class Tally:
    def __init__(self) -> None:
        self.statuses: Counter[int] = Counter()
        self.lock = threading.Lock()

    def add(self, status: int) -> None:
        with self.lock:
            self.statuses[status] += 1


def hammer(api: str, token: str, payloads: list[tuple[str, str, bytes]], until: float,
           tally: Tally, seed: int) -> None:
    """One signed-in user: the heaviest requests the limits allow, one after another."""
    http = requests.Session()
    http.headers.update({"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    n = seed
    while time.monotonic() < until:
        method, path, body = payloads[n % len(payloads)]
        n += 1
        if "{draft}" in path:
            path = path.replace("{draft}", str(uuid.uuid4()))
        try:
            reply = http.request(method, api + path, data=body, timeout=60,
                                 headers={"Idempotency-Key": str(uuid.uuid4())})
            tally.add(reply.status_code)
        except requests.RequestException:
            tally.add(0)


def stranger_stream(port: int, until: float, tally: Tally) -> None:
    """No token, a 50 MB JSON body streamed as fast as loopback goes, again and again."""
    chunk = b" " * 65536
    frame = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
    while time.monotonic() < until:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
                sock.sendall(b"POST /api/v1/threads HTTP/1.1\r\nHost: x\r\n"
                             b"Content-Type: application/json\r\n"
                             b"Transfer-Encoding: chunked\r\n\r\n")
                for _ in range(50 * MB // len(chunk)):
                    sock.sendall(frame)
                tally.add(-1)  # the whole body was taken: the limit did not hold
        except OSError:
            tally.add(413)


def idle_sockets(port: int, count: int) -> list[socket.socket]:
    held = []
    for _ in range(count):
        try:
            held.append(socket.create_connection(("127.0.0.1", port), timeout=5,
                                                 source_address=("127.0.0.9", 0)))
        except OSError:
            break
    return held


def still_open(sock: socket.socket) -> bool:
    """True while the server neither answered (503, 408) nor closed the socket."""
    sock.setblocking(False)
    try:
        sock.recv(1)
        return False
    except BlockingIOError:
        return True
    except OSError:
        return False


def long_polls(port: int, tokens: list[str], count: int, wait: int = 3) -> Counter[str]:
    """`count` long polls at once from one address; the first line of each answer."""
    import selectors

    selector = selectors.DefaultSelector()
    answers: dict[socket.socket, bytes] = {}
    for n in range(count):
        sock = socket.create_connection(("127.0.0.1", port), timeout=10,
                                        source_address=("127.0.0.10", 0))
        sock.sendall(f"GET /api/v1/changes?wait={wait} HTTP/1.1\r\nHost: x\r\n"
                     f"Authorization: Bearer {tokens[n % len(tokens)]}\r\n"
                     "Connection: close\r\n\r\n".encode())
        sock.setblocking(False)
        selector.register(sock, selectors.EVENT_READ)
        answers[sock] = b""
    deadline = time.monotonic() + wait + 60
    open_socks = len(answers)
    while open_socks and time.monotonic() < deadline:
        for key, _ in selector.select(timeout=1):
            sock = key.fileobj  # type: ignore[assignment]
            try:
                chunk = sock.recv(65536)
            except OSError:
                chunk = b""
            answers[sock] += chunk
            if not chunk:
                selector.unregister(sock)
                sock.close()
                open_socks -= 1
    for sock in answers:
        sock.close()
    return Counter(a.split(b"\r\n", 1)[0].decode() or "no answer" for a in answers.values())


def observe(api: str, token: str, until: float, latencies: list[float], tally: Tally) -> None:
    http = requests.Session()
    http.headers["Authorization"] = f"Bearer {token}"
    while time.monotonic() < until:
        for path in ("/session", "/threads?folder=inbox&limit=20"):
            started = time.perf_counter()
            try:
                status = http.get(api + path, timeout=60).status_code
            except requests.RequestException:
                status = 0
            latencies.append((time.perf_counter() - started) * 1000)
            tally.add(status)
        time.sleep(0.05)


def watch_rss(pid: int, threads: list[threading.Thread]) -> int:
    """Run the threads to their end; the server's peak resident memory meanwhile."""
    peak = rss(pid)
    for thread in threads:
        thread.start()
    while any(t.is_alive() for t in threads):
        peak = max(peak, rss(pid))
        time.sleep(0.1)
    return peak


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) >= 20 else max(values)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--strangers", type=int, default=6)
    parser.add_argument("--idle-sockets", type=int, default=1000)
    parser.add_argument("--long-polls", type=int, default=1000)
    parser.add_argument("--database", help="a PostgreSQL URL (default: SQLite)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-hostile-") as tmp:
        data_dir = Path(tmp) / "data"
        server = Server(data_dir, args.database)
        subprocess.run(server.cli("seed-demo"), check=True, capture_output=True)
        add_users(data_dir, args.database, args.users)
        server.start()
        assert server.proc is not None
        try:
            return run(server, args)
        finally:
            server.stop()


def run(server: Server, args: argparse.Namespace) -> int:
    pid = server.proc.pid if server.proc else 0
    started = time.perf_counter()
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=8) as pool:
        users = list(pool.map(lambda n: sign_in(server.api, f"load.user.{n}"), range(args.users)))
    observer_token, _ = sign_in(server.api, "dr.chen")
    print(f"{args.users} users signed in in {time.perf_counter() - started:.1f} s")

    floor: list[float] = []
    observe(server.api, observer_token, time.monotonic() + 5, floor, Tally())
    idle_rss = rss(pid)

    bodies = list(worst_allowed_bodies().values())
    colleague = users[0][1]
    payloads = []
    for body in bodies:
        send = {"to": [f"person:{colleague}"], "subject": "Load", "body_html": body,
                "attachment_ids": []}
        draft = {"to": [], "subject": "Load", "body_html": body, "attachment_ids": []}
        payloads.append(("POST", "/threads", json.dumps(send).encode()))
        payloads.append(("PUT", "/drafts/{draft}", json.dumps(draft).encode()))
    too_deep = "<div>" * 65 + "refused"
    payloads.append(("POST", "/threads", json.dumps(
        {"to": [f"person:{colleague}"], "subject": "Load", "body_html": too_deep,
         "attachment_ids": []}).encode()))
    bulk = {"thread_ids": [str(uuid.uuid4()) for _ in range(MAX_ELEMENTS // 2)],
            "starred": True}
    payloads.append(("POST", "/threads/state", json.dumps(bulk).encode()))

    # Phase 0: many long polls from one address (a clinic behind one router) all work.
    polls = long_polls(server.port, [token for token, _ in users], args.long_polls)
    print(f"{args.long_polls} long polls from one address: {dict(polls)}")

    # Phase 1, strangers only: what can someone without a token make the server hold?
    stranger_tally = Tally()
    held = idle_sockets(server.port, args.idle_sockets)
    stranger_peak = watch_rss(pid, [
        threading.Thread(target=stranger_stream,
                         args=(server.port, time.monotonic() + args.seconds / 3, stranger_tally))
        for _ in range(args.strangers)])
    kept_open = sum(still_open(sock) for sock in held)
    for sock in held:
        sock.close()
    time.sleep(1)

    # Phase 2: every user hammers, strangers go on, the other user is timed.
    tally, observed, latencies = Tally(), Tally(), []
    until = time.monotonic() + args.seconds
    threads = [threading.Thread(target=hammer, args=(server.api, token, payloads, until, tally, n))
               for n, (token, _) in enumerate(users)]
    threads += [threading.Thread(target=stranger_stream, args=(server.port, until, tally))
                for _ in range(args.strangers)]
    threads.append(threading.Thread(target=observe,
                                    args=(server.api, observer_token, until, latencies, observed)))
    peak = watch_rss(pid, threads)
    tally.statuses.update(stranger_tally.statuses)

    statuses = tally.statuses + observed.statuses
    result = {
        "users": args.users,
        "seconds": args.seconds,
        "requests": sum(tally.statuses.values()),
        "other_user_requests": len(latencies),
        "other_user_p50_ms": round(statistics.median(latencies), 1),
        "other_user_p95_ms": round(p95(latencies), 1),
        "floor_p95_ms": round(p95(floor), 1),
        "p95_target_ms": 200,
        "status_500": sum(n for s, n in statuses.items() if s >= 500 and s != 503),
        "status_503": statuses.get(503, 0),
        "failed_connections": statuses.get(0, 0),
        "strangers_fully_read": statuses.get(-1, 0),
        "long_polls": args.long_polls,
        "long_polls_answered_200": polls.get("HTTP/1.1 200 OK", 0),
        "idle_sockets_opened": len(held),
        "idle_sockets_kept_open": kept_open,
        "rss_idle_mb": round(idle_rss / MB, 1),
        "stranger_rss_beyond_idle_mb": round((stranger_peak - idle_rss) / MB, 1),
        "rss_target_mb": 100,
        "load_rss_beyond_idle_mb": round((peak - idle_rss) / MB, 1),
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
    }
    print(f"other user: p50 {result['other_user_p50_ms']} ms, p95 {result['other_user_p95_ms']} ms "
          f"(idle server: p95 {result['floor_p95_ms']} ms; target < 200 ms)")
    print(f"500s: {result['status_500']} (target 0), 503s: {result['status_503']}, "
          f"requests: {result['requests']}")
    print(f"server memory beyond idle with strangers: {result['stranger_rss_beyond_idle_mb']} MB "
          f"(target < 100 MB); under the whole load: {result['load_rss_beyond_idle_mb']} MB")
    print(json.dumps(result))
    ok = (result["other_user_p95_ms"] < 200 and result["status_500"] == 0
          and result["long_polls_answered_200"] == args.long_polls
          and result["stranger_rss_beyond_idle_mb"] < 100)
    return 0 if ok else 1


if __name__ == "__main__":
    os.environ.setdefault("PRACTICE_FEED_READ_AHEAD", "1")
    sys.exit(main())

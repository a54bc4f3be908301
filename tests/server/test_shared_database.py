"""Server processes sharing one PostgreSQL database, each with its own data folder, share
attachments and the email outbox through it; `serve --workers N` runs N of them."""

from __future__ import annotations

import hashlib
import time
import uuid
from pathlib import Path

import requests
from sqlalchemy import create_engine, func, select

from server.db.engine import normalize_url
from server.db.models import EmailOutbox
from server.seed import DEMO_PASSWORD
from tests.support import sample_files
from tests.support.postgres import PostgresCluster, free_port
from tests.support.server_process import ServerProcess

PDF = sample_files.pdf("".join(f"line {i} of a long report; " for i in range(40_000)))


def sign_in(api: str, username: str) -> dict[str, str]:
    reply = requests.post(
        f"{api}/auth/login", json={"username": username, "password": DEMO_PASSWORD}, timeout=30
    )
    reply.raise_for_status()
    return {"Authorization": f"Bearer {reply.json()['token']}"}


def person_id(api: str, headers: dict[str, str]) -> str:
    return str(requests.get(f"{api}/session", headers=headers, timeout=10).json()["user"]["id"])


def test_an_attachment_uploaded_on_one_process_downloads_from_the_other(
    tmp_path: Path, pg_cluster: PostgresCluster
) -> None:
    url = pg_cluster.create_database()
    first, second = ServerProcess(tmp_path / "a", url), ServerProcess(tmp_path / "b", url)
    first.seed()
    first.start()
    second.start()
    try:
        rivera = sign_in(first.api, "dr.rivera")
        upload = requests.post(
            f"{first.api}/blobs", data=PDF, timeout=30,
            headers={**rivera, "X-Filename": "report.pdf", "Content-Type": "application/pdf"})
        assert upload.status_code == 201, upload.text
        blob = upload.json()
        assert blob["sha256"] == hashlib.sha256(PDF).hexdigest() and blob["size"] == len(PDF)

        rivera_there = sign_in(second.api, "dr.rivera")
        download = requests.get(f"{second.api}/blobs/{blob['id']}", headers=rivera_there,
                                timeout=30)
        assert download.status_code == 200
        assert download.content == PDF
        assert download.headers["ETag"] == blob["sha256"]
        for folder in (first.data_dir, second.data_dir):
            assert not any((folder / "blobs").iterdir()), "attachments live in the database"
    finally:
        first.stop()
        second.stop()


def outbox_counts(url: str) -> tuple[int, int]:
    engine = create_engine(normalize_url(url))
    try:
        with engine.connect() as conn:
            total = conn.scalar(select(func.count()).select_from(EmailOutbox))
            unsent = conn.scalar(select(func.count()).where(EmailOutbox.sent_at.is_(None)))
        return int(total or 0), int(unsent or 0)
    finally:
        engine.dispose()


def test_each_email_is_sent_once_when_both_processes_drain_the_outbox(
    tmp_path: Path, pg_cluster: PostgresCluster
) -> None:
    url = pg_cluster.create_database()
    mail = {name: tmp_path / f"mail-{name}" for name in "ab"}
    servers = [ServerProcess(tmp_path / name, url, env={"PRACTICE_SMTP_DROP_DIR": str(mail[name])})
               for name in "ab"]
    servers[0].seed()
    for server in servers:
        server.start()
    try:
        senders = [sign_in(server.api, "dr.rivera") for server in servers]
        alex = person_id(servers[0].api, sign_in(servers[0].api, "alex"))
        for n in range(40):
            server, headers = servers[n % 2], senders[n % 2]
            sent = requests.post(
                f"{server.api}/threads",
                headers={**headers, "Idempotency-Key": str(uuid.uuid4())},
                json={"to": [f"person:{alex}"], "subject": f"Appointment {n}",
                      "body_html": "<p>Your appointment time has changed; see the portal.</p>"},
                timeout=30)
            assert sent.status_code == 201, sent.text
        deadline = time.monotonic() + 60
        while outbox_counts(url)[1] and time.monotonic() < deadline:
            time.sleep(0.2)
        total, unsent = outbox_counts(url)
        assert total >= 40 and unsent == 0
        written = [p.name for folder in mail.values() if folder.exists()
                   for p in folder.glob("*.eml")]
        assert len(written) == len(set(written)) == total  # every email once, none twice
    finally:
        for server in servers:
            server.stop()


def worker_pids(supervisor: int) -> set[int]:
    children = Path(f"/proc/{supervisor}/task/{supervisor}/children").read_text().split()
    pids = set()
    for child in map(int, children):
        try:
            cmdline = Path(f"/proc/{child}/cmdline").read_bytes()
        except FileNotFoundError:
            continue
        if b"spawn_main" in cmdline:
            pids.add(child)
    return pids


def wait_for_workers(supervisor: int, count: int, gone: int | None = None) -> set[int]:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        pids = worker_pids(supervisor)
        if len(pids) == count and gone not in pids:
            break
        time.sleep(0.1)
    return pids


def test_serve_with_two_workers_keeps_two_running(
    tmp_path: Path, pg_cluster: PostgresCluster
) -> None:
    import os
    import signal

    url = pg_cluster.create_database()
    server = ServerProcess(tmp_path / "w", url, args=("--workers", "2"))
    server.seed()
    server.start()
    assert server.proc is not None
    try:
        first = wait_for_workers(server.proc.pid, 2)
        assert len(first) == 2
        os.kill(min(first), signal.SIGKILL)
        again = wait_for_workers(server.proc.pid, 2, gone=min(first))
        assert len(again) == 2 and min(first) not in again  # the dead one was replaced
        for _ in range(10):
            reply = requests.post(f"{server.api}/auth/login", timeout=30,
                                  json={"username": "dr.rivera", "password": DEMO_PASSWORD})
            assert reply.status_code == 200
    finally:
        server.stop()
    assert server.proc is None


def test_two_workers_on_sqlite_are_refused(tmp_path: Path) -> None:
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "server.cli", "serve", "--data-dir", str(tmp_path / "d"),
         "--port", str(free_port()), "--workers", "2"], capture_output=True, text=True,
        timeout=60)
    assert done.returncode == 2 and "PostgreSQL" in done.stderr

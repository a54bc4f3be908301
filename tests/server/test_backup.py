"""`backup` while messages flow, `restore` into an empty database and data folder, and
`verify-backup`; on SQLite and on PostgreSQL. A damaged backup is refused, changing nothing."""

from __future__ import annotations

import hashlib
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.server.load_script import SendingScript, sign_in
from tests.support.postgres import PostgresCluster
from tests.support.server_process import ServerProcess
from tests.support.system_tools import missing


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "server.cli", *args],
                          capture_output=True, text=True, timeout=300)


def where(data_dir: Path, url: str | None) -> list[str]:
    return ["--data-dir", str(data_dir), *(["--database", url] if url else [])]


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest) -> PostgresCluster | None:
    if request.param == "sqlite":
        return None
    from server.backup import BackupProblem, pg_program

    try:
        pg_program("pg_dump")
    except BackupProblem as problem:
        missing(str(problem))
    cluster: PostgresCluster = request.getfixturevalue("pg_cluster")
    return cluster


def new_database(backend: PostgresCluster | None) -> str | None:
    return backend.create_database() if backend is not None else None


def feed(api: str, headers: dict[str, str]) -> dict[str, Any]:
    """Everything the user's change feed holds: messages, threads by id."""
    messages: dict[str, Any] = {}
    threads: dict[str, Any] = {}
    since = None
    while True:
        page = requests.get(f"{api}/changes", headers=headers, timeout=60,
                            params={"limit": 1000, **({"since": since} if since else {})}).json()
        messages.update({m["id"]: m for m in page["messages"]})
        threads.update({t["id"]: t for t in page["threads"]})
        since = page["cursor"]
        if not page["more"]:
            return {"messages": messages, "threads": threads}


def test_a_backup_taken_while_messages_flow_restores_whole(
        tmp_path: Path, backend: PostgresCluster | None) -> None:
    source_url = new_database(backend)
    source = ServerProcess(tmp_path / "source", source_url)
    source.seed()
    source.start()
    try:
        alex_headers = sign_in(source.api, "alex")
        alex = requests.get(f"{source.api}/session", headers=alex_headers,
                            timeout=10).json()["user"]["id"]
        script = SendingScript(source.api, alex).start()
        try:
            script.wait_for(6)
            taken = cli("backup", *where(source.data_dir, source_url),
                        "--to", str(tmp_path / "backup"))
            script.wait_for(len(script.sent) + 3)
        finally:
            script.stop()
        assert taken.returncode == 0, taken.stderr
        assert "protected health information" in taken.stdout
        assert not script.errors
        truth = feed(source.api, alex_headers)
    finally:
        source.stop()

    backup = tmp_path / "backup"
    assert stat.S_IMODE(backup.stat().st_mode) == 0o700
    for path in backup.rglob("*"):
        assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, path
    checked = cli("verify-backup", str(backup))
    assert checked.returncode == 0, checked.stderr

    target_url = new_database(backend)
    restored = cli("restore", *where(tmp_path / "restored", target_url), "--from", str(backup))
    assert restored.returncode == 0, restored.stderr
    server = ServerProcess(tmp_path / "restored", target_url).start()
    try:
        alex_there = sign_in(server.api, "alex")
        copy = feed(server.api, alex_there)
        loaded = {m["id"] for m in copy["messages"].values()
                  if copy["threads"][m["thread_id"]]["subject"].startswith("Load ")}
        in_order = [s["message_id"] for s in script.sent]
        # The backup's moment: every message sent before it, none after.
        assert 6 <= len(loaded) < len(in_order)
        assert set(in_order[: len(loaded)]) == loaded
        assert copy["threads"] == {t: truth["threads"][t] for t in copy["threads"]}
        assert copy["messages"] == {m: truth["messages"][m] for m in copy["messages"]}
        seeded = {m for m in truth["messages"]
                  if not truth["threads"][truth["messages"][m]["thread_id"]]["subject"]
                  .startswith("Load ")}
        assert seeded <= set(copy["messages"])
        attached = [s for s in script.sent if s["blob_id"] and s["message_id"] in loaded]
        assert attached
        for sent in attached:
            download = requests.get(f"{server.api}/blobs/{sent['blob_id']}", headers=alex_there,
                                    timeout=30)
            assert download.status_code == 200
            assert download.headers["ETag"] == sent["sha256"]
            assert hashlib.sha256(download.content).hexdigest() == sent["sha256"]
    finally:
        server.stop()


def database_file(backup: Path) -> Path:
    return next(p for p in backup.iterdir() if p.name.startswith("database."))


def test_a_truncated_backup_is_refused_and_nothing_changes(
        tmp_path: Path, backend: PostgresCluster | None) -> None:
    source_url = new_database(backend)
    source = ServerProcess(tmp_path / "source", source_url)
    source.seed()
    backup = tmp_path / "backup"
    taken = cli("backup", *where(source.data_dir, source_url), "--to", str(backup))
    assert taken.returncode == 0, taken.stderr
    dump = database_file(backup)
    with open(dump, "r+b") as damaged:
        damaged.truncate(dump.stat().st_size // 2)

    checked = cli("verify-backup", str(backup))
    assert checked.returncode == 1
    assert f"{dump.name} is" in checked.stderr and "damaged" in checked.stderr
    assert "Traceback" not in checked.stderr

    target_url = new_database(backend)
    target = tmp_path / "restored"
    refused = cli("restore", *where(target, target_url), "--from", str(backup))
    assert refused.returncode == 1
    assert "damaged" in refused.stderr and "Nothing was changed." in refused.stderr
    assert not target.exists()
    if target_url:
        from sqlalchemy import create_engine, inspect

        from server.db.engine import normalize_url

        engine = create_engine(normalize_url(target_url))
        try:
            assert inspect(engine).get_table_names() == []
        finally:
            engine.dispose()


def test_an_unfinished_backup_and_a_used_target_are_refused(tmp_path: Path) -> None:
    source = ServerProcess(tmp_path / "source")
    source.seed()
    backup = tmp_path / "backup"
    assert cli("backup", *where(source.data_dir, None), "--to", str(backup)).returncode == 0
    again = cli("backup", *where(source.data_dir, None), "--to", str(backup))
    assert again.returncode == 1 and "not empty" in again.stderr

    into_used = cli("restore", *where(source.data_dir, None), "--from", str(backup))
    assert into_used.returncode == 1 and "not empty" in into_used.stderr

    (backup / "manifest.json").unlink()
    unfinished = cli("verify-backup", str(backup))
    assert unfinished.returncode == 1 and "did not finish" in unfinished.stderr

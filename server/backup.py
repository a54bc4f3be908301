"""`practice-server backup`, `restore` and `verify-backup`.

A backup is a folder readable by its owner only (it holds PHI) with:
- `database.sqlite` (SQLite's online backup API: one consistent copy while the server
  writes) and `blobs/<id>` for each attachment the copy refers to; or
- `database.pgdump` (`pg_dump --format=custom`, one snapshot; attachments are rows in it);
- `manifest.json`, written last, with the size and sha256 of every other file.

A folder without a manifest, or whose files differ from it, is refused with a sentence by
`verify-backup` and by `restore`, which then changes nothing. `restore` writes only into an
empty database and data folder, then brings the schema to the current one.
"""

from __future__ import annotations

import glob
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import URL, inspect, make_url

from server.config import Settings
from server.db.engine import is_sqlite, make_engine, normalize_url
from server.db.migrate import upgrade

FORMAT = "practice-inbox-backup"
MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite"
PG_FILE = "database.pgdump"


class BackupProblem(Exception):
    """A backup cannot be taken, trusted or restored; the message is a sentence for people."""


def pg_program(name: str) -> str:
    """pg_dump or pg_restore: on the PATH, else Debian's newest /usr/lib/postgresql/*/bin."""
    found = shutil.which(name) or next(
        iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)), None)
    if not found:
        raise BackupProblem(f"{name} is not installed; install PostgreSQL's client programs "
                            "(Debian: postgresql-client) of the server's version or newer.")
    return found


@contextmanager
def _owner_only() -> Iterator[None]:
    previous = os.umask(0o077)
    try:
        yield
    finally:
        os.umask(previous)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as source:
        while chunk := source.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def _pg_target(database_url: str) -> tuple[str, dict[str, str]]:
    """A libpq URL without its password, and the environment carrying the password."""
    url: URL = make_url(normalize_url(database_url)).set(drivername="postgresql")
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return url.set(password=None).render_as_string(hide_password=False), env


def _sqlite_path(settings: Settings) -> Path:
    database = make_url(settings.database_url).database
    if not database:
        raise BackupProblem("Backups need a SQLite database in a file, not one in memory.")
    return Path(database)


# taking a backup ---------------------------------------------------------------------------


def take(settings: Settings, target: Path) -> dict[str, Any]:
    """Write a backup of the running (or stopped) server into `target`; returns the manifest."""
    if target.exists() and any(target.iterdir()):
        raise BackupProblem(f"{target} is not empty. Give a new folder for each backup.")
    with _owner_only():
        target.mkdir(parents=True, exist_ok=True)
        target.chmod(0o700)
        if is_sqlite(settings.database_url):
            kind, missing = "sqlite", _take_sqlite(settings, target)
        else:
            kind, missing = "postgresql", _take_postgres(settings, target)
        files = {
            str(path.relative_to(target)): {"size": path.stat().st_size, "sha256": _sha256(path)}
            for path in sorted(target.rglob("*"))
            if path.is_file()
        }
        manifest = {"format": FORMAT, "version": 1, "database": kind, "files": files,
                    "attachments_missing": missing}
        partial = target / (MANIFEST + ".part")
        partial.write_text(json.dumps(manifest, indent=1))
        os.replace(partial, target / MANIFEST)
    return manifest


def _take_sqlite(settings: Settings, target: Path) -> int:
    """Copy the database in one step (a consistent snapshot), then the attachments it names."""
    source = sqlite3.connect(f"file:{_sqlite_path(settings)}?mode=ro", uri=True, timeout=30)
    copy = sqlite3.connect(target / SQLITE_FILE)
    try:
        source.backup(copy)
        blob_ids = [row[0] for row in copy.execute("SELECT id FROM blob")]
    finally:
        copy.close()
        source.close()
    folder = target / "blobs"
    folder.mkdir(mode=0o700)
    missing = 0
    for blob_id in blob_ids:
        try:
            shutil.copyfile(settings.blob_dir / blob_id, folder / blob_id)
        except FileNotFoundError:
            missing += 1  # removed since as unreferenced: no message or draft needs it
    return missing


def _take_postgres(settings: Settings, target: Path) -> int:
    url, env = _pg_target(settings.database_url)
    done = subprocess.run(
        [pg_program("pg_dump"), "--format=custom", "--no-owner", "--no-privileges",
         f"--file={target / PG_FILE}", url],
        env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupProblem(f"pg_dump could not copy the database: {done.stderr.strip()}")
    return 0


# checking one ------------------------------------------------------------------------------


def verify(source: Path) -> dict[str, Any]:
    """The manifest of a complete, unchanged backup; BackupProblem otherwise."""
    if not source.is_dir():
        raise BackupProblem(f"There is no backup folder at {source}.")
    try:
        manifest = json.loads((source / MANIFEST).read_text())
    except FileNotFoundError:
        raise BackupProblem(
            f"{source} has no {MANIFEST}: the backup did not finish, so it cannot be trusted."
        ) from None
    except (ValueError, OSError) as exc:
        raise BackupProblem(f"The manifest of {source} cannot be read ({exc}).") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupProblem(f"{source} is not a Practice Inbox backup.")
    for name, expected in manifest["files"].items():
        path = source / name
        if not path.is_file():
            raise BackupProblem(f"The backup is incomplete: {name} is missing.")
        size = path.stat().st_size
        if size != expected["size"] or _sha256(path) != expected["sha256"]:
            raise BackupProblem(
                f"The backup is damaged: {name} is {size} bytes and does not match what was "
                f"written ({expected['size']} bytes). Use another backup.")
    database = SQLITE_FILE if manifest["database"] == "sqlite" else PG_FILE
    if database not in manifest["files"]:
        raise BackupProblem(f"The backup is incomplete: it holds no {database}.")
    if manifest["database"] == "sqlite":
        _check_sqlite(source / SQLITE_FILE)
    else:
        _check_pgdump(source / PG_FILE)
    return dict(manifest)


def _check_sqlite(path: Path) -> None:
    conn = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
    try:
        result = conn.execute("PRAGMA integrity_check").fetchone()
    except sqlite3.DatabaseError as exc:
        raise BackupProblem(f"The backup's database is damaged ({exc}).") from exc
    finally:
        conn.close()
    if not result or result[0] != "ok":
        raise BackupProblem(f"The backup's database is damaged ({result}).")


def _check_pgdump(path: Path) -> None:
    done = subprocess.run([pg_program("pg_restore"), "--list", str(path)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupProblem(f"The backup's database dump is damaged: {done.stderr.strip()}")


# restoring one -----------------------------------------------------------------------------


def restore(source: Path, settings: Settings) -> dict[str, Any]:
    """Restore a verified backup into an empty database and data folder."""
    manifest = verify(source)
    wanted = "sqlite" if is_sqlite(settings.database_url) else "postgresql"
    if manifest["database"] != wanted:
        raise BackupProblem(
            f"This is a backup of a {manifest['database']} database; restore it into a "
            f"{manifest['database']} database (--database), not a {wanted} one.")
    _require_empty(settings)
    with _owner_only():
        settings.ensure_dirs()
        if wanted == "sqlite":
            _restore_sqlite(source, settings)
        else:
            _restore_postgres(source, settings)
    engine = make_engine(settings.database_url)
    try:
        upgrade(engine)
    finally:
        engine.dispose()
    return manifest


def _require_empty(settings: Settings) -> None:
    if settings.blob_dir.exists() and any(settings.blob_dir.iterdir()):
        raise BackupProblem(f"{settings.blob_dir} already holds attachments; restore only into "
                            "an empty data folder.")
    if is_sqlite(settings.database_url) and not _sqlite_path(settings).exists():
        return
    engine = make_engine(settings.database_url)
    try:
        tables = inspect(engine).get_table_names()
    finally:
        engine.dispose()
    if tables:
        raise BackupProblem("The database to restore into is not empty. Restore only into a new, "
                            "empty database, so nothing there is overwritten.")


def _restore_sqlite(source: Path, settings: Settings) -> None:
    target = _sqlite_path(settings)
    partial = target.with_name(target.name + ".restoring")
    shutil.copyfile(source / SQLITE_FILE, partial)
    os.replace(partial, target)
    settings.blob_dir.mkdir(parents=True, exist_ok=True)
    for blob in sorted((source / "blobs").iterdir()):
        shutil.copyfile(blob, settings.blob_dir / blob.name)


def _restore_postgres(source: Path, settings: Settings) -> None:
    url, env = _pg_target(settings.database_url)
    done = subprocess.run(
        [pg_program("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error",
         "--single-transaction", f"--dbname={url}", str(source / PG_FILE)],
        env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupProblem(f"pg_restore failed; nothing was restored: {done.stderr.strip()}")

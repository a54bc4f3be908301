"""The outbox: user commands kept in the cache until the server has answered them.

A command is written together with its optimistic effect in one transaction, so the cache
never shows a change the outbox does not hold. Pulled pages overwrite rows with the
server's values; `replay` then applies the pending commands touching them again, and
`rollback` undoes a refused one by resetting its rows and replaying the others.
Commands made offline refer to things that do not exist on the server yet by local ids
("local-<hex>"); `rewrite_local_id` swaps in the server's id once it is known.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

# sync.commands uses this module too (to rewrite local ids): each refers to the other only as a
# module, at call time, so either may be imported first.
from sync import commands
from sync.cache import optimistic
from sync.cache.connection import Connection

Json = dict[str, Any]
LOCAL_ID = re.compile(r"^(folder:)?local-[0-9a-f]{32}$")


def new_local_id(prefix: str = "") -> str:
    return f"{prefix}local-{uuid.uuid4().hex}"


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class Command:
    id: int
    kind: str
    payload: Json
    idempotency_key: str
    summary: str
    attempts: int
    last_error: str | None


def _command(row: Any) -> Command:
    return Command(id=row[0], kind=row[1], payload=json.loads(row[2]), idempotency_key=row[3],
                   summary=row[4], attempts=row[5], last_error=row[6])


_SELECT = ("SELECT id, kind, payload, idempotency_key, summary, attempts, last_error "
           "FROM outbox")


def resolve(conn: Connection, value: Any) -> Any:
    """`value` with every local id the server has since given a real id replaced by it."""
    local = local_ids_in(value)
    if not local:
        return value
    found: dict[str, str] = dict(conn.exec_driver_sql(
        f"SELECT local_id, server_id FROM id_map WHERE local_id IN ({','.join('?' * len(local))})",
        tuple(local)).all())
    if not found:
        return value
    text = json.dumps(value)
    for old, new in found.items():
        text = text.replace(json.dumps(old), json.dumps(new))
    return json.loads(text)


def enqueue(conn: Connection, kind: str, payload: Json, summary: str) -> Command:
    """Stores a command and applies its effect to the cache, in the caller's transaction.

    Local ids the caller still holds for things already on the server are resolved first.
    """
    command_type = commands.by_kind(kind)
    payload = resolve(conn, payload)
    key = str(uuid.uuid4())
    text = json.dumps(payload, separators=(",", ":"), ensure_ascii=False)
    result = conn.exec_driver_sql(
        "INSERT INTO outbox (kind, payload, idempotency_key, summary, created_at, attempts) "
        "VALUES (?, ?, ?, ?, ?, 0)",
        (kind, text, key, summary, utc_now()),
    )
    command_type.effect(conn, payload)
    return Command(int(result.lastrowid), kind, payload, key, summary, 0, None)


def pending(conn: Connection) -> list[Command]:
    return [_command(row) for row in conn.exec_driver_sql(_SELECT + " ORDER BY id").all()]


def head(conn: Connection) -> Command | None:
    row = conn.exec_driver_sql(_SELECT + " ORDER BY id LIMIT 1").first()
    return None if row is None else _command(row)


def count(conn: Connection) -> int:
    return int(conn.exec_driver_sql("SELECT count(*) FROM outbox").scalar_one())


def remove(conn: Connection, command_id: int) -> None:
    conn.exec_driver_sql("DELETE FROM outbox WHERE id = ?", (command_id,))


def note_attempt(conn: Connection, command_id: int, error: str) -> None:
    conn.exec_driver_sql(
        "UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE id = ?",
        (error, command_id),
    )


def items(conn: Connection) -> list[Json]:
    return [
        {"id": c.id, "kind": c.kind, "summary": c.summary, "attempts": c.attempts,
         "last_error": c.last_error}
        for c in pending(conn)
    ]


def replay(conn: Connection, keys: set[str] | None) -> set[str]:
    """Applies again every pending command touching `keys` (all of them for None).

    Returns the keys those commands touch, so the caller can say what changed.
    """
    touched: set[str] = set()
    if keys is not None and not keys:
        return touched
    for command in pending(conn):
        command_type = commands.by_kind(command.kind)
        targets = command_type.targets(command.payload)
        if keys is None or optimistic.touches(targets, keys):
            command_type.effect(conn, command.payload)
            touched |= targets
    touched.discard(optimistic.ALL_THREADS)
    return touched


def rollback(conn: Connection, command: Command) -> set[str]:
    """Drops a refused command and undoes its effect; returns the keys that changed."""
    remove(conn, command.id)
    changed = optimistic.reset(conn, commands.by_kind(command.kind).targets(command.payload))
    return changed | replay(conn, changed)


def local_ids_in(value: Any) -> set[str]:
    """Local ids a payload still refers to (each must be resolved before sending)."""
    found: set[str] = set()
    if isinstance(value, str):
        if LOCAL_ID.match(value):
            found.add(value)
    elif isinstance(value, dict):
        for item in value.values():
            found |= local_ids_in(item)
    elif isinstance(value, list):
        for item in value:
            found |= local_ids_in(item)
    return found


def rewrite_local_id(conn: Connection, local_id: str, real_id: str) -> set[str]:
    """Points pending commands and cached rows at the server's id; returns changed keys."""
    old, new = json.dumps(local_id), json.dumps(real_id)
    conn.exec_driver_sql(
        "INSERT INTO id_map (local_id, server_id) VALUES (?, ?) "
        "ON CONFLICT(local_id) DO UPDATE SET server_id = excluded.server_id", (local_id, real_id))
    rows = conn.exec_driver_sql(
        "SELECT id FROM outbox WHERE instr(payload, ?) > 0", (old,)).all()
    conn.exec_driver_sql(
        "UPDATE outbox SET payload = replace(payload, ?, ?) WHERE instr(payload, ?) > 0",
        (old, new, old),
    )
    conn.exec_driver_sql("UPDATE drafts SET thread_id = ? WHERE thread_id = ?",
                         (real_id, local_id))
    conn.exec_driver_sql(
        "UPDATE drafts SET attachment_ids = replace(attachment_ids, ?, ?) "
        "WHERE instr(attachment_ids, ?) > 0", (old, new, old))
    conn.exec_driver_sql(
        "UPDATE drafts SET attachments = replace(attachments, ?, ?) "
        "WHERE instr(attachments, ?) > 0", (old, new, old))
    conn.exec_driver_sql("UPDATE threads SET folder = ? WHERE folder = ?", (real_id, local_id))
    # Local rows made by commands that referred to the local id are made again from the
    # rewritten commands.
    conn.exec_driver_sql("DELETE FROM messages WHERE local = 1 AND (thread_id = ? OR id = ?)",
                         (local_id, local_id))
    conn.exec_driver_sql("DELETE FROM threads WHERE local = 1 AND id = ?", (local_id,))
    conn.exec_driver_sql("DELETE FROM folders WHERE srv_name IS NULL AND id = ?", (local_id,))
    changed: set[str] = set()
    ids = {r[0] for r in rows}
    for command in pending(conn):
        if command.id in ids:
            command_type = commands.by_kind(command.kind)
            command_type.effect(conn, command.payload)
            changed |= command_type.targets(command.payload)
    changed.discard(optimistic.ALL_THREADS)
    return changed

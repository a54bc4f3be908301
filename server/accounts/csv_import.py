"""Importing clients from CSV, all or nothing: every bad line is named, or every row is made.

Columns `name,email,username,status,assigned_therapist,has_portal_account` (a header row;
only `name` and `email` are required; `assigned_therapist` is a therapist's username). The
file is checked in a read-only session, then written in one transaction with bulk inserts.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Insert, Table, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from server import audit, rules
from server.accounts import fields
from server.context import AppContext
from server.db.models import AuditEvent, Base, ClientTherapist, FeedEntry, Person
from server.db.types import new_id, utcnow
from server.errors import ApiError
from server.feed import record
from server.feed.record import touch
from server.storable_text import UNSTORABLE, is_storable

COLUMNS = ("name", "email", "username", "status", "assigned_therapist", "has_portal_account")
REQUIRED = ("name", "email")
MAX_ROWS = 50_000
YES = ("1", "true", "yes", "y")
NO = ("0", "false", "no", "n")


@dataclass
class Checked:
    rows: list[dict[str, Any]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)

    def bad(self, line: int, column: str | None, detail: str) -> None:
        self.errors.append({"line": line, "column": column, "detail": detail})


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _invalid([{"line": 1, "column": None,
                         "detail": "The file is not UTF-8 text: save it as CSV UTF-8."}]) from None


def _invalid(errors: list[dict[str, Any]]) -> ApiError:
    lines = len({e["line"] for e in errors})
    return ApiError(
        422,
        "import_invalid",
        f"Nothing was imported: {lines} line(s) of the file need correcting.",
        extra={"errors": errors},
    )


def _header(reader: Any, checked: Checked) -> list[str]:
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        checked.bad(1, None, "The file is empty: it needs a header row such as name,email.")
        return []
    for name in header:
        if name not in COLUMNS:
            checked.bad(1, name or None, f"Unknown column {name!r}: the columns are "
                        + ", ".join(COLUMNS) + ".")
    for name in REQUIRED:
        if name not in header:
            checked.bad(1, name, f"The header has no {name!r} column.")
    if len(set(header)) != len(header):
        checked.bad(1, None, "A column is named twice in the header.")
    return header


def check_csv(
    data: bytes, taken: set[str], therapists: dict[str, str], practice_id: str
) -> Checked:
    """Every row as a new client, or the errors; `taken` holds the usernames in use."""
    checked = Checked()
    reader = csv.reader(io.StringIO(_decode(data), newline=""))
    header = _header(reader, checked)
    if checked.errors:
        return checked
    pending: list[tuple[int, dict[str, str]]] = []
    given: set[str] = set()
    while True:
        line = reader.line_num + 1
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            checked.bad(line, None, f"This line cannot be read as CSV ({exc}).")
            break
        if not any(v.strip() for v in values):
            continue
        if len(pending) >= MAX_ROWS:
            checked.bad(line, None, f"A file may hold at most {MAX_ROWS} clients.")
            break
        if len(values) != len(header):
            checked.bad(line, None, f"This line has {len(values)} fields; the header has "
                        f"{len(header)}.")
            continue
        row = {name: value.strip() for name, value in zip(header, values, strict=True)}
        unstorable = [name for name, value in row.items() if not is_storable(value)]
        for name in unstorable:
            checked.bad(line, name, f"This value {UNSTORABLE}.")
        if unstorable:
            continue
        _check_row(line, row, taken, given, therapists, checked)
        pending.append((line, row))
    if checked.errors:
        return checked
    in_use = taken | given
    for _line, row in pending:
        username = row.get("username", "").lower() or fields.username_from(
            row["email"], row["name"], in_use
        )
        portal = row.get("has_portal_account", "").lower()
        therapist = row.get("assigned_therapist", "").lower()
        checked.rows.append({
            "id": new_id(),
            "practice_id": practice_id,
            "username": username,
            "name": row["name"],
            "kind": "client",
            "role": None,
            "status": row.get("status", "").lower() or "active",
            "has_portal_account": portal not in NO,
            "email": row["email"],
            "therapist_id": therapists[therapist] if therapist else None,
        })
    return checked


def _check_row(
    line: int,
    row: dict[str, str],
    taken: set[str],
    given: set[str],
    therapists: dict[str, str],
    checked: Checked,
) -> None:
    for column, problem in (
        ("name", fields.name_problem(row["name"])),
        ("email", fields.email_problem(row["email"])),
    ):
        if problem:
            checked.bad(line, column, problem)
    username = row.get("username", "").lower()
    if username:
        problem = fields.username_problem(username)
        if problem:
            checked.bad(line, "username", problem)
        elif username in taken:
            checked.bad(line, "username", f"The username {username!r} is taken already.")
        elif username in given:
            checked.bad(line, "username", f"The username {username!r} is on an earlier line.")
        given.add(username)
    status = row.get("status", "").lower()
    if status and fields.status_problem(status):
        checked.bad(line, "status", "The status is active or inactive.")
    therapist = row.get("assigned_therapist", "").lower()
    if therapist and therapist not in therapists:
        checked.bad(line, "assigned_therapist",
                    f"No therapist of this practice has the username {therapist!r}.")
    portal = row.get("has_portal_account", "").lower()
    if portal and portal not in YES + NO:
        checked.bad(line, "has_portal_account", "Write yes or no (or true/false, 1/0).")


def _context(db: Session, practice_id: str) -> tuple[set[str], dict[str, str]]:
    taken = set(db.scalars(select(Person.username)).all())
    therapists = dict(
        db.execute(
            select(Person.username, Person.id).where(
                Person.practice_id == practice_id,
                Person.kind == "staff",
                Person.role == "therapist",
            )
        ).all()
    )
    return taken, therapists


def _insert(model: type[Base]) -> Insert:
    """A Core INSERT of the model's table."""
    table = model.__table__
    assert isinstance(table, Table)
    return insert(table)


def _write(
    db: Session, practice_id: str, actor_id: str | None, rows: list[dict[str, Any]],
    address: str | None,
) -> None:
    now = utcnow()
    people = [{k: v for k, v in r.items() if k != "therapist_id"} | {
        "created_at": now, "disabled": False} for r in rows]
    conn = db.connection()  # Core inserts: no ORM bookkeeping for 10,000 rows
    for start in range(0, len(people), 1000):
        conn.execute(_insert(Person), people[start : start + 1000])
    links = [{"client_id": r["id"], "therapist_id": r["therapist_id"]}
             for r in rows if r["therapist_id"]]
    if links:
        conn.execute(_insert(ClientTherapist), links)
    events = [{"practice_id": practice_id, "at": now, "actor_id": actor_id,
               "action": "person_create", "target_type": "person", "target_id": r["id"],
               "ip": address} for r in rows]
    for start in range(0, len(events), 1000):
        conn.execute(_insert(AuditEvent), events[start : start + 1000])
    audit.record(db, practice_id, actor_id, "import", "practice", practice_id, address)
    _announce(db, practice_id, rows)


def _announce(db: Session, practice_id: str, rows: list[dict[str, Any]]) -> None:
    """New clients enter every staff feed; each client's feed gets itself and the staff it
    may write to.

    The feed rows are all new keys, so they are inserted in bulk with sequence numbers taken
    in this transaction (as `server.feed.record` does); touching the first client again then
    wakes the staff's long polls through the usual path.
    """
    staff = db.execute(
        select(Person.id, Person.role).where(
            Person.practice_id == practice_id, Person.kind == "staff"
        )
    ).all()
    staff_ids = [s.id for s in staff]
    writable = [s.id for s in staff if s.role in rules.CLIENT_WRITABLE_ROLES]
    keys: list[tuple[str, str]] = []
    for row in rows:
        keys += [(staff_id, row["id"]) for staff_id in staff_ids]
        keys.append((row["id"], row["id"]))
        therapist = [row["therapist_id"]] if row["therapist_id"] else []
        keys += [(row["id"], staff_id) for staff_id in dict.fromkeys(writable + therapist)]
    conn = db.connection()  # Core inserts: no ORM bookkeeping for 100,000 rows
    last = record.allocate(db, len(keys))
    first, now = last - len(keys) + 1, utcnow()
    entries = [{"person_id": viewer, "kind": "person", "object_id": object_id,
                "seq": first + i, "deleted": False, "changed_at": now}
               for i, (viewer, object_id) in enumerate(keys)]
    for start in range(0, len(entries), 5000):
        conn.execute(_insert(FeedEntry), entries[start : start + 5000])
    touch(db, staff_ids, "person", rows[0]["id"])


def import_clients(
    ctx: AppContext,
    practice_id: str,
    actor_id: str | None,
    data: bytes,
    dry_run: bool,
    address: str | None,
) -> int:
    """Check the file and, unless `dry_run`, create its clients; returns how many.

    `actor_id` is None when the command line imports. Raises 422 `import_invalid`.
    """
    with ctx.read_sessions() as db:
        taken, therapists = _context(db, practice_id)
        db.rollback()
    checked = check_csv(data, taken, therapists, practice_id)
    if checked.errors:
        raise _invalid(checked.errors)
    if dry_run or not checked.rows:
        return len(checked.rows)
    with ctx.sessions() as db:
        try:
            _write(db, practice_id, actor_id, checked.rows, address)
            db.commit()
        except IntegrityError:
            db.rollback()
            raise ApiError(409, "username_taken", "A username of the file was taken while it "
                           "was being imported; nothing was imported. Try again.") from None
    return len(checked.rows)


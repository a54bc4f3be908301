"""Creating, changing and listing the people of a practice (the admin API's service layer).

Callers decide who may do it (server.rules.may_manage_person); these functions check the
values, keep a practice's last administrator, end sessions where needed, announce changes
in the feeds and audit. None of them commits.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, false, func, or_, select
from sqlalchemy.orm import Session

from server import audit, directory, rules
from server.accounts import fields
from server.accounts.sessions import end_sessions
from server.db.models import ClientTherapist, Person, ThreadParticipant
from server.db.types import rfc3339
from server.errors import ApiError, invalid
from server.feed.record import touch
from server.messaging import access
from server.seed import announce_person
from server.serialize import person_json

Json = dict[str, Any]
EDITABLE = ("username", "name", "email", "role", "status", "assigned_therapist_ids",
            "has_portal_account", "disabled")


def admin_people_json(db: Session, people: Sequence[Person]) -> list[Json]:
    """AdminPerson objects, with every assigned therapist loaded in one query."""
    therapists: dict[str, list[str]] = defaultdict(list)
    client_ids = [p.id for p in people if p.kind == "client"]
    for start in range(0, len(client_ids), 500):
        rows = db.execute(
            select(ClientTherapist.client_id, ClientTherapist.therapist_id).where(
                ClientTherapist.client_id.in_(client_ids[start : start + 500])
            )
        ).all()
        for client_id, therapist_id in rows:
            therapists[client_id].append(therapist_id)
    return [
        {
            **person_json(p),
            "email": p.email,
            "disabled": bool(p.disabled),
            "assigned_therapist_ids": sorted(therapists.get(p.id, [])),
            "mfa_enabled": bool(p.totp_secret),
            "password_set": p.password_hash is not None,
            "invite_sent_at": rfc3339(p.invite_sent_at),
            "last_login_at": rfc3339(p.last_login_at),
            "created_at": rfc3339(p.created_at),
        }
        for p in people
    ]


def admin_person_json(db: Session, person: Person) -> Json:
    return admin_people_json(db, [person])[0]


def _like(q: str) -> str:
    escaped = q.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def list_people(
    db: Session,
    practice_id: str,
    kinds: Sequence[str],
    q: str | None,
    include_disabled: bool,
    limit: int,
    after: str | None,
) -> tuple[list[Person], str | None]:
    """A page ordered by name (case-insensitively, then id); `after` is the last id seen."""
    sort_name = func.lower(Person.name)
    stmt = select(Person).where(Person.practice_id == practice_id, Person.kind.in_(kinds))
    if not include_disabled:
        stmt = stmt.where(Person.disabled == false())
    if q and q.strip():
        pattern = _like(q.strip())
        # SQLite's LIKE ignores case already; PostgreSQL needs ILIKE. No lower() per row.
        sqlite = db.get_bind().dialect.name == "sqlite"
        columns = (Person.name, Person.username, Person.email)
        stmt = stmt.where(
            or_(*(c.like(pattern, escape="\\") if sqlite else c.ilike(pattern, escape="\\")
                  for c in columns))
        )
    if after:
        # The database's own lower(): SQLite's folds only ASCII, unlike Python's.
        last_name = db.scalar(
            select(sort_name).where(Person.id == after, Person.practice_id == practice_id)
        )
        if last_name is None:
            raise invalid("validation_error", "The `after` cursor is not one this list gave.")
        # Spelled out rather than a row value, so that SQLite ranges over the index.
        stmt = stmt.where(sort_name >= last_name, or_(sort_name > last_name, Person.id > after))
    rows = list(db.scalars(stmt.order_by(sort_name, Person.id).limit(limit + 1)).all())
    page = rows[:limit]
    return page, (page[-1].id if len(rows) > limit else None)


def _check_username_free(db: Session, username: str, person_id: str | None = None) -> None:
    owner = db.scalar(select(Person.id).where(Person.username == username))
    if owner is not None and owner != person_id:
        raise ApiError(409, "username_taken", f"The username {username!r} is taken already.")


def _check(problem: str | None) -> None:
    if problem is not None:
        raise invalid("validation_error", problem)


def _therapists(db: Session, practice_id: str, ids: Sequence[str]) -> list[str]:
    wanted = sorted(set(ids))
    found = set(
        db.scalars(
            select(Person.id).where(
                Person.id.in_(wanted),
                Person.practice_id == practice_id,
                Person.kind == "staff",
                Person.role == "therapist",
            )
        ).all()
    )
    if set(wanted) - found:
        raise invalid(
            "validation_error", "Each assigned therapist must be a therapist of this practice."
        )
    return wanted


def enabled_admins(db: Session, practice_id: str, besides: str) -> int:
    return int(
        db.scalar(
            select(func.count()).where(
                Person.practice_id == practice_id,
                Person.kind == "staff",
                Person.role == "admin",
                Person.disabled == false(),
                Person.id != besides,
            )
        )
        or 0
    )


def create_person(db: Session, actor: Person, data: Json, address: str | None) -> Person:
    kind = data["kind"]
    username = str(data["username"]).strip().lower()
    _check(fields.username_problem(username))
    _check(fields.name_problem(data["name"]))
    _check(fields.email_problem(data["email"]))
    role, status = data.get("role"), data.get("status")
    if kind == "staff":
        _check(fields.role_problem(role))
        status = None
        if data.get("assigned_therapist_ids") or data.get("has_portal_account") is False:
            raise invalid("validation_error", "Staff have no assigned therapists and always "
                          "have an account.")
    else:
        if role is not None:
            raise invalid("validation_error", "Clients have no role.")
        status = status or "active"
        _check(fields.status_problem(status))
    _check_username_free(db, username)
    person = Person(
        practice_id=actor.practice_id,
        username=username,
        name=data["name"].strip(),
        kind=kind,
        role=role if kind == "staff" else None,
        status=status,
        has_portal_account=kind == "staff" or data.get("has_portal_account", True) is not False,
        email=data["email"].strip(),
        disabled=False,
    )
    db.add(person)
    db.flush()
    assigned = data.get("assigned_therapist_ids") or []
    for therapist_id in _therapists(db, actor.practice_id, assigned):
        db.add(ClientTherapist(client_id=person.id, therapist_id=therapist_id))
    db.flush()
    announce_person(db, person)
    audit.record(db, actor.practice_id, actor.id, "person_create", "person", person.id, address)
    return person


def _resend_threads(db: Session, person_id: str) -> None:
    """A client's status changes the capability flags of each thread it is in."""
    thread_ids = db.scalars(
        select(ThreadParticipant.thread_id).where(ThreadParticipant.person_id == person_id)
    ).all()
    for thread_id in thread_ids:
        touch(db, [p.id for p in access.participants(db, thread_id)], "thread", thread_id)


def update_person(
    db: Session, actor: Person, person: Person, changes: Json, address: str | None
) -> Person:
    """Apply a PATCH; raises the 4xx a person should see. Ends sessions when access goes."""
    empty = sorted(k for k, v in changes.items() if v is None and k != "assigned_therapist_ids")
    if empty:
        raise invalid("validation_error", f"{empty[0]} cannot be null: leave it out instead.")
    if "username" in changes:
        username = str(changes["username"]).strip().lower()
        _check(fields.username_problem(username))
        _check_username_free(db, username, person.id)
        person.username = username
    if "name" in changes:
        _check(fields.name_problem(changes["name"]))
        person.name = changes["name"].strip()
    if "email" in changes:
        _check(fields.email_problem(changes["email"]))
        person.email = changes["email"].strip()
    was_admin = person.role == "admin" and not person.disabled
    if "role" in changes:
        if person.kind != "staff":
            raise invalid("validation_error", "Clients have no role.")
        _check(fields.role_problem(changes["role"]))
        person.role = changes["role"]
    status_changed = False
    if "status" in changes:
        if person.kind != "client":
            raise invalid("validation_error", "Only clients have a status.")
        _check(fields.status_problem(changes["status"]))
        status_changed = person.status != changes["status"]
        person.status = changes["status"]
    lose_access = False
    if "has_portal_account" in changes:
        if person.kind != "client" and changes["has_portal_account"] is False:
            raise invalid("validation_error", "Staff always have an account.")
        lose_access = person.has_portal_account and not changes["has_portal_account"]
        person.has_portal_account = bool(changes["has_portal_account"]) or person.kind == "staff"
    disabling = bool(changes.get("disabled")) and not person.disabled
    if "disabled" in changes:
        person.disabled = bool(changes["disabled"])
    if was_admin and not (person.role == "admin" and not person.disabled):
        decision = rules.may_change_admin_set(enabled_admins(db, person.practice_id, person.id))
        if not decision:
            raise ApiError(409, decision.code or "last_admin", decision.reason or "")
    if "assigned_therapist_ids" in changes:
        if person.kind != "client":
            raise invalid("validation_error", "Only clients have assigned therapists.")
        wanted = _therapists(db, person.practice_id, changes["assigned_therapist_ids"] or [])
        db.execute(delete(ClientTherapist).where(ClientTherapist.client_id == person.id))
        for therapist_id in wanted:
            db.add(ClientTherapist(client_id=person.id, therapist_id=therapist_id))
            touch(db, [person.id], "person", therapist_id)
    db.flush()
    if disabling or lose_access:
        end_sessions(db, person)
    touch(db, directory.viewers_of_person(db, person), "person", person.id)
    if status_changed:
        _resend_threads(db, person.id)
    action = "person_disable" if disabling else "person_update"
    audit.record(db, actor.practice_id, actor.id, action, "person", person.id, address)
    return person

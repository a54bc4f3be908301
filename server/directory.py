"""Who a person can see in the directory, and the address groups."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from server import rules
from server.db.models import ClientTherapist, Person

GROUPS = {
    "front_office": ("All front office", "front_office"),
    "therapists": ("All therapists", "therapist"),
    "external_agents": ("External agents", "external_agent"),
}


def therapist_ids(db: Session, client_id: str) -> set[str]:
    return set(
        db.scalars(
            select(ClientTherapist.therapist_id).where(ClientTherapist.client_id == client_id)
        ).all()
    )


def visible_people(db: Session, viewer: Person) -> list[Person]:
    query = select(Person).where(Person.practice_id == viewer.practice_id)
    if viewer.kind == "client":
        query = query.where(
            or_(
                Person.id == viewer.id,
                Person.role.in_(rules.CLIENT_WRITABLE_ROLES) & (Person.kind == "staff"),
                Person.id.in_(
                    select(ClientTherapist.therapist_id).where(
                        ClientTherapist.client_id == viewer.id
                    )
                ),
            )
        )
    return list(db.scalars(query.order_by(Person.kind.desc(), Person.name)).all())


def client_directory_ids(db: Session, client: Person) -> set[str]:
    return {p.id for p in visible_people(db, client) if p.kind == "staff"}


def groups(db: Session, viewer: Person) -> list[dict[str, object]]:
    if viewer.kind != "staff":
        return []
    staff = db.scalars(
        select(Person).where(Person.practice_id == viewer.practice_id, Person.kind == "staff")
    ).all()
    return [
        {"id": gid, "name": name, "member_ids": sorted(p.id for p in staff if p.role == role)}
        for gid, (name, role) in GROUPS.items()
    ]


def group_members(db: Session, practice_id: str, group_id: str) -> list[Person] | None:
    if group_id not in GROUPS:
        return None
    role = GROUPS[group_id][1]
    return list(
        db.scalars(
            select(Person).where(
                Person.practice_id == practice_id, Person.kind == "staff", Person.role == role
            )
        ).all()
    )


def viewers_of_person(db: Session, person: Person) -> list[str]:
    """Everyone whose directory (and so whose feed) shows `person`."""
    staff_ids = db.scalars(
        select(Person.id).where(Person.practice_id == person.practice_id, Person.kind == "staff")
    ).all()
    ids = set(staff_ids)
    if person.kind == "client":
        ids.add(person.id)
    elif person.role in rules.CLIENT_WRITABLE_ROLES:
        ids.update(
            db.scalars(
                select(Person.id).where(
                    Person.practice_id == person.practice_id, Person.kind == "client"
                )
            ).all()
        )
    else:
        ids.update(
            db.scalars(
                select(ClientTherapist.client_id).where(ClientTherapist.therapist_id == person.id)
            ).all()
        )
    return sorted(ids)

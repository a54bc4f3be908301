"""The demo practices of API.md ("Lakeside Counseling" and "Harbor Therapy"), seeded repeatably."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from server import directory
from server.auth.passwords import hash_password
from server.db.models import ClientTherapist, Person, Practice
from server.feed.record import touch

DEMO_PASSWORD = "lakeside-demo-2026"
LAKESIDE = "Lakeside Counseling"
HARBOR = "Harbor Therapy"


@dataclass(frozen=True)
class DemoPerson:
    username: str
    name: str
    kind: str
    role: str | None = None
    status: str | None = None
    portal: bool = True
    therapists: tuple[str, ...] = ()


# Each practice: its portal slug and its people.
PRACTICES: dict[str, tuple[str, list[DemoPerson]]] = {
    LAKESIDE: (
        "lakeside",
        [
            DemoPerson("admin", "Morgan Admin", "staff", "admin"),
            DemoPerson("dr.rivera", "Dr. Sofia Rivera", "staff", "therapist"),
            DemoPerson("dr.chen", "Dr. Wei Chen", "staff", "therapist"),
            DemoPerson("frontdesk", "Jamie Front Desk", "staff", "front_office"),
            DemoPerson("billing", "Pat Billing", "staff", "biller"),
            DemoPerson("agent.kim", "Kim Agent", "staff", "external_agent"),
            DemoPerson("alex", "Alex Morgan", "client", status="active", therapists=("dr.rivera",)),
            DemoPerson(
                "blair", "Blair Thompson", "client", status="active", therapists=("dr.chen",)
            ),
            DemoPerson(
                "casey", "Casey Nguyen", "client", status="inactive", therapists=("dr.rivera",)
            ),
            DemoPerson("dana", "Dana Brooks", "client", status="active", portal=False),
        ],
    ),
    HARBOR: (
        "harbor",
        [
            DemoPerson("harbor.admin", "Riley Harbor", "staff", "admin"),
            DemoPerson("dr.moss", "Dr. Evan Moss", "staff", "therapist"),
            DemoPerson("erin", "Erin Walsh", "client", status="active"),
        ],
    ),
}


def email_for(username: str, practice_name: str) -> str:
    domain = practice_name.lower().split()[0] + ".example"
    return f"{username.replace('.', '_')}@{domain}"


def seed_demo(db: Session) -> list[str]:
    """Create what is missing of the demo practices; returns the usernames created."""
    created: list[Person] = []
    password_hash: str | None = None
    for practice_name, (slug, people) in PRACTICES.items():
        practice = db.scalar(select(Practice).where(Practice.name == practice_name))
        if practice is None:
            practice = Practice(name=practice_name, slug=slug)
            db.add(practice)
            db.flush()
        by_username: dict[str, Person] = {}
        for spec in people:
            person = db.scalar(select(Person).where(Person.username == spec.username))
            if person is None:
                password_hash = password_hash or hash_password(DEMO_PASSWORD)
                person = Person(
                    practice_id=practice.id,
                    username=spec.username,
                    name=spec.name,
                    kind=spec.kind,
                    role=spec.role,
                    status=spec.status,
                    has_portal_account=spec.portal,
                    email=email_for(spec.username, practice_name),
                    password_hash=password_hash,
                )
                db.add(person)
                db.flush()
                created.append(person)
            by_username[spec.username] = person
        for spec in people:
            for therapist in spec.therapists:
                link = (by_username[spec.username].id, by_username[therapist].id)
                if db.get(ClientTherapist, link) is None:
                    db.add(ClientTherapist(client_id=link[0], therapist_id=link[1]))
        db.flush()
    for person in created:
        announce_person(db, person)
    db.commit()
    return [p.username for p in created]


def announce_person(db: Session, person: Person) -> None:
    """Put a new person in the feeds of those who see them, and their directory in theirs."""
    touch(db, directory.viewers_of_person(db, person), "person", person.id)
    for other in directory.visible_people(db, person):
        touch(db, [person.id], "person", other.id)

"""Client status, chart notes and the quick note."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from server import audit, directory, idempotency, rules
from server.api.schemas import ClientStatusIn, QuickNoteIn
from server.db.models import ChartNote, ClientTherapist, Person, ThreadParticipant
from server.db.types import rfc3339, utcnow
from server.deps import WORK, client_address, current_user, get_db
from server.errors import enforce, not_found
from server.feed.record import touch
from server.messaging import access
from server.serialize import person_json, who

router = APIRouter()


def _client(db: Session, user: Person, client_id: str) -> Person:
    client = db.get(Person, client_id)
    if client is None or client.practice_id != user.practice_id or client.kind != "client":
        raise not_found("That client")
    if user.kind == "client" and client.id != user.id:
        raise not_found("That client")  # a client sees no other client; itself it may see
    return client


def note_json(note: ChartNote) -> dict[str, Any]:
    return {
        "id": note.id,
        "client_id": note.client_id,
        "author_id": note.author_id,
        "created_at": rfc3339(note.created_at),
        "body": note.body,
        "thread_id": note.thread_id,
    }


@router.patch("/clients/{client_id}")
def set_status(
    client_id: str,
    body: ClientStatusIn,
    request: Request,
    user: Person = Depends(current_user),
    db: Session = WORK,
) -> dict[str, Any]:
    client = _client(db, user, client_id)
    decision = rules.may_change_client_status(who(user))
    enforce(decision)
    if client.status != body.status:
        client.status = body.status
        touch(db, directory.viewers_of_person(db, client), "person", client.id)
        # The client's capability flags change in every thread it is in: re-send them.
        thread_ids = db.scalars(
            select(ThreadParticipant.thread_id).where(ThreadParticipant.person_id == client.id)
        ).all()
        for thread_id in thread_ids:
            ids = [p.id for p in access.participants(db, thread_id)]
            touch(db, ids, "thread", thread_id)
        audit.record(
            db,
            user.practice_id,
            user.id,
            "client_status",
            "person",
            client.id,
            client_address(request),
        )
    return person_json(client)


@router.get("/clients/{client_id}/notes")
def list_notes(
    client_id: str, user: Person = Depends(current_user), db: Session = Depends(get_db)
) -> dict[str, Any]:
    """Minimum necessary: a note is for the client's therapists, its author and admins."""
    client = _client(db, user, client_id)
    assigned = db.scalars(
        select(ClientTherapist.therapist_id).where(ClientTherapist.client_id == client.id)
    ).all()
    everything = rules.may_read_all_notes(who(user), set(assigned))
    query = select(ChartNote).where(ChartNote.client_id == client.id)
    if not everything:
        query = query.where(ChartNote.author_id == user.id)
    notes = db.scalars(query.order_by(ChartNote.created_at.desc())).all()
    if not notes and not everything:
        raise not_found("That client's notes")
    return {"notes": [note_json(n) for n in notes]}


@router.post("/threads/{thread_id}/quick-note", status_code=201)
def quick_note(
    thread_id: str,
    body: QuickNoteIn,
    request: Request,
    user: Person = Depends(current_user),
    db: Session = WORK,
) -> Response:
    def action() -> tuple[int, dict[str, Any]]:
        thread = access.visible_thread(db, user, thread_id)
        people = access.participants(db, thread.id)
        decision = rules.may_quick_note(who(user), [p.id for p in people], thread.client_count)
        enforce(decision)
        client = next(p for p in people if p.kind == "client")
        note = ChartNote(
            client_id=client.id,
            author_id=user.id,
            created_at=utcnow(),
            body=body.body.strip(),
            thread_id=thread.id,
        )
        db.add(note)
        db.flush()
        audit.record(
            db,
            user.practice_id,
            user.id,
            "quick_note",
            "chart_note",
            note.id,
            client_address(request),
        )
        return 201, {"note": note_json(note)}

    return idempotency.handle(request, db, user, body.model_dump(), action)

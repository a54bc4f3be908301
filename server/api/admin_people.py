"""/admin/people: list, search, create, edit, disable, import, invite, reset two-step sign-in."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from server import audit, rules, unit_of_work
from server.accounts import people
from server.accounts.csv_import import import_clients
from server.accounts.link_email import enqueue_link_email
from server.accounts.links import issue_link
from server.accounts.second_factor import remove_second_factor
from server.api.admin_schemas import NewPersonIn, PersonPatchIn
from server.context import AppContext
from server.db.models import Person, Practice
from server.deps import WORK, authenticate_request, client_address, current_user, get_ctx, get_db
from server.errors import ApiError, enforce, not_found
from server.serialize import who

router = APIRouter(prefix="/admin")

MAX_IMPORT_BYTES = 8 * 1024 * 1024


def _target(db: Session, user: Person, person_id: str) -> Person:
    person = db.get(Person, person_id)
    if person is None or person.practice_id != user.practice_id:
        raise not_found("That person")
    return person


def _taken(exc: IntegrityError) -> ApiError:
    return ApiError(409, "username_taken", "That username is taken already.")


@router.get("/people")
def list_people(
    kind: str | None = Query(None, pattern="^(staff|client)$"),
    q: str | None = Query(None, max_length=200),
    include_disabled: bool = Query(False),
    limit: int = Query(100, ge=1, le=500),
    after: str | None = Query(None, max_length=64),
    user: Person = Depends(current_user),
    db: Session = Depends(get_db),
) -> dict[str, Any]:
    actor = who(user)
    wanted = [kind] if kind else ["staff", "client"]
    allowed = [k for k in wanted if rules.may_manage_person(actor, k, "list")]
    if not allowed:
        enforce(rules.may_manage_person(actor, wanted[0], "list"))
    page, next_id = people.list_people(
        db, user.practice_id, allowed, q, include_disabled, limit, after
    )
    return {"people": people.admin_people_json(db, page), "next": next_id}


@router.post("/people", status_code=201)
def create_person(
    body: NewPersonIn,
    request: Request,
    user: Person = Depends(current_user),
    db: Session = WORK,
) -> dict[str, Any]:
    enforce(rules.may_manage_person(who(user), body.kind, "create"))
    try:
        person = people.create_person(db, user, body.model_dump(), client_address(request))
        db.flush()  # a username or email taken meanwhile is refused here, with its sentence
    except IntegrityError as exc:
        db.rollback()
        raise _taken(exc) from None
    return people.admin_person_json(db, person)


@router.patch("/people/{person_id}")
def update_person(
    person_id: str,
    body: PersonPatchIn,
    request: Request,
    user: Person = Depends(current_user),
    db: Session = WORK,
) -> dict[str, Any]:
    person = _target(db, user, person_id)
    actor = who(user)
    enforce(rules.may_manage_person(actor, person.kind, "edit"))
    changes = body.model_dump(exclude_unset=True)
    if "disabled" in changes:
        enforce(rules.may_manage_person(actor, person.kind, "disable"))
    try:
        people.update_person(db, user, person, changes, client_address(request))
        db.flush()  # a username or email taken meanwhile is refused here, with its sentence
    except IntegrityError as exc:
        db.rollback()
        raise _taken(exc) from None
    return people.admin_person_json(db, person)


@router.post("/people/{person_id}/invite", status_code=202)
def invite(
    person_id: str,
    request: Request,
    user: Person = Depends(current_user),
    db: Session = WORK,
    ctx: AppContext = Depends(get_ctx),
) -> dict[str, Any]:
    person = _target(db, user, person_id)
    enforce(rules.may_manage_person(who(user), person.kind, "invite"))
    if person.disabled or (person.kind == "client" and not person.has_portal_account):
        raise ApiError(422, "validation_error",
                       "This person cannot sign in (disabled, or no portal access): "
                       "change that before inviting them.")
    if not person.email:
        raise ApiError(422, "validation_error", "Add an email address before inviting them.")
    url = issue_link(db, ctx.settings, person, "invite")
    practice = db.get(Practice, person.practice_id)
    assert practice is not None
    enqueue_link_email(db, practice, person, url, "invite")
    audit.record(db, user.practice_id, user.id, "invite", "person", person.id,
                 client_address(request))
    unit_of_work.after_commit(db, ctx.kick_email)
    return people.admin_person_json(db, person)


@router.post("/people/{person_id}/reset-mfa", status_code=204)
def reset_mfa(
    person_id: str,
    request: Request,
    user: Person = Depends(current_user),
    db: Session = WORK,
) -> Response:
    person = _target(db, user, person_id)
    enforce(rules.may_manage_person(who(user), person.kind, "reset_mfa"))
    remove_second_factor(db, person)
    audit.record(db, user.practice_id, user.id, "mfa_reset", "person", person.id,
                 client_address(request))
    return Response(status_code=204)


@router.post("/people/import", status_code=201)
async def import_people(
    request: Request,
    dry_run: bool = Query(False),
    ctx: AppContext = Depends(get_ctx),
) -> JSONResponse:
    user = await run_in_threadpool(authenticate_request, ctx, request)
    enforce(rules.may_manage_person(who(user), "client", "import"))
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type not in ("text/csv", "text/plain", "application/csv"):
        raise ApiError(415, "unsupported_media_type", "Send the clients as a text/csv body.")
    data = bytearray()
    async for chunk in request.stream():
        data += chunk
        if len(data) > MAX_IMPORT_BYTES:
            raise ApiError(413, "request_too_large",
                           "The file is larger than 8 MB: split it into several imports.")
    created = await run_in_threadpool(
        import_clients, ctx, user.practice_id, user.id, bytes(data), dry_run,
        client_address(request),
    )
    if dry_run:
        return JSONResponse({"created": 0, "would_create": created, "dry_run": True})
    return JSONResponse({"created": created, "dry_run": False}, status_code=201)

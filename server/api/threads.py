"""Threads and messages: send, list, read, file, delete."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Depends, Query, Request, Response
from sqlalchemy.orm import Session

from server import idempotency, unit_of_work
from server.api.schemas import BulkStateIn, NewMessageIn, NewThreadIn, StateIn
from server.context import AppContext
from server.db.models import Person
from server.deps import WORK, client_address, current_user, get_ctx, get_db, get_write_db
from server.errors import not_found
from server.messaging import access, compose, deletion, reading, states, validate
from server.serialize import messages_json, state_json, threads_json

router = APIRouter()


def _send_once(
    request: Request,
    db: Session,
    user: Person,
    ctx: AppContext,
    body: NewThreadIn | NewMessageIn,
    deliver: Callable[[], compose.SendResult],
) -> Response:
    """Run a send once per Idempotency-Key, answer with the thread and message, wake email."""

    def action() -> tuple[int, dict[str, Any]]:
        result = deliver()
        db.flush()
        thread = threads_json(db, user, [result.thread.id])[result.thread.id]
        message = messages_json(db, user, [result.message.id])[result.message.id]
        return 201, {"thread": thread, "message": message}

    response = idempotency.handle(request, db, user, body.model_dump(), action, required=True)
    unit_of_work.after_commit(db, ctx.kick_email)
    return response


@router.post("/threads", status_code=201)
def new_thread(
    body: NewThreadIn,
    request: Request,
    user: Person = Depends(current_user),
    db: Session = WORK,
    ctx: AppContext = Depends(get_ctx),
) -> Response:
    clean = validate.clean_body(body.body_html, ctx.settings)  # before the transaction opens

    def deliver() -> compose.SendResult:
        return compose.create_thread(
            db,
            ctx.settings,
            user,
            body.to,
            body.subject,
            clean,
            body.attachment_ids,
            body.draft_id,
            client_address(request),
        )

    return _send_once(request, db, user, ctx, body, deliver)


@router.post("/threads/{thread_id}/messages", status_code=201)
def new_message(
    thread_id: str,
    body: NewMessageIn,
    request: Request,
    user: Person = Depends(current_user),
    db: Session = WORK,
    ctx: AppContext = Depends(get_ctx),
) -> Response:
    clean = validate.clean_body(body.body_html, ctx.settings)  # before the transaction opens

    def deliver() -> compose.SendResult:
        thread = access.visible_thread(db, user, thread_id)
        return compose.add_message(
            db,
            ctx.settings,
            user,
            thread,
            clean,
            body.attachment_ids,
            body.draft_id,
            client_address(request),
        )

    return _send_once(request, db, user, ctx, body, deliver)


@router.get("/threads")
def list_threads(
    folder: str = Query("inbox", max_length=60),
    limit: int = Query(50, ge=1, le=200),
    before: str | None = Query(None, max_length=300),
    user: Person = Depends(current_user),
    db: Session = Depends(get_db),
) -> dict[str, Any]:
    return reading.list_threads(db, user, folder, limit, before)


@router.get("/threads/{thread_id}")
def read_thread(
    thread_id: str,
    request: Request,
    user: Person = Depends(current_user),
    write: Session = Depends(get_write_db),
    db: Session = Depends(get_db),
) -> dict[str, Any]:
    # The receipt and the audit entry are written first, in a short transaction of their own;
    # the thread is then read without holding the write lock.
    return reading.read_thread(write, user, thread_id, client_address(request), read=db)


@router.patch("/threads/{thread_id}/state")
def patch_state(
    thread_id: str,
    body: StateIn,
    user: Person = Depends(current_user),
    db: Session = WORK,
) -> dict[str, Any]:
    access.visible_thread(db, user, thread_id)
    changed = states.apply(db, user, [thread_id], body.folder, body.unread, body.starred)
    if not changed:
        raise not_found("That conversation")
    return state_json(changed[0])


@router.post("/threads/state")
def bulk_state(
    body: BulkStateIn,
    request: Request,
    user: Person = Depends(current_user),
    db: Session = WORK,
) -> Response:
    def action() -> tuple[int, dict[str, Any]]:
        changed = states.apply_visible(
            db, user, body.thread_ids, body.folder, body.unread, body.starred
        )
        return 200, {"states": [state_json(s) for s in changed]}

    return idempotency.handle(request, db, user, body.model_dump(), action)


@router.delete("/threads/{thread_id}", status_code=204)
def delete_thread(
    thread_id: str,
    request: Request,
    user: Person = Depends(current_user),
    db: Session = WORK,
    ctx: AppContext = Depends(get_ctx),
) -> Response:
    deletion.delete_thread(db, ctx.blobs, user, thread_id, client_address(request))
    return Response(status_code=204)


@router.delete("/messages/{message_id}", status_code=204)
def delete_message(
    message_id: str,
    request: Request,
    user: Person = Depends(current_user),
    db: Session = WORK,
    ctx: AppContext = Depends(get_ctx),
) -> Response:
    deletion.delete_message(db, ctx.blobs, user, message_id, client_address(request))
    return Response(status_code=204)

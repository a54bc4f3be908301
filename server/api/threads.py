"""Threads and messages: send, list, read, file, delete."""

from __future__ import annotations

import base64
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Depends, Query, Request, Response
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from server import audit, idempotency
from server.api.schemas import BulkStateIn, NewMessageIn, NewThreadIn, StateIn
from server.context import AppContext
from server.db.models import Message, Person, Thread, ThreadState
from server.db.types import rfc3339
from server.deps import client_address, current_user, get_ctx, get_db, get_write_db
from server.errors import invalid, not_found
from server.messaging import access, compose, deletion, states, validate
from server.serialize import messages_json, state_json, states_json, threads_json
from server.storable_text import is_storable

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
    ctx.kick_email()
    return response


@router.post("/threads", status_code=201)
def new_thread(
    body: NewThreadIn,
    request: Request,
    user: Person = Depends(current_user),
    db: Session = Depends(get_db),
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
    db: Session = Depends(get_db),
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


def _encode_cursor(at: datetime, thread_id: str) -> str:
    return base64.urlsafe_b64encode(f"{rfc3339(at)}|{thread_id}".encode()).decode()


def _decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        at, _, thread_id = base64.urlsafe_b64decode(cursor.encode()).decode().partition("|")
        when = datetime.fromisoformat(at.replace("Z", "+00:00"))
        if when.tzinfo is None or not is_storable(thread_id):
            raise ValueError("not a cursor this server made")
        return when.astimezone(UTC), thread_id
    except (ValueError, UnicodeDecodeError, OverflowError) as exc:
        raise invalid("validation_error", "The `before` cursor is not valid.") from exc


@router.get("/threads")
def list_threads(
    folder: str = Query("inbox", max_length=60),
    limit: int = Query(50, ge=1, le=200),
    before: str | None = Query(None, max_length=300),
    user: Person = Depends(current_user),
    db: Session = Depends(get_db),
) -> dict[str, Any]:
    query = select(Thread.id, Thread.last_message_at).join(
        ThreadState, and_(ThreadState.thread_id == Thread.id, ThreadState.person_id == user.id)
    )
    if folder == "sent":
        query = query.where(ThreadState.has_sent.is_(True), ThreadState.folder != "trash")
    else:
        query = query.where(ThreadState.folder == states.check_folder(db, user, folder))
    if before:
        at, tid = _decode_cursor(before)
        query = query.where(
            or_(Thread.last_message_at < at, and_(Thread.last_message_at == at, Thread.id < tid))
        )
    rows = db.execute(
        query.order_by(Thread.last_message_at.desc(), Thread.id.desc()).limit(limit + 1)
    ).all()
    page = rows[:limit]
    ids = [r.id for r in page]
    threads = threads_json(db, user, ids)
    state_map = states_json(db, user, ids)
    items = [{"thread": threads[i], "state": state_map[i]} for i in ids if i in threads]
    nxt = _encode_cursor(page[-1].last_message_at, page[-1].id) if len(rows) > limit else None
    return {"items": items, "next": nxt}


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
    thread = access.visible_thread(write, user, thread_id)
    states.apply(write, user, [thread.id], folder=None, unread=False, starred=None)
    audit.record(
        write, user.practice_id, user.id, "read_thread", "thread", thread.id,
        client_address(request),
    )
    write.commit()
    write.close()
    message_ids = db.scalars(
        select(Message.id).where(Message.thread_id == thread.id).order_by(Message.sent_at)
    ).all()
    messages = messages_json(db, user, message_ids)
    return {
        "thread": threads_json(db, user, [thread.id])[thread.id],
        "state": states_json(db, user, [thread.id]).get(thread.id),
        "messages": [messages[m] for m in message_ids if m in messages],
    }


@router.patch("/threads/{thread_id}/state")
def patch_state(
    thread_id: str,
    body: StateIn,
    user: Person = Depends(current_user),
    db: Session = Depends(get_db),
) -> dict[str, Any]:
    access.visible_thread(db, user, thread_id)
    changed = states.apply(db, user, [thread_id], body.folder, body.unread, body.starred)
    db.commit()
    if not changed:
        raise not_found("That conversation")
    return state_json(changed[0])


@router.post("/threads/state")
def bulk_state(
    body: BulkStateIn,
    request: Request,
    user: Person = Depends(current_user),
    db: Session = Depends(get_db),
) -> Response:
    def action() -> tuple[int, dict[str, Any]]:
        ids = list(dict.fromkeys(body.thread_ids))
        for thread_id in ids:
            access.visible_thread(db, user, thread_id)
        changed = states.apply(db, user, ids, body.folder, body.unread, body.starred)
        return 200, {"states": [state_json(s) for s in changed]}

    return idempotency.handle(request, db, user, body.model_dump(), action)


@router.delete("/threads/{thread_id}", status_code=204)
def delete_thread(
    thread_id: str,
    request: Request,
    user: Person = Depends(current_user),
    db: Session = Depends(get_db),
    ctx: AppContext = Depends(get_ctx),
) -> Response:
    deletion.delete_thread(db, ctx.blobs, user, thread_id, client_address(request))
    return Response(status_code=204)


@router.delete("/messages/{message_id}", status_code=204)
def delete_message(
    message_id: str,
    request: Request,
    user: Person = Depends(current_user),
    db: Session = Depends(get_db),
    ctx: AppContext = Depends(get_ctx),
) -> Response:
    deletion.delete_message(db, ctx.blobs, user, message_id, client_address(request))
    return Response(status_code=204)

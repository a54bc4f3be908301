"""Idempotency keys: a repeat of a request returns the first answer and does nothing again."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse
from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from server import unit_of_work
from server.db.models import IdempotencyRecord, Person
from server.db.types import utcnow
from server.errors import ApiError, invalid


def key_from(request: Request, required: bool) -> str | None:
    key = request.headers.get("idempotency-key", "").strip()
    if not key:
        if required:
            raise invalid("validation_error", "The Idempotency-Key header is required here.")
        return None
    if len(key) > 200:
        raise invalid("validation_error", "The Idempotency-Key header is too long.")
    return key


def fingerprint(method: str, path: str, body: Any) -> str:
    raw = json.dumps([method, path, body], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(raw.encode()).hexdigest()


def run_once(
    db: Session,
    user: Person,
    key: str | None,
    print_: str,
    action: Callable[[], tuple[int, Any]],
) -> JSONResponse:
    """Run `action` unless this key already ran, and record its answer with what it changed;
    the request's unit of work commits both (server.unit_of_work)."""
    if key is None:
        status, body = action()
        return JSONResponse(body, status_code=status)
    previous = db.get(IdempotencyRecord, (user.id, key))
    if previous is not None:
        return _replay(previous, print_)
    status, body = action()
    db.add(
        IdempotencyRecord(
            person_id=user.id,
            key=key,
            fingerprint=print_,
            status_code=status,
            response=body,
            created_at=utcnow(),
        )
    )
    try:
        db.flush()
    except IntegrityError:
        # The same key raced in from a second request that committed first: answer as it did.
        unit_of_work.discard(db)
        previous = db.get(IdempotencyRecord, (user.id, key))
        if previous is None:
            raise
        return _replay(previous, print_)
    return JSONResponse(body, status_code=status)


def handle(
    request: Request,
    db: Session,
    user: Person,
    body: Any,
    action: Callable[[], tuple[int, Any]],
    required: bool = False,
) -> JSONResponse:
    """The usual path: key from the header, fingerprint of method, path and body, run once."""
    key = key_from(request, required)
    print_ = fingerprint(request.method, request.url.path, body)
    return run_once(db, user, key, print_, action)


def _replay(previous: IdempotencyRecord, print_: str) -> JSONResponse:
    if previous.fingerprint != print_:
        raise ApiError(
            422,
            "idempotency_key_reused",
            "This Idempotency-Key was already used for a different request.",
        )
    return JSONResponse(
        previous.response, status_code=previous.status_code, headers={"Idempotent-Replayed": "true"}
    )


def prune(db: Session, keep_seconds: int) -> None:
    cutoff = utcnow() - timedelta(seconds=keep_seconds)
    db.execute(delete(IdempotencyRecord).where(IdempotencyRecord.created_at < cutoff))

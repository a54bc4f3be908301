"""GET /audit: the practice's audit log for administrators, filtered, paged, or as CSV.

Oldest first after `since` (the original contract), or newest first with `order=newest`
and `before`; filters by actor, target, action and time; `format=csv` streams every match.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import StreamingResponse
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from server import audit, rules
from server.context import AppContext
from server.db.models import AuditEvent, Person
from server.db.types import rfc3339
from server.deps import current_user, get_ctx, get_db
from server.errors import enforce, invalid
from server.serialize import who

router = APIRouter()
CSV_COLUMNS = ("id", "at", "actor_id", "actor_username", "action", "target_type", "target_id",
               "ip")


def _time(value: str | None, name: str) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise invalid("validation_error",
                      f"`{name}` is not an RFC 3339 time such as 2026-12-01T00:00:00Z.") from None
    if parsed.tzinfo is None:
        raise invalid("validation_error", f"`{name}` needs a time zone (Z for UTC).")
    return parsed


def event_json(e: AuditEvent) -> dict[str, Any]:
    return {
        "id": e.id,
        "at": rfc3339(e.at),
        "actor_id": e.actor_id,
        "action": e.action,
        "target_type": e.target_type,
        "target_id": e.target_id,
        "ip": e.ip,
    }


def _filtered(
    practice_id: str,
    actor_id: str | None,
    target_id: str | None,
    action: str | None,
    start: datetime | None,
    end: datetime | None,
) -> Select[AuditEvent]:
    stmt = select(AuditEvent).where(AuditEvent.practice_id == practice_id)
    if actor_id:
        stmt = stmt.where(AuditEvent.actor_id == actor_id)
    if target_id:
        stmt = stmt.where(AuditEvent.target_id == target_id)
    if action:
        if action not in audit.ACTIONS:
            raise invalid("validation_error", f"Unknown action {action!r}: one of "
                          + ", ".join(audit.ACTIONS) + ".")
        stmt = stmt.where(AuditEvent.action == action)
    if start is not None:
        stmt = stmt.where(AuditEvent.at >= start)
    if end is not None:
        stmt = stmt.where(AuditEvent.at < end)
    return stmt


def _csv(ctx: AppContext, stmt: Select[AuditEvent], practice_id: str) -> Iterator[str]:
    """Every matching event, newest first, read in pages by id in short sessions."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    yield out.getvalue()
    before: int | None = None
    while True:
        with ctx.read_sessions() as db:
            page_stmt = stmt if before is None else stmt.where(AuditEvent.id < before)
            events = db.scalars(page_stmt.order_by(AuditEvent.id.desc()).limit(2000)).all()
            rows = [(e.id, rfc3339(e.at), e.actor_id or "", e.action, e.target_type or "",
                     e.target_id or "", e.ip or "") for e in events]
            actors = {row[2] for row in rows if row[2]}
            names = dict(db.execute(select(Person.id, Person.username).where(
                Person.id.in_(actors), Person.practice_id == practice_id)).all()) if actors else {}
            db.rollback()
        if not rows:
            return
        out.seek(0)
        out.truncate()
        for id_, at, actor, action, target_type, target_id, ip in rows:
            writer.writerow([id_, at, actor, names.get(actor, ""), action, target_type,
                             target_id, ip])
        yield out.getvalue()
        before = rows[-1][0]


@router.get("/audit", response_model=None)
def audit_events(
    since: int = Query(0, ge=0, lt=2**63),
    before: int | None = Query(None, ge=1, lt=2**63),
    order: str = Query("oldest", pattern="^(oldest|newest)$"),
    limit: int = Query(100, ge=1, le=1000),
    actor_id: str | None = Query(None, max_length=64),
    target_id: str | None = Query(None, max_length=100),
    action: str | None = Query(None, max_length=40),
    from_: str | None = Query(None, alias="from", max_length=40),
    to: str | None = Query(None, max_length=40),
    format: str = Query("json", pattern="^(json|csv)$"),
    user: Person = Depends(current_user),
    db: Session = Depends(get_db),
    ctx: AppContext = Depends(get_ctx),
) -> dict[str, Any] | StreamingResponse:
    enforce(rules.may_read_audit(who(user)))
    stmt = _filtered(user.practice_id, actor_id, target_id, action, _time(from_, "from"),
                     _time(to, "to"))
    if format == "csv":
        db.rollback()
        return StreamingResponse(
            _csv(ctx, stmt, user.practice_id),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="audit-log.csv"'},
        )
    if order == "newest":
        if before is not None:
            stmt = stmt.where(AuditEvent.id < before)
        stmt = stmt.order_by(AuditEvent.id.desc())
    else:
        stmt = stmt.where(AuditEvent.id > since).order_by(AuditEvent.id)
    rows = db.scalars(stmt.limit(limit + 1)).all()
    page = rows[:limit]
    return {
        "events": [event_json(e) for e in page],
        "next": page[-1].id if len(rows) > limit else None,
    }

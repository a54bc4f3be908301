"""GET /audit: the practice's audit log, oldest first, for administrators."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query
from sqlalchemy import select
from sqlalchemy.orm import Session

from server import rules
from server.db.models import AuditEvent, Person
from server.db.types import rfc3339
from server.deps import current_user, get_db
from server.errors import enforce
from server.serialize import who

router = APIRouter()


@router.get("/audit")
def audit_events(
    since: int = Query(0, ge=0, lt=2**63),
    limit: int = Query(100, ge=1, le=1000),
    user: Person = Depends(current_user),
    db: Session = Depends(get_db),
) -> dict[str, Any]:
    decision = rules.may_read_audit(who(user))
    enforce(decision)
    rows = db.scalars(
        select(AuditEvent)
        .where(AuditEvent.practice_id == user.practice_id, AuditEvent.id > since)
        .order_by(AuditEvent.id)
        .limit(limit + 1)
    ).all()
    page = rows[:limit]
    return {
        "events": [
            {
                "id": e.id,
                "at": rfc3339(e.at),
                "actor_id": e.actor_id,
                "action": e.action,
                "target_type": e.target_type,
                "target_id": e.target_id,
                "ip": e.ip,
            }
            for e in page
        ],
        "next": page[-1].id if len(rows) > limit else None,
    }

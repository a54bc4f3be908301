"""The append-only audit log: who did what to which id, never any content."""

from __future__ import annotations

from sqlalchemy.orm import Session

from server.db.models import AuditEvent
from server.db.types import utcnow

ACTIONS = (
    "login",
    "login_failed",
    "send",
    "read_thread",
    "delete_message",
    "delete_thread",
    "quick_note",
    "client_status",
    # Accounts and administration
    "person_create",
    "person_update",
    "person_disable",
    "invite",
    "password_reset",
    "password_set",
    "mfa_enable",
    "mfa_disable",
    "mfa_reset",
    "import",
    "practice_update",
)


def record(
    db: Session,
    practice_id: str,
    actor_id: str | None,
    action: str,
    target_type: str | None = None,
    target_id: str | None = None,
    ip: str | None = None,
) -> None:
    assert action in ACTIONS, action
    db.add(
        AuditEvent(
            practice_id=practice_id,
            at=utcnow(),
            actor_id=actor_id,
            action=action,
            target_type=target_type,
            target_id=target_id,
            ip=ip,
        )
    )

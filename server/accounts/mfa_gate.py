"""`require_mfa_for_staff`: a staff member without a second factor may only set one up.

Until then every endpoint answers 403 `mfa_required`, except the session, the TOTP set-up
and signing out.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from server.db.models import Person, Practice
from server.errors import ApiError

OPEN_PATHS = ("/session", "/auth/logout", "/account/totp")


def setup_required(db: Session, person: Person, practice: Practice | None = None) -> bool:
    """`practice`, when the caller has the person's practice already, saves a query."""
    if person.kind != "staff" or person.totp_secret:
        return False
    if practice is None:
        practice = db.get(Practice, person.practice_id)
    return bool(practice and practice.require_mfa_for_staff)


def check(db: Session, person: Person, path: str, practice: Practice | None = None) -> None:
    """Raise 403 `mfa_required` when `path` is closed to this person until they set one up."""
    _, _, tail = path.partition("/api/v1")
    if tail in OPEN_PATHS or tail.startswith("/account/totp/"):
        return
    if setup_required(db, person, practice):
        raise ApiError(
            403,
            "mfa_required",
            "Your practice requires two-step sign-in: set it up under My account first.",
        )

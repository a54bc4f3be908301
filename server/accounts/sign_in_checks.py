"""What sign-in asks of administration: who may sign in at all, and what a success records."""

from __future__ import annotations

from server.accounts import security_log
from server.db.models import Person
from server.db.types import utcnow


def may_sign_in(person: Person) -> bool:
    """Disabled people, and clients without portal access, cannot sign in."""
    if person.disabled:
        return False
    return not (person.kind == "client" and not person.has_portal_account)


def failed_for_nobody(username: str, address: str) -> None:
    """A failed sign-in for a username that exists nowhere: the operator's security log."""
    security_log.unknown_username(username, address)


def signed_in(person: Person) -> None:
    person.last_login_at = utcnow()

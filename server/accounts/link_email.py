"""The emails carrying a link to set a password: the practice, the link, how long it lasts.

Nothing else: no name, no username, nothing about care (no PHI).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from server.db.models import EmailOutbox, Person, Practice

LIFETIME_WORDS = {"invite": "72 hours", "reset": "1 hour"}


def link_email(practice: Practice, url: str, purpose: str) -> tuple[str, str]:
    """The subject and body of the email for an invite or reset link."""
    lasts = LIFETIME_WORDS[purpose]
    if purpose == "invite":
        subject = f"Set up your {practice.name} account"
        opening = (
            f"{practice.name} has set up an account for you in its secure messaging system.\n\n"
            "To choose your password, open this link:\n"
        )
    else:
        subject = f"Reset your {practice.name} password"
        opening = (
            f"Someone asked to reset the password of your {practice.name} account.\n\n"
            "To choose a new password, open this link:\n"
        )
    body = (
        f"{opening}{url}\n\n"
        f"The link lasts {lasts} and works once; a newer link replaces it.\n"
        f"If you did not expect this email, you can ignore it, or contact {practice.name}.\n"
    )
    return subject, body


def enqueue_link_email(
    db: Session, practice: Practice, person: Person, url: str, purpose: str
) -> bool:
    """Queue the email in the caller's transaction; False when the person has no email."""
    if not person.email:
        return False
    subject, body = link_email(practice, url, purpose)
    db.add(EmailOutbox(to_address=person.email, subject=subject, body=body))
    return True

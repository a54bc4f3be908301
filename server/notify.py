"""Email notifications: queued in the sending transaction, delivered by a worker with retries.

The email says only that a secure message is waiting, with the portal link: never the
sender, the subject or any of the body.

Several server processes may drain one outbox: a worker leases the rows it claims, and before
each email checks that its lease still holds, renewing it once less than half is left (a
lease that ran out while earlier emails were slow may have passed the row to another
process, which then sends it alone). A claimed batch goes over one SMTP connection
(server.mail_transport); woken by a send, the worker first waits `email_gather_seconds`, so
that the sends of that moment make one batch instead of one each.
"""

from __future__ import annotations

import logging
import smtplib
import threading
import uuid
from collections.abc import Iterable
from datetime import timedelta
from email.message import EmailMessage

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from server.config import Settings
from server.db.models import EmailOutbox, Person, Practice
from server.db.types import utcnow
from server.mail_transport import MailTransport

log = logging.getLogger(__name__)

SUBJECT = "You have a new secure message"


def notification_text(practice: Practice, portal_url: str) -> str:
    return (
        f"You have a new secure message from {practice.name}.\n\n"
        f"To read it, sign in to your secure portal:\n{portal_url}\n\n"
        "For your privacy this email does not contain the message.\n"
    )


def enqueue(
    db: Session, settings: Settings, practice: Practice, recipients: Iterable[Person]
) -> int:
    """Queue one email per recipient with a portal account and an email on file."""
    count = 0
    body = notification_text(practice, settings.portal_url(practice.slug))
    for person in recipients:
        if person.has_portal_account and person.email:
            db.add(EmailOutbox(to_address=person.email, subject=SUBJECT, body=body))
            count += 1
    return count


class EmailWorker:
    """Drains the email outbox on a background thread."""

    def __init__(self, sessions: sessionmaker[Session], settings: Settings) -> None:
        self._sessions = sessions
        self._settings = settings
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="email-worker", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout=10)

    def kick(self) -> None:
        self._wake.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.drain()
            except Exception:  # the worker must outlive a bad row or a dead database
                log.exception("email worker pass failed")
            if self._wake.wait(timeout=1.0):
                self._stop.wait(self._settings.email_gather_seconds)
            self._wake.clear()

    @property
    def _lease(self) -> timedelta:
        return timedelta(seconds=self._settings.email_lease_seconds)

    def _claim(self) -> list[EmailOutbox]:
        """Lease due rows so a second server process does not send them too."""
        now = utcnow()
        with self._sessions() as db:
            rows = list(
                db.scalars(
                    select(EmailOutbox)
                    .where(EmailOutbox.sent_at.is_(None), EmailOutbox.next_attempt_at <= now)
                    .order_by(EmailOutbox.next_attempt_at)
                    .limit(50)
                    .with_for_update(skip_locked=True)
                ).all()
            )
            for row in rows:
                row.next_attempt_at = now + self._lease
            db.commit()
            return rows

    def _still_mine(self, row: EmailOutbox) -> bool:
        """Just before delivering: whether this worker's lease on the row holds for one more
        delivery (see the module docstring)."""
        if row.next_attempt_at - utcnow() > self._lease / 2:
            return True
        return self._renew(row)

    def _renew(self, row: EmailOutbox) -> bool:
        """A fresh lease on the row, unless another process took it after this one's lease
        ran out, in which case that process sends it and this one must not."""
        until = utcnow() + self._lease
        with self._sessions() as db:
            renewed = db.execute(
                update(EmailOutbox)
                .where(EmailOutbox.id == row.id, EmailOutbox.sent_at.is_(None),
                       EmailOutbox.next_attempt_at == row.next_attempt_at)
                .values(next_attempt_at=until)
            ).rowcount  # type: ignore[attr-defined]
            db.commit()
        if renewed:
            row.next_attempt_at = until
        return bool(renewed)

    def drain(self) -> int:
        sent = 0
        with MailTransport(self._settings.smtp) as transport:
            for row in self._claim():
                if not self._still_mine(row):
                    continue
                try:
                    msg = self._message(row)
                except Exception as exc:  # a malformed row must not hold up the ones after it
                    self._retry_later(row, exc)
                    continue
                try:
                    transport.send(msg, row.id)
                except (OSError, smtplib.SMTPException) as exc:
                    self._retry_later(row, exc)
                else:
                    self._mark_sent(row)
                    sent += 1
        return sent

    def _message(self, row: EmailOutbox) -> EmailMessage:
        msg = EmailMessage()
        msg["From"] = self._settings.smtp.sender
        msg["To"] = row.to_address
        msg["Subject"] = row.subject
        # Not email.utils.make_msgid: it draws on the process-wide `random` state.
        msg["Message-ID"] = f"<{uuid.uuid4().hex}@practice-inbox.local>"
        msg.set_content(row.body)
        return msg

    def _mark_sent(self, row: EmailOutbox) -> None:
        with self._sessions() as db:
            db.execute(
                update(EmailOutbox)
                .where(EmailOutbox.id == row.id)
                .values(sent_at=utcnow(), attempts=row.attempts + 1, last_error=None)
            )
            db.commit()

    def _retry_later(self, row: EmailOutbox, exc: Exception) -> None:
        delays = self._settings.email_retry_seconds
        delay = delays[min(row.attempts, len(delays) - 1)]
        log.warning("email %s not delivered (attempt %d): %s", row.id, row.attempts + 1, exc)
        with self._sessions() as db:
            db.execute(
                update(EmailOutbox)
                .where(EmailOutbox.id == row.id)
                .values(
                    attempts=row.attempts + 1,
                    last_error=str(exc)[:500],
                    next_attempt_at=utcnow() + timedelta(seconds=delay),
                )
            )
            db.commit()

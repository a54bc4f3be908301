"""Email notifications reach a real SMTP server: one per eligible recipient, with no PHI."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest

from server.config import SmtpSettings
from server.seed import email_for
from tests.support.api_client import Api
from tests.support.live_server import LiveServer
from tests.support.smtp_sink import SmtpSink


def wait_for(predicate: Callable[[], bool], timeout: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


@pytest.fixture
def smtp() -> SmtpSink:
    sink = SmtpSink().start()
    yield sink  # type: ignore[misc]
    sink.stop()


def mailing_server(tmp_path: Path, port: int, database_url: str | None) -> LiveServer:
    return LiveServer(
        tmp_path / "data",
        database_url=database_url,
        smtp=SmtpSettings(
            host="127.0.0.1", port=port, starttls=False, sender="inbox@lakeside.example"
        ),
        email_retry_seconds=(0.3, 0.3, 0.3),
    ).start()


def test_one_email_per_eligible_recipient_without_phi(
    tmp_path: Path, smtp: SmtpSink, database_url: str | None
) -> None:
    server = mailing_server(tmp_path, smtp.port, database_url)
    try:
        rivera = Api(server).as_("dr.rivera")
        subject = "Medication side effects"
        body = "<p>Your lithium levels came back high, call me.</p>"
        reply = rivera.send(["alex", "dana", "frontdesk"], subject=subject, body=body)
        assert reply.status_code == 201, reply.text
        lakeside = "Lakeside Counseling"
        expected = sorted([email_for("alex", lakeside), email_for("frontdesk", lakeside)])
        assert wait_for(lambda: len(smtp.messages) >= 2)
        time.sleep(0.5)  # nothing more may arrive
        assert sorted(smtp.recipients) == expected  # dana has no portal account
        for message in smtp.messages:
            text = message.as_string()
            for secret in (subject, "lithium", "Rivera", "Sofia", "call me"):
                assert secret not in text
            assert f"{server.url}/portal/lakeside/" in message.get_content()
    finally:
        server.stop()


def test_a_batch_of_emails_goes_over_one_smtp_connection(
    tmp_path: Path, database_url: str | None
) -> None:
    """Connecting (and, in practice, STARTTLS and a login) is paid once per batch, not once
    per email; neither an address this mail server cannot take nor one that cannot be
    written as an email at all stops the rest."""
    smtp = SmtpSink(refuse=frozenset({"moved@example.org"})).start()
    server = LiveServer(
        tmp_path / "data", database_url=database_url, run_workers=False,
        smtp=SmtpSettings(host="127.0.0.1", port=smtp.port, starttls=False),
    ).start()
    try:
        from sqlalchemy import select

        from server.db.models import EmailOutbox
        from server.notify import EmailWorker

        addresses = [f"client{n}@example.org" for n in range(5)]
        with server.ctx.sessions() as db:
            for address in [*addresses[:2], "moved@example.org", "broken@", *addresses[2:]]:
                db.add(EmailOutbox(to_address=address, subject="Secure message", body="Sign in."))
            db.commit()
        assert EmailWorker(server.ctx.sessions, server.settings).drain() == 5
        assert sorted(smtp.recipients) == addresses
        assert smtp.connections == 2  # one for the batch, one more after the refusal
        with server.ctx.sessions() as db:
            waiting = {r.to_address: r for r in db.scalars(
                select(EmailOutbox).where(EmailOutbox.sent_at.is_(None)))}
        assert sorted(waiting) == ["broken@", "moved@example.org"]
        assert all(r.attempts == 1 and r.last_error for r in waiting.values())
    finally:
        server.stop()
        smtp.stop()


def test_the_emails_of_sends_made_together_go_over_one_connection(
    tmp_path: Path, smtp: SmtpSink, database_url: str | None
) -> None:
    server = LiveServer(
        tmp_path / "data", database_url=database_url, email_gather_seconds=3.0,
        smtp=SmtpSettings(host="127.0.0.1", port=smtp.port, starttls=False),
    ).start()
    try:
        rivera = Api(server).as_("dr.rivera")
        for n in range(3):
            reply = rivera.send(["alex"], subject=f"Check-in {n}", body="<p>How was the week?</p>")
            assert reply.status_code == 201, reply.text
        assert wait_for(lambda: len(smtp.messages) >= 3)
        assert smtp.connections == 1
    finally:
        server.stop()


def test_delivery_is_retried_until_the_smtp_server_answers(
    tmp_path: Path, database_url: str | None
) -> None:
    sink = SmtpSink()  # not started yet: the first attempts fail
    server = mailing_server(tmp_path, sink.port, database_url)
    try:
        rivera = Api(server).as_("dr.rivera")
        assert rivera.send(["alex"]).status_code == 201
        from sqlalchemy import select

        from server.db.models import EmailOutbox

        def attempts() -> int:
            with server.ctx.sessions() as db:
                row = db.scalars(select(EmailOutbox)).one()
                return row.attempts

        assert wait_for(lambda: attempts() >= 1)
        sink.start()
        assert wait_for(lambda: len(sink.messages) == 1)
        time.sleep(1.0)
        assert len(sink.messages) == 1  # sent once, not once per attempt
        with server.ctx.sessions() as db:
            row = db.scalars(select(EmailOutbox)).one()
            assert row.sent_at is not None
            assert row.attempts >= 2
    finally:
        server.stop()
        sink.stop()


def test_demo_mail_drop_folder(tmp_path: Path) -> None:
    drop = tmp_path / "mail"
    server = LiveServer(tmp_path / "data", smtp=SmtpSettings(drop_dir=drop)).start()
    try:
        Api(server).as_("alex").send(["dr.rivera"], subject="Private subject")
        assert wait_for(lambda: len(list(drop.glob("*.eml"))) == 1)
        content = next(drop.glob("*.eml")).read_text()
        assert "secure message" in content
        assert "Private subject" not in content
    finally:
        server.stop()

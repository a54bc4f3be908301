"""Two outbox workers (as in two server processes) draining one database while the mail
server is slow: a row whose lease ran out while earlier rows were being sent goes to the
other worker, and is sent by it alone."""

from __future__ import annotations

import threading
from pathlib import Path

from sqlalchemy import func, select

from server.config import SmtpSettings
from server.db.models import EmailOutbox
from server.notify import EmailWorker
from tests.support.live_server import LiveServer
from tests.support.smtp_sink import SmtpSink

ADDRESSES = [f"client{n}@example.org" for n in range(6)]


def test_every_email_is_sent_once_when_a_lease_runs_out(
        tmp_path: Path, database_url: str | None) -> None:
    sink = SmtpSink(delay=0.5).start()
    server = LiveServer(
        tmp_path / "data", database_url=database_url, run_workers=False,
        email_lease_seconds=1.2,
        smtp=SmtpSettings(host="127.0.0.1", port=sink.port, starttls=False))
    server.start()
    try:
        sessions = server.ctx.sessions
        with sessions() as db:
            for address in ADDRESSES:
                db.add(EmailOutbox(to_address=address, subject="Secure message", body="Sign in."))
            db.commit()

        def unsent() -> int:
            with sessions() as db:
                return int(db.scalar(select(func.count()).where(EmailOutbox.sent_at.is_(None))))

        def drain_until_done(worker: EmailWorker) -> None:
            while unsent():
                worker.drain()

        first = EmailWorker(sessions, server.settings)
        second = EmailWorker(sessions, server.settings)
        # The first claims all six; by its third email (1.5 s in) its lease on the rest ran out.
        runner = threading.Thread(target=first.drain)
        runner.start()
        threading.Event().wait(0.2)
        other = threading.Thread(target=drain_until_done, args=(second,))
        other.start()
        runner.join(timeout=60)
        other.join(timeout=60)
        assert unsent() == 0
        assert sorted(sink.recipients) == ADDRESSES  # each once, none twice
    finally:
        server.stop()
        sink.stop()

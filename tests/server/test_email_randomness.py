"""Sending notification emails leaves the process's global `random` state alone.

The server can share a process with Hypothesis (the schema fuzz run, the sync state
machine): an email worker drawing on the global `random` module from its own thread, while a
case was being generated, made those runs fail as flaky. Each email still gets a Message-ID
of its own.
"""

from __future__ import annotations

import random
from email import message_from_bytes
from pathlib import Path

from server.config import SmtpSettings
from server.db.models import EmailOutbox
from server.notify import EmailWorker
from tests.support.live_server import LiveServer


def test_sending_emails_draws_nothing_from_the_global_random_state(tmp_path: Path) -> None:
    drop = tmp_path / "mail"
    server = LiveServer(tmp_path / "data", run_workers=False,
                        smtp=SmtpSettings(drop_dir=drop)).start()
    try:
        with server.ctx.sessions() as db:
            for n in range(3):
                db.add(EmailOutbox(to_address=f"client{n}@example.org",
                                   subject="Secure message", body="Sign in to read it."))
            db.commit()
        worker = EmailWorker(server.ctx.sessions, server.settings)
        before = random.getstate()
        assert worker.drain() == 3
        assert random.getstate() == before
    finally:
        server.stop()
    ids = [message_from_bytes(p.read_bytes())["Message-ID"] for p in sorted(drop.glob("*.eml"))]
    assert len(ids) == 3 and len(set(ids)) == 3
    assert all(i.startswith("<") and i.endswith("@practice-inbox.local>") for i in ids)

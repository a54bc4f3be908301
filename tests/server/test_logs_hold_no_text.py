"""The server's log never holds what people wrote, even with SQL logging turned on.

The probe found a draft's subject and body in the log on PostgreSQL, as the parameters of a
statement that failed. The engine hides parameters from every log line and error message.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator

import pytest

from tests.support.api_client import Api

SECRETS = [
    "Sunflower subject 9f2a",
    "Marigold body of the first message 3c1b",
    "Lavender reply text 77de",
    "Juniper draft subject 0aa4",
    "Hawthorn draft body 5e90",
]


class _Everything(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def server_log() -> Iterator[_Everything]:
    handler = _Everything()
    root, engine_log = logging.getLogger(), logging.getLogger("sqlalchemy.engine")
    levels = root.level, engine_log.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    engine_log.setLevel(logging.INFO)  # an operator turning on SQL logging
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        root.setLevel(levels[0])
        engine_log.setLevel(levels[1])


def test_a_run_of_sends_and_drafts_logs_none_of_their_text(
    api: Api, server_log: _Everything
) -> None:
    rivera, alex = api.as_("dr.rivera"), api.as_("alex")
    subject, body, reply, draft_subject, draft_body = SECRETS
    sent = rivera.started(["alex"], subject=subject, body=f"<p>{body}</p>")
    assert alex.reply(sent["thread"]["id"], body=f"<p>{reply}</p>").status_code == 201
    draft_id = str(uuid.uuid4())
    draft = {"to": [f"person:{api.id('alex')}"], "subject": draft_subject,
             "body_html": f"<p>{draft_body}</p>", "attachment_ids": []}
    assert rivera.put(f"/drafts/{draft_id}", draft).status_code == 200
    # The refusals of the probe's findings too: a too-long thread id, a too-short body.
    too_long = {**draft, "thread_id": "t" * 37}
    assert rivera.put(f"/drafts/{uuid.uuid4()}", too_long).status_code == 422
    assert rivera.send(["alex"], subject=subject, body="<p>short</p>").status_code == 422
    assert rivera.thread(sent["thread"]["id"])["messages"]
    assert rivera.changes()["messages"]
    assert rivera.delete(f"/drafts/{draft_id}").status_code == 204

    assert any("SELECT" in line for line in server_log.lines), "SQL logging was not on"
    leaked = [line for line in server_log.lines for text in SECRETS if text in line]
    assert leaked == []

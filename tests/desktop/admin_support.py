"""Helpers for the administration windows' tests: a signed-in AdminApi over the live server,
a task runner closed after the test, and a practice server that mails to an SMTP sink."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from desktop.tasks import TaskRunner
from server.config import SmtpSettings
from sync.admin_api import AdminApi
from sync.api import ApiClient
from tests.desktop.conftest import PASSWORD
from tests.support.live_server import LiveServer
from tests.support.smtp_sink import SmtpSink

WAIT_MS = 20_000


@pytest.fixture
def runner(qapp: Any) -> Iterator[TaskRunner]:
    tasks = TaskRunner()
    yield tasks
    tasks.shutdown()


@pytest.fixture
def sign_in(live_server: LiveServer) -> Iterator[Callable[..., AdminApi]]:
    """`sign_in("admin")`: an AdminApi of that demo person, signed in over HTTP."""
    clients: list[ApiClient] = []

    def signed_in(username: str = "admin", password: str = PASSWORD,
                  code: str | None = None) -> AdminApi:
        api = ApiClient(live_server.url)
        api.login(username, password, code)
        clients.append(api)
        return AdminApi(api)

    yield signed_in
    for api in clients:
        api.close()


@pytest.fixture
def smtp() -> Iterator[SmtpSink]:
    sink = SmtpSink().start()
    yield sink
    sink.stop()


@pytest.fixture
def mailing_server(tmp_path: Path, smtp: SmtpSink) -> Iterator[LiveServer]:
    server = LiveServer(
        tmp_path / "mail-server-data",
        smtp=SmtpSettings(host="127.0.0.1", port=smtp.port, starttls=False,
                          sender="inbox@lakeside.example"),
        email_retry_seconds=(0.3, 0.3, 0.3),
    ).start()
    try:
        yield server
    finally:
        server.stop()


def usernames(model: Any) -> list[str]:
    return [model.record(row)["username"] for row in range(model.rowCount())]


def settled(model: Any) -> bool:
    return not model.busy


def csv_of(rows: list[str], header: str = "name,email,username,status,assigned_therapist,"
           "has_portal_account") -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()

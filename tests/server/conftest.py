"""Server-suite fixtures: every test that asks for `server` runs on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.api_client import Api
from tests.support.live_server import LiveServer
from tests.support.postgres import PostgresCluster
from tests.support.smtp_sink import SmtpSink
from tests.support.system_tools import missing


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PostgresCluster]:
    try:
        cluster = PostgresCluster().start()
    except (FileNotFoundError, KeyError) as exc:
        missing(f"PostgreSQL is not installed: {exc}")
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str | None:
    if request.param == "sqlite":
        return None
    cluster: PostgresCluster = request.getfixturevalue("pg_cluster")
    return cluster.create_database()


@pytest.fixture
def server(tmp_path: Path, database_url: str | None) -> Iterator[LiveServer]:
    live = LiveServer(tmp_path / "data", database_url=database_url).start()
    try:
        yield live
    finally:
        live.stop()


@pytest.fixture
def api(server: LiveServer) -> Api:
    return Api(server)


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def shared_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    """One server per module and backend, for tests that only add what they then look at."""
    url = None
    if request.param == "postgres":
        cluster: PostgresCluster = request.getfixturevalue("pg_cluster")
        url = cluster.create_database()
    live = LiveServer(tmp_path_factory.mktemp("shared-data"), database_url=url).start()
    try:
        yield live
    finally:
        live.stop()


@pytest.fixture(scope="module")
def shared_api(shared_server: LiveServer) -> Api:
    """Signed-in users of the module's server: each person signs in once per module."""
    return Api(shared_server)


ServerFactory = Callable[..., LiveServer]


@pytest.fixture
def make_server(tmp_path: Path, database_url: str | None) -> Iterator[ServerFactory]:
    """Servers with settings overridden, on the test's backend; one database per test."""
    started: list[LiveServer] = []

    def make(**overrides: Any) -> LiveServer:
        assert not started, "one server per test: they would share the database"
        live = LiveServer(tmp_path / "data", database_url=database_url, **overrides).start()
        started.append(live)
        return live

    yield make
    for live in started:
        live.stop()


@pytest.fixture
def smtp() -> Iterator[SmtpSink]:
    """A real SMTP server on loopback that keeps what it receives."""
    sink = SmtpSink().start()
    yield sink
    sink.stop()

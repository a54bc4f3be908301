"""A portal page whose database cannot serve it in time, or whose connection was dropped, is
the portal's own page with 503 and Retry-After: "try again", not "the server failed"."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from server.busy import BUSY_DETAIL, LOST_DETAIL
from tests.portal.http import PortalHttp
from tests.support.live_server import LiveServer
from tests.support.postgres import PostgresCluster


@pytest.fixture
def small_pool_server(tmp_path: Path, database_url: str | None) -> Iterator[LiveServer]:
    live = LiveServer(tmp_path / "data", database_url=database_url, db_pool_size=3,
                      db_pool_overflow=0, db_wait_seconds=1.0).start()
    try:
        yield live
    finally:
        live.stop()


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest) -> str | None:
    if request.param == "sqlite":
        return None
    cluster: PostgresCluster = request.getfixturevalue("pg_cluster")
    return cluster.create_database()


def test_no_free_connection_in_time_is_a_503_page(small_pool_server: LiveServer) -> None:
    alex = PortalHttp(small_pool_server)
    held = [small_pool_server.ctx.engine.connect() for _ in range(3)]
    try:
        page = alex.get("messages")
    finally:
        for conn in held:
            conn.close()
    assert page.status_code == 503, page.text[:300]
    assert page.headers["content-type"].startswith("text/html")
    assert page.headers["Retry-After"].isdigit()
    assert "Please try again in a moment" in page.text
    assert BUSY_DETAIL in page.text
    assert alex.get("messages").status_code == 200


def test_a_dropped_database_connection_is_a_503_page(
    pg_cluster: PostgresCluster, tmp_path: Path
) -> None:
    url = pg_cluster.create_database()
    with LiveServer(tmp_path / "data", database_url=url) as server:
        alex = PortalHttp(server)
        assert alex.get("messages").status_code == 200
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                          "WHERE datname = current_database() AND pid <> pg_backend_pid()")
        pages = [alex.get("messages") for _ in range(3)]
    assert pages[0].status_code in (200, 503), pages[0].text[:300]
    if pages[0].status_code == 503:
        assert pages[0].headers["content-type"].startswith("text/html")
        assert LOST_DETAIL in pages[0].text
        assert pages[0].headers["Retry-After"].isdigit()
    assert [p.status_code for p in pages[1:]] == [200, 200]

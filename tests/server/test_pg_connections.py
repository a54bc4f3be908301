"""PostgreSQL connections: pinged only after sitting idle, and lookups that open no transaction."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from psycopg.pq import TransactionStatus
from sqlalchemy import Engine, text

from server.db import engine as engine_module
from server.db.engine import make_engine, make_lookup_session_factory, make_session_factory
from tests.support.api_client import Api
from tests.support.live_server import LiveServer
from tests.support.postgres import PostgresCluster


class OnePool:
    db_pool_size = 1
    db_pool_overflow = 0
    db_wait_seconds = 5.0


@pytest.fixture
def engine(pg_cluster: PostgresCluster) -> Iterator[Engine]:
    made = make_engine(pg_cluster.create_database(), pool=OnePool())
    try:
        yield made
    finally:
        made.dispose()


def backend_pid(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT pg_backend_pid()")).scalar_one())


def count_pings(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    pings: list[int] = []
    real = engine.dialect.do_ping

    def counted(dbapi_conn: Any) -> bool:
        pings.append(1)
        return bool(real(dbapi_conn))

    monkeypatch.setattr(engine.dialect, "do_ping", counted)
    return pings


def age_pooled_connections(engine: Engine, seconds: float) -> None:
    """Make the pool's connections look as if they were returned `seconds` ago."""
    for record in list(engine.pool._pool.queue):  # type: ignore[attr-defined]
        record.info[engine_module._RETURNED_AT] = time.monotonic() - seconds


def test_a_connection_in_steady_use_is_not_pinged(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    pings = count_pings(engine, monkeypatch)
    pids = {backend_pid(engine) for _ in range(20)}
    assert len(pids) == 1
    assert pings == []


def test_a_connection_idle_too_long_is_pinged_once(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = backend_pid(engine)
    pings = count_pings(engine, monkeypatch)
    age_pooled_connections(engine, engine_module.PING_AFTER_IDLE_SECONDS + 1)
    assert backend_pid(engine) == first
    assert backend_pid(engine) == first
    assert len(pings) == 1


def test_a_connection_dropped_while_idle_is_replaced_before_use(
    engine: Engine, pg_cluster: PostgresCluster
) -> None:
    dropped = backend_pid(engine)
    with psycopg.connect(str(engine.url.set(drivername="postgresql")), autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (dropped,))
    age_pooled_connections(engine, engine_module.PING_AFTER_IDLE_SECONDS + 1)

    assert backend_pid(engine) != dropped


def dbapi_status(session: Any) -> TransactionStatus:
    return session.connection().connection.dbapi_connection.info.transaction_status


def test_a_lookup_runs_outside_a_transaction_and_a_write_after_it_inside_one(
    engine: Engine,
) -> None:
    lookups, sessions = make_lookup_session_factory(engine), make_session_factory(engine)
    with lookups() as db:
        assert db.execute(text("SELECT 1")).scalar_one() == 1
        assert dbapi_status(db) == TransactionStatus.IDLE
    # The same pooled connection (the pool holds one) is transactional again for a writer.
    with sessions() as db:
        db.execute(text("SELECT 1"))
        assert dbapi_status(db) == TransactionStatus.INTRANS
        db.rollback()


def drop_every_connection(url: str) -> int:
    """What a PostgreSQL restart or a failover does to the server's pooled connections."""
    with psycopg.connect(url, autocommit=True) as admin:
        dropped = admin.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchone()
    return int(dropped[0]) if dropped else 0


def test_a_request_that_meets_a_dropped_connection_is_told_to_retry(
    pg_cluster: PostgresCluster, tmp_path: Any
) -> None:
    url = pg_cluster.create_database()
    with LiveServer(tmp_path / "data", database_url=url) as server:
        rivera = Api(server).as_("dr.rivera")
        assert rivera.get("/folders").status_code == 200
        assert drop_every_connection(url) >= 1

        answers = [rivera.get("/folders") for _ in range(3)]
        first = answers[0]
        assert first.status_code in (200, 503), first.text
        if first.status_code == 503:
            assert first.json()["code"] == "server_busy"
            assert first.headers["Retry-After"]
            assert "database" in first.json()["detail"]
        # The pool threw its dead connections away: the requests after it are served.
        assert [a.status_code for a in answers[1:]] == [200, 200]

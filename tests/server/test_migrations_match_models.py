"""The Alembic migrations build exactly the schema the models describe, on SQLite and on
PostgreSQL: an autogenerate comparison of the migrated database with the models' metadata
finds nothing to change."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from server.db.engine import make_engine
from server.db.migrate import upgrade
from server.db.models import Base


def differences(url: str) -> list[Any]:
    engine = make_engine(url)
    try:
        upgrade(engine)
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection,
                opts={"compare_type": True, "compare_server_default": True},
            )
            return list(compare_metadata(context, Base.metadata))
    finally:
        engine.dispose()


def test_migrations_build_the_models_schema(tmp_path: Path, database_url: str | None) -> None:
    url = database_url or f"sqlite:///{tmp_path / 'migrated.db'}"
    found = differences(url)
    assert found == [], "the migrations and the models differ:\n" + "\n".join(map(str, found))

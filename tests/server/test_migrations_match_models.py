"""The Alembic migrations build exactly the schema the models describe, on SQLite and on
PostgreSQL: an autogenerate comparison of the migrated database with the models' metadata
finds nothing to change."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Column
from sqlalchemy import text as sa_text

from server.db.engine import make_engine
from server.db.migrate import upgrade
from server.db.models import Base


def _expression_index(obj: Any, type_: str) -> bool:
    return type_ == "index" and any(not isinstance(e, Column) for e in obj.expressions)


def _bare(default: str | None) -> str | None:
    return None if default is None else default.strip().strip("()").strip("'\"")


def same_default(
    _context: Any, _inspected: Any, _column: Any, inspected: Any, _model: Any, rendered: Any
) -> bool | None:
    """False (no difference) for an empty-string default that SQLite reads back as ('');
    None leaves every other default to alembic's own comparison."""
    if _bare(inspected) == "" and _bare(rendered) == "":
        return False
    return None


def differences(url: str) -> list[Any]:
    engine = make_engine(url)
    sqlite = engine.dialect.name == "sqlite"

    def compared(obj: Any, _name: Any, type_: str, _reflected: bool, _other: Any) -> bool:
        # SQLite's reflection cannot read an index on an expression such as lower(name): those
        # are compared on PostgreSQL, and on SQLite only checked to exist (below).
        return not (sqlite and _expression_index(obj, type_))

    try:
        upgrade(engine)
        with engine.connect() as connection, warnings.catch_warnings():
            warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression")
            warnings.filterwarnings("ignore", "autogenerate skipping metadata-specified expr")
            context = MigrationContext.configure(
                connection,
                opts={
                    "compare_type": True,
                    "compare_server_default": same_default,
                    "include_object": compared,
                },
            )
            found = list(compare_metadata(context, Base.metadata))
            if sqlite:
                names = set(connection.scalars(sa_text(
                    "SELECT name FROM sqlite_master WHERE type = 'index'"
                )))
                for table in Base.metadata.tables.values():
                    for index in table.indexes:
                        if _expression_index(index, "index") and index.name not in names:
                            found.append(("missing expression index", index.name))
            return found
    finally:
        engine.dispose()


def test_migrations_build_the_models_schema(tmp_path: Path, database_url: str | None) -> None:
    url = database_url or f"sqlite:///{tmp_path / 'migrated.db'}"
    found = differences(url)
    assert found == [], "the migrations and the models differ:\n" + "\n".join(map(str, found))

"""Each practice has a slug; its portal address is {public URL}/portal/{slug}/, in /session and
in every notification email. An older database gets the demo practices' slugs on upgrade."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import command

from server.config import Settings
from server.db.engine import make_engine
from server.db.migrate import alembic_config
from tests.support.api_client import Api
from tests.support.live_server import LiveServer


def test_the_portal_address_follows_the_public_url_setting(tmp_path: Path,
                                                           database_url: str | None) -> None:
    server = LiveServer(tmp_path / "data", database_url=database_url,
                        public_url="https://inbox.rosewood-clinic.example/").start()
    try:
        for username, slug in (("alex", "lakeside"), ("dr.moss", "harbor")):
            info = Api(server).as_(username).get("/session").json()
            assert info["practice"]["portal_url"] == (
                f"https://inbox.rosewood-clinic.example/portal/{slug}/")
    finally:
        server.stop()


def test_upgrading_an_older_database_gives_every_practice_a_unique_slug(
    tmp_path: Path, database_url: str | None
) -> None:
    settings = Settings.build(data_dir=tmp_path / "data", database_url=database_url)
    settings.ensure_dirs()
    engine = make_engine(settings.database_url)
    try:
        config = alembic_config(engine)
        command.upgrade(config, "0001")
        names = ["Lakeside Counseling", "Harbor Therapy", "Rosewood Family Therapy",
                 "Rosewood family therapy!"]
        with engine.begin() as conn:
            for n, name in enumerate(names):
                conn.execute(sa.text("INSERT INTO practice (id, name, portal_url) "
                                     "VALUES (:id, :name, 'https://old.example/')"),
                             {"id": f"practice-{n:027d}", "name": name})
        command.upgrade(config, "head")
        with engine.connect() as conn:
            slugs = dict(conn.execute(sa.text("SELECT name, slug FROM practice")).all())
            columns = {c["name"] for c in sa.inspect(conn).get_columns("practice")}
        assert slugs == {"Lakeside Counseling": "lakeside", "Harbor Therapy": "harbor",
                         "Rosewood Family Therapy": "rosewood-family-therapy",
                         "Rosewood family therapy!": "rosewood-family-therapy-2"}
        assert "portal_url" not in columns
    finally:
        engine.dispose()

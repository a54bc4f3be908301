"""What the running server holds: settings, database, feed hub and background workers."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from server.auth.token_touch import TokenTouches
from server.blob_rows import DatabaseBlobStore
from server.blobs import BlobStore, FileBlobStore
from server.config import Settings
from server.db.engine import (
    make_engine,
    make_lookup_session_factory,
    make_read_session_factory,
    make_session_factory,
)
from server.feed import record
from server.feed.hub import FeedHub
from server.feed.read_ahead import FeedReadAhead
from server.notify import EmailWorker


@dataclass
class AppContext:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    read_sessions: sessionmaker[Session]
    lookups: sessionmaker[Session]
    blobs: BlobStore
    hub: FeedHub
    read_ahead: FeedReadAhead | None
    email_worker: EmailWorker | None = None
    token_touches: TokenTouches = field(default_factory=TokenTouches)

    @classmethod
    def create(cls, settings: Settings) -> AppContext:
        engine = make_engine(settings.database_url, pool=settings)
        hub = FeedHub()
        sessions = make_session_factory(engine)
        record.install(sessions, hub.wake)
        return cls(
            settings=settings,
            engine=engine,
            sessions=sessions,
            blobs=(DatabaseBlobStore(sessions) if engine.dialect.name == "postgresql"
                   else FileBlobStore(settings.blob_dir)),
            read_sessions=make_read_session_factory(engine),
            lookups=make_lookup_session_factory(engine),
            hub=hub,
            read_ahead=FeedReadAhead(hub) if settings.feed_read_ahead else None,
        )

    def kick_email(self) -> None:
        if self.email_worker is not None:
            self.email_worker.kick()

    @property
    def is_postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"

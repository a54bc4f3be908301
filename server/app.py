"""The FastAPI application: routers, error handlers and background workers."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI

from server.accounts import security_log
from server.api import (
    account,
    admin_people,
    admin_practice,
    audit_log,
    auth,
    blobs,
    changes,
    clients,
    directory,
    document,
    drafts,
    folders,
    snapshot,
    threads,
)
from server.busy import install_busy_handlers
from server.compression import CompressAnswers
from server.config import Settings
from server.context import AppContext
from server.deps import refuse_unstorable_text
from server.errors import install_handlers
from server.feed.pg_listen import PgListener
from server.maintenance import MaintenanceWorker
from server.notify import EmailWorker
from server.portal.app import create_portal
from server.query_numbers import refuse_odd_numbers
from server.transport.body_limit import BodyLimit, is_raw_upload
from server.transport.https import install as install_transport
from server.transport.write_gate import WriteGate

API_PREFIX = "/api/v1"


def _conninfo(ctx: AppContext) -> str:
    return ctx.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


def create_app(settings: Settings) -> FastAPI:
    settings.ensure_dirs()
    ctx = AppContext.create(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        ctx.hub.bind_loop(asyncio.get_running_loop())
        security_file = security_log.install(settings.data_dir)
        workers: list[EmailWorker | MaintenanceWorker | PgListener] = []
        if settings.run_workers:
            ctx.email_worker = EmailWorker(ctx.sessions, settings)
            workers += [ctx.email_worker, MaintenanceWorker(ctx.sessions, settings, ctx.blobs)]
        if ctx.is_postgres:
            workers.append(PgListener(_conninfo(ctx), ctx.hub))
        for worker in workers:
            worker.start()
        ctx.token_touches.start(ctx.sessions)
        try:
            yield
        finally:
            ctx.token_touches.stop()
            for worker in reversed(workers):
                worker.stop()
            if ctx.read_ahead is not None:
                ctx.read_ahead.close()
            ctx.engine.dispose()
            security_log.uninstall(security_file)

    app = FastAPI(
        title="Practice Inbox server",
        version="1",
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=f"{API_PREFIX}/docs",
        redoc_url=None,
        lifespan=lifespan,
        dependencies=[Depends(refuse_unstorable_text), Depends(refuse_odd_numbers)],
    )
    app.state.ctx = ctx
    install_handlers(app)
    install_busy_handlers(app)
    app.add_middleware(
        WriteGate,
        slots=settings.write_slots,
        wait_seconds=settings.db_wait_seconds,
        exempt=is_raw_upload,
    )
    # A body over the limit is refused before it waits for anything.
    app.add_middleware(BodyLimit, max_bytes=settings.max_json_bytes, exempt=is_raw_upload)
    # Outermost of all: HTTPS required behind a proxy, and HSTS on every answer.
    install_transport(app, settings)
    for module in (auth, directory, threads, folders, drafts, blobs, changes, clients, audit_log,
                   snapshot):
        app.include_router(module.router, prefix=API_PREFIX)
    for admin in (admin_people, admin_practice, account):
        app.include_router(admin.router, prefix=API_PREFIX)
    app.mount("/portal", create_portal(ctx))
    app.add_middleware(CompressAnswers, api_prefix=f"{API_PREFIX}/",
                       skip_prefix=f"{API_PREFIX}/blobs/")
    document.install(app, API_PREFIX)
    return app

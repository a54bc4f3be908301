"""One commit per writing request: every writing route takes the unit of work, the commit
comes before the answer, and what waits for the commit (a file to remove) waits for it."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from sqlalchemy.exc import OperationalError

import server.api
from server.deps import get_db, get_work, get_write_db
from tests.support import sample_files
from tests.support.api_client import Api, assert_problem
from tests.support.live_server import LiveServer
from tests.support.sql_events import listening

WRITES = {"POST", "PUT", "PATCH", "DELETE"}


def dependencies(dependant: Dependant) -> Iterator[Dependant]:
    for sub in dependant.dependencies:
        yield sub
        yield from dependencies(sub)


def api_routes() -> Iterator[APIRoute]:
    for info in pkgutil.iter_modules(server.api.__path__):
        module = importlib.import_module(f"server.api.{info.name}")
        router = getattr(module, "router", None)
        if router is not None:
            yield from (r for r in router.routes if isinstance(r, APIRoute))


def test_every_writing_api_route_commits_through_the_unit_of_work() -> None:
    routes = [r for r in api_routes() if r.methods & WRITES]
    assert len(routes) > 20
    for route in routes:
        used = list(dependencies(route.dependant))
        assert not [d for d in used if d.call in (get_db, get_write_db)], (
            f"{route.path} writes in a session that nothing commits once")
        for work in (d for d in used if d.call is get_work):
            assert work.scope == "function", f"{route.path} would commit after answering"


@contextmanager
def failing_commits(server: LiveServer) -> Iterator[None]:
    def refuse(_session: Any) -> None:
        raise OperationalError("COMMIT", {}, Exception("database is locked"))

    with listening(server.ctx.sessions, "before_commit", refuse):
        yield


def test_a_commit_that_fails_is_the_answer_not_a_success(
    shared_api: Api, shared_server: LiveServer
) -> None:
    rivera = shared_api.as_("dr.rivera")
    thread = shared_api.as_("alex").started(["dr.rivera"], subject="Kept unread")["thread"]
    with failing_commits(shared_server):
        reply = rivera.patch(f"/threads/{thread['id']}/state", json={"starred": True})
    assert_problem(reply, 503, "server_busy")  # "nothing was changed", and so it is
    mine = next(t for t in rivera.listing("inbox") if t["thread"]["id"] == thread["id"])
    assert mine["state"]["starred"] is False


def test_an_upload_s_file_goes_only_when_its_removal_is_committed(
    shared_api: Api, shared_server: LiveServer
) -> None:
    rivera = shared_api.as_("dr.rivera")
    blob = rivera.uploaded("scan.pdf", sample_files.pdf())
    store = shared_server.ctx.blobs
    with failing_commits(shared_server):
        refused = rivera.delete(f"/blobs/{blob['id']}")
    assert_problem(refused, 503, "server_busy")
    assert store.read(blob["id"]) is not None, "the file went though its row stayed"
    assert rivera.delete(f"/blobs/{blob['id']}").status_code == 204
    assert store.read(blob["id"]) is None

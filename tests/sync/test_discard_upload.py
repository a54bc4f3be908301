"""An attachment taken off a draft has its upload removed from the server, whether the
upload had finished or was still queued."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from server.db.models import Blob
from sync.api import ApiClient, ApiError
from sync.events import CommandFailed
from tests.support.live_server import LiveServer
from tests.sync.traffic import PDF


def uploads_of(server: LiveServer, username: str) -> set[str]:
    with server.ctx.sessions() as db:
        return set(db.scalars(
            select(Blob.id).where(Blob.uploader_id == server.person_id(username))).all())


def test_a_finished_upload_taken_off_is_removed(
        live_server: LiveServer, rivera: ApiClient, make_engine, tmp_path: Path) -> None:
    engine, _ = make_engine(rivera)
    assert engine.wait_until_synced(30)
    before = uploads_of(live_server, "dr.rivera")
    file = tmp_path / "wrong form.pdf"
    file.write_bytes(PDF)
    engine.attach(file)
    assert engine.wait_until_synced(30)
    [uploaded] = uploads_of(live_server, "dr.rivera") - before
    engine.discard_upload(uploaded)
    assert engine.wait_until_synced(30)
    assert uploads_of(live_server, "dr.rivera") == before
    with pytest.raises(ApiError) as gone, rivera.download_blob(uploaded):
        pass
    assert gone.value.status == 404


def test_a_queued_upload_taken_off_is_removed_once_it_is_made(
        live_server: LiveServer, rivera: ApiClient, make_engine, tmp_path: Path) -> None:
    engine, _ = make_engine(rivera, start=False)
    before = uploads_of(live_server, "dr.rivera")
    file = tmp_path / "second thoughts.pdf"
    file.write_bytes(PDF)
    local = engine.attach(file)
    engine.discard_upload(local["id"])  # offline: both wait in the outbox
    engine.start()
    assert engine.wait_until_synced(30)
    assert uploads_of(live_server, "dr.rivera") == before


def test_a_sent_attachment_taken_off_another_draft_stays(
        live_server: LiveServer, rivera: ApiClient, make_engine, tmp_path: Path) -> None:
    engine, events = make_engine(rivera)
    assert engine.wait_until_synced(30)
    file = tmp_path / "plan.pdf"
    file.write_bytes(PDF)
    local = engine.attach(file)
    alex = f"person:{live_server.person_id('alex')}"
    engine.send_new([alex], "Plan", "<p>Here is the plan we talked about.</p>", [local["id"]])
    assert engine.wait_until_synced(30)
    [sent] = uploads_of(live_server, "dr.rivera")
    engine.discard_upload(sent)
    assert engine.wait_until_synced(30)
    assert uploads_of(live_server, "dr.rivera") == {sent}
    assert events.of(CommandFailed) == []

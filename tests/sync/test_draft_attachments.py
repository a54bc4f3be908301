"""Drafts keep the details of their attachments (the server keeps only the ids), through the
upload's new id, a save with ids only, and a cache from before they were kept."""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path

import pytest

from sync import outbox
from sync.api import ApiClient
from sync.cache import Cache
from sync.cache.schema import MIGRATIONS, add_draft_attachments
from tests.support.live_server import LiveServer
from tests.sync.pages import ME, page
from tests.sync.test_cache import apply
from tests.sync.traffic import PDF, upload_pdf

NO_DETAILS = {"filename": None, "size": None, "content_type": None}


def test_a_saved_draft_keeps_its_attachments_details(
        live_server: LiveServer, rivera: ApiClient, make_engine, tmp_path: Path) -> None:
    engine, _ = make_engine(rivera)
    assert engine.wait_until_synced(30)
    alex = f"person:{live_server.person_id('alex')}"
    file = tmp_path / "intake form.pdf"
    file.write_bytes(PDF + b"% filled in\n" * 100)
    local = engine.attach(file)
    draft_id = engine.save_draft({"to": [alex], "subject": "With a form",
                                  "attachment_ids": [local["id"]]}, attachments=[local])
    mine = engine.cache.drafts()[0]
    assert mine["attachments"] == [local]  # at once, before the upload

    assert engine.wait_until_synced(30)
    mine = next(d for d in engine.cache.drafts() if d["id"] == draft_id)
    real_id = mine["attachment_ids"][0]
    assert real_id != local["id"] and not mine["pending"]
    assert mine["attachments"] == [dict(local, id=real_id)]
    assert mine["attachments"][0]["filename"] == "intake form.pdf"
    on_server = next(d for d in rivera.drafts()["drafts"] if d["id"] == draft_id)
    assert on_server["attachment_ids"] == [real_id]

    # Saved again the old way, with ids only: the details stay.
    engine.save_draft({"id": draft_id, "to": [alex], "subject": "With a form, edited",
                       "attachment_ids": [real_id]})
    assert engine.wait_until_synced(30)
    mine = next(d for d in engine.cache.drafts() if d["id"] == draft_id)
    assert mine["subject"] == "With a form, edited"
    assert mine["attachments"][0]["filename"] == "intake form.pdf"

    # Details given as the upload's answers in attachment_ids work the same.
    uploaded = upload_pdf(rivera, "letter.pdf", "letter")
    second = engine.save_draft({"to": [alex], "subject": "Letter",
                                "attachment_ids": [uploaded]})
    assert engine.wait_until_synced(30)
    mine = next(d for d in engine.cache.drafts() if d["id"] == second)
    assert mine["attachment_ids"] == [uploaded["id"]]
    assert mine["attachments"] == [uploaded]


def test_a_draft_from_another_computer_has_ids_without_details(
        live_server: LiveServer, rivera: ApiClient, make_engine) -> None:
    uploaded = upload_pdf(rivera, "made elsewhere.pdf", "elsewhere")
    draft_id = str(uuid.uuid4())
    rivera.put_draft({"id": draft_id, "to": [], "subject": "From the front desk PC",
                      "body_html": "<p>x</p>", "attachment_ids": [uploaded["id"]],
                      "thread_id": None})
    engine, _ = make_engine(rivera)
    assert engine.wait_until_synced(30)
    mine = next(d for d in engine.cache.drafts() if d["id"] == draft_id)
    assert mine["attachments"] == [{"id": uploaded["id"], **NO_DETAILS}]


def test_details_without_an_id_are_refused_and_nothing_is_queued(
        rivera: ApiClient, make_engine) -> None:
    engine, _ = make_engine(rivera, start=False)
    with pytest.raises(ValueError, match="no id"):
        engine.save_draft({"subject": "Bad"}, attachments=[{"filename": "x.pdf"}])
    assert engine.cache.outbox_items() == [] and engine.cache.drafts() == []


def test_a_cache_from_the_previous_version_keeps_its_drafts(tmp_path: Path) -> None:
    path, key = tmp_path / "old.db", os.urandom(32)
    cache = Cache.open(path, key)
    draft = {"id": "draft-00000000000000001", "to": [], "subject": "Older draft",
             "body_html": "<p>v1</p>", "attachment_ids": ["blob-00000000000009"],
             "thread_id": None, "updated_at": "2026-03-01T09:00:00Z"}
    with cache.write() as conn:
        Cache.set_meta(conn, "session", json.dumps({"user": ME, "limits": {}}))
    apply(cache, page(drafts=[draft]))
    with cache.write() as conn:
        conn.exec_driver_sql("ALTER TABLE drafts DROP COLUMN attachments")
        conn.exec_driver_sql(
            f"PRAGMA user_version = {MIGRATIONS.index(add_draft_attachments)}")
    cache.close()

    cache = Cache.open(path, key)
    try:
        (mine,) = cache.drafts()
        assert mine["attachments"] == [{"id": "blob-00000000000009", **NO_DETAILS}]
        details = {"id": "blob-00000000000009", "filename": "plan.pdf", "size": 12,
                   "content_type": "application/pdf", "sha256": "ab"}
        with cache.write() as conn:
            outbox.enqueue(conn, "save_draft", {"draft": dict(draft, attachments=[details])},
                           "d")
        assert cache.drafts()[0]["attachments"] == [details]
    finally:
        cache.close()

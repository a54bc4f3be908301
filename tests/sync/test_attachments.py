"""Attachments against the real server: streamed uploads with progress, checked downloads,
and a message with an attachment sent while the server is down, delivered once."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from sync.api import ApiClient
from sync.blobs import AttachmentRefused, BlobCache, ChecksumMismatch, upload
from sync.events import CommandFailed, SyncStatus, UploadProgress
from tests.support.live_server import LiveServer
from tests.sync.server_truth import differences
from tests.sync.traffic import PDF, signed_in


def pdf_file(folder: Path, name: str, size: int) -> Path:
    path = folder / name
    path.write_bytes(PDF + os.urandom(max(0, size - len(PDF))))
    return path


def test_uploads_stream_with_progress_and_downloads_are_checked(
        rivera: ApiClient, tmp_path: Path) -> None:
    path = pdf_file(tmp_path, "scan results.pdf", 1_000_000)
    calls: list[tuple[int, int]] = []
    limits = rivera.session()["limits"]
    attachment = upload(rivera, path, limits, lambda done, total: calls.append((done, total)))
    assert attachment["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert attachment["filename"] == "scan results.pdf"
    assert len(calls) > 3 and calls[-1] == (1_000_000, 1_000_000)
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)

    files = BlobCache(tmp_path / "files", os.urandom(32), api=rivera)
    assert files.read_bytes(attachment) == path.read_bytes()
    sealed = files.path_of(attachment["id"]).read_bytes()
    assert path.read_bytes()[:4096] not in sealed

    tampered = dict(attachment, id=attachment["id"], sha256="0" * 64)
    files.remove([attachment["id"]])
    with pytest.raises(ChecksumMismatch, match="damaged"):
        files.fetch(tampered)
    assert not files.has(attachment["id"])  # a bad download is never kept


def test_files_the_server_would_refuse_are_refused_before_queueing(
        rivera: ApiClient, make_engine, tmp_path: Path) -> None:
    engine, _ = make_engine(rivera)
    assert engine.wait_until_synced(30)
    limit = engine.cache.limits()["max_attachment_bytes"]
    big = tmp_path / "huge.pdf"
    with open(big, "wb") as out:
        out.truncate(limit + 1)
    program = tmp_path / "invoice.exe"
    program.write_bytes(b"MZ" + os.urandom(100))
    with pytest.raises(AttachmentRefused, match="at most 10.0 MB"):
        engine.attach(big)
    with pytest.raises(AttachmentRefused, match=r"\.pdf"):
        engine.attach(program)
    assert engine.cache.outbox_items() == []


def test_a_message_with_an_attachment_sent_while_the_server_is_down_arrives_once(
        live_server: LiveServer, rivera: ApiClient, make_engine, tmp_path: Path) -> None:
    engine, events = make_engine(rivera)
    assert engine.wait_until_synced(30)
    alex_id = live_server.person_id("alex")
    path = pdf_file(tmp_path, "treatment plan.pdf", 300_000)

    live_server.stop()
    attachment = engine.attach(path)
    path.unlink()  # the kept (encrypted) copy is what gets sent
    local = engine.send_new([f"person:{alex_id}"], "Plan while offline",
                            "<p>The treatment plan we discussed is attached.</p>",
                            [attachment["id"]], attachments=[attachment])
    row = engine.cache.thread_rows([local])[0]
    assert row["has_attachments"] and row["folder"] == "sent"
    assert engine.cache.conversation(local)["messages"][0]["pending"]

    live_server.start()
    assert engine.wait_until_synced(60)
    assert any(isinstance(e, SyncStatus) and e.state == "offline" for e in events.events)
    assert events.of(CommandFailed) == []
    progress = [e for e in events.of(UploadProgress) if e.attachment_id == attachment["id"]]
    assert progress and progress[-1].done == progress[-1].total == 300_000

    alex = signed_in(live_server, "alex")
    inbox = [i["thread"] for i in alex.threads("inbox")["items"]
             if i["thread"]["subject"] == "Plan while offline"]
    assert len(inbox) == 1
    message = alex.thread(inbox[0]["id"])["messages"][0]
    [sent] = message["attachments"]
    assert sent["filename"] == "treatment plan.pdf" and sent["size"] == 300_000
    with alex.download_blob(sent["id"]) as response:
        received = b"".join(response.iter_content(65536))
    assert hashlib.sha256(received).hexdigest() == sent["sha256"]

    # The sender's own copy was kept: opening it needs no download.
    assert engine.blobs.has(sent["id"])
    assert engine.blobs.read_bytes(sent) == received
    assert differences(engine.cache, rivera) == []

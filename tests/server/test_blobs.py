"""Attachments: the size limit to the byte, refused streams not held in memory, sha256 and
download headers, content checked against the extension, clean file names, and only the
uploader and the participants of a carrying message can download.
"""

from __future__ import annotations

import hashlib
import select
import socket
from collections.abc import Iterator
from urllib.parse import quote

import pytest
from sqlalchemy import func
from sqlalchemy import select as sql_select

from server.db.models import Blob
from tests.support import sample_files
from tests.support.api_client import Api, User, assert_problem
from tests.support.live_server import LiveServer

LIMIT = 10_485_760
CHUNK = 64 * 1024
PNG = sample_files.image("PNG")
PDF = sample_files.pdf()
JPEG = sample_files.image("JPEG")
GIF = sample_files.image("GIF")
DOCX = sample_files.docx()
DOC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64
HEIC = sample_files.heic()
ELF = b"\x7fELF\x02\x01\x01" + b"\x00" * 200
MZ = b"MZ\x90\x00\x03" + b"\x00" * 200


def rss_bytes() -> int:
    """Resident memory of this process, which runs the server in a thread."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS in /proc/self/status")


def repeated(total: int, chunk: int = CHUNK) -> Iterator[bytes]:
    """`total` bytes of text in chunks, the same chunk object each time (nothing piles up)."""
    block = b"a" * chunk
    sent = 0
    while sent + chunk <= total:
        sent += chunk
        yield block
    if total > sent:
        yield b"a" * (total - sent)


def stream_until_answered(
    server: LiveServer, user: User, filename: str, total: int
) -> tuple[int, bytes]:
    """Send a chunked upload over a raw socket, stopping as soon as the server answers.

    Returns how many body bytes went out and the raw HTTP answer.
    """
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=5)
    head = (
        "POST /api/v1/blobs HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Authorization: Bearer {user.token}\r\nX-Filename: {quote(filename)}\r\n"
        "Content-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n"
    )
    sock.sendall(head.encode())
    frame = f"{CHUNK:x}\r\n".encode() + b"a" * CHUNK + b"\r\n"
    sent = 0
    with sock:
        while sent < total:
            if select.select([sock], [], [], 0)[0]:
                break  # the server answered before the body ended
            try:
                sock.sendall(frame)
            except (BrokenPipeError, ConnectionResetError, TimeoutError):
                break
            sent += CHUNK
        answer = b""
        try:
            while b"\r\n\r\n" not in answer or not answer.rstrip().endswith(b"}"):
                data = sock.recv(65536)
                if not data:
                    break
                answer += data
        except (ConnectionResetError, TimeoutError):
            pass
    return sent, answer


def blob_rows(server: LiveServer) -> int:
    with server.ctx.sessions() as db:
        return int(db.scalar(sql_select(func.count()).select_from(Blob)) or 0)


def test_exactly_the_limit_is_accepted_streamed(shared_api: Api, shared_server: LiveServer) -> None:
    rivera = shared_api.as_("dr.rivera")
    reply = rivera.upload("limit.txt", repeated(LIMIT), "text/plain")
    assert reply.status_code == 201, reply.text
    body = reply.json()
    assert body["size"] == LIMIT
    assert body["sha256"] == hashlib.sha256(b"a" * LIMIT).hexdigest()
    assert shared_server.ctx.blobs.stored_size(body["id"]) == LIMIT


def test_one_byte_more_is_refused(shared_api: Api, shared_server: LiveServer) -> None:
    rivera = shared_api.as_("dr.rivera")
    rows = blob_rows(shared_server)
    declared = rivera.upload("over.txt", b"a" * (LIMIT + 1), "text/plain")  # Content-Length
    assert_problem(declared, 413, "attachment_too_large")
    streamed = rivera.upload("over.txt", repeated(LIMIT + 1), "text/plain")  # chunked
    assert_problem(streamed, 413, "attachment_too_large")
    assert blob_rows(shared_server) == rows
    assert shared_server.ctx.blobs.partial_count() == 0


def test_a_huge_stream_is_refused_without_holding_it(
    shared_api: Api, shared_server: LiveServer
) -> None:
    offered = 200 * 1024 * 1024
    rivera = shared_api.as_("dr.rivera")
    before = rss_bytes()
    sent, answer = stream_until_answered(shared_server, rivera, "huge.txt", offered)
    growth = rss_bytes() - before
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert b'"code":"attachment_too_large"' in answer
    assert sent < offered / 4, f"the server read {sent} bytes before refusing"
    assert growth < offered / 8, f"memory grew by {growth} bytes"
    assert shared_server.ctx.blobs.partial_count() == 0


def test_sha256_etag_and_download_headers(shared_api: Api) -> None:
    rivera = shared_api.as_("dr.rivera")
    name = "Résumé 日本 plan.pdf"
    reply = rivera.upload(name, PDF, "application/pdf")
    assert reply.status_code == 201, reply.text
    blob = reply.json()
    assert set(blob) == {"id", "filename", "size", "content_type", "sha256"}
    assert blob["filename"] == name
    assert blob["size"] == len(PDF)
    assert blob["content_type"] == "application/pdf"
    assert blob["sha256"] == hashlib.sha256(PDF).hexdigest()
    download = rivera.get(f"/blobs/{blob['id']}")
    assert download.status_code == 200
    assert download.content == PDF
    assert download.headers["ETag"].strip('"') == blob["sha256"]
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.headers["Content-Type"].startswith("application/pdf")
    assert download.headers["Content-Disposition"] == f"attachment; filename*=UTF-8''{quote(name)}"


ACCEPTED = [
    pytest.param("scan.pdf", PDF, id="pdf"),
    pytest.param("SCAN.PDF", PDF, id="upper-case-extension"),
    pytest.param("photo.png", PNG, id="png"),
    pytest.param("photo.jpg", JPEG, id="jpg"),
    pytest.param("photo.jpeg", JPEG, id="jpeg"),
    pytest.param("anim.gif", GIF, id="gif"),
    pytest.param("letter.docx", DOCX, id="docx"),
    pytest.param("letter.doc", DOC, id="doc"),
    pytest.param("phone.heic", HEIC, id="heic"),
    pytest.param("notes.txt", "Plain notes — ünïcode".encode(), id="txt"),
    pytest.param("empty.txt", b"", id="empty-txt"),
    pytest.param("image.bmp", sample_files.image("BMP"), id="bmp"),
    pytest.param("letter.rtf", b"{\\rtf1\\ansi hello}", id="rtf"),
]


@pytest.mark.parametrize(("filename", "content"), ACCEPTED)
def test_allowed_types(shared_api: Api, filename: str, content: bytes) -> None:
    reply = shared_api.as_("alex").upload(filename, content)
    assert reply.status_code == 201, reply.text
    assert reply.json()["size"] == len(content)


REFUSED = [
    pytest.param("report.pdf", ELF, id="elf-renamed-pdf"),
    pytest.param("report.pdf", MZ, id="exe-renamed-pdf"),
    pytest.param("report.pdf", PNG, id="png-named-pdf"),
    pytest.param("photo.png", PDF, id="pdf-named-png"),
    pytest.param("photo.jpg", GIF, id="gif-named-jpg"),
    pytest.param("notes.txt", ELF, id="elf-named-txt"),
    pytest.param("notes.txt", MZ, id="exe-named-txt"),
    pytest.param("notes.txt", b"#!/bin/sh\nrm -rf /\n", id="script-named-txt"),
    pytest.param("notes.txt", b"text with a \x00 byte", id="binary-named-txt"),
    pytest.param("setup.exe", MZ, id="exe"),
    pytest.param("page.html", b"<html></html>", id="html"),
    pytest.param("image.svg", b"<svg/>", id="svg"),
    pytest.param("run.js", b"alert(1)", id="js"),
    pytest.param("README", b"plain text", id="no-extension"),
    pytest.param("report.pdf.exe", MZ, id="double-extension"),
    pytest.param("short.pdf", b"%PD", id="shorter-than-magic"),
]


@pytest.mark.parametrize(("filename", "content"), REFUSED)
def test_refused_types(
    shared_api: Api, shared_server: LiveServer, filename: str, content: bytes
) -> None:
    rows = blob_rows(shared_server)
    reply = shared_api.as_("alex").upload(filename, content)
    assert_problem(reply, 415, "attachment_type_not_allowed")
    assert blob_rows(shared_server) == rows


def test_spoof_detected_past_the_first_chunk(shared_api: Api) -> None:
    """The content check holds when the body arrives in small pieces."""

    def trickle() -> Iterator[bytes]:
        for i in range(0, len(ELF) + 5000, 7):
            yield (ELF + b"\x00" * 5000)[i : i + 7]

    reply = shared_api.as_("alex").upload("report.pdf", trickle())
    assert_problem(reply, 415, "attachment_type_not_allowed")


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        pytest.param("../../etc/passwd.txt", "passwd.txt", id="dot-dot-path"),
        pytest.param("/var/tmp/notes.txt", "notes.txt", id="absolute-path"),
        pytest.param("C:\\Users\\alex\\report.pdf", "report.pdf", id="windows-path"),
        pytest.param("bad\x01na\x1fme\x7f.txt", "badname.txt", id="control-characters"),
        pytest.param("line\nbreak\r.txt", "linebreak.txt", id="newlines"),
        pytest.param("..hidden.txt", "hidden.txt", id="leading-dots"),
        pytest.param('what?*"<>|.txt', "what.txt", id="reserved-characters"),
        pytest.param("report\u202efdp.txt", "reportfdp.txt", id="right-to-left-override"),
        pytest.param("\u202aa\u202bb\u202cc\u202dd.txt", "abcd.txt", id="bidi-embeddings"),
        pytest.param("x\u2066y\u2067z\u2068w\u2069.txt", "xyzw.txt", id="bidi-isolates"),
        pytest.param("in\u200bvoi\u200c\u200dce.txt", "invoice.txt", id="zero-width"),
        pytest.param("\ufeffnotes\u2060.txt", "notes.txt", id="bom-and-word-joiner"),
        pytest.param("a\u00a0\u2003b.txt", "a b.txt", id="odd-spaces-become-one"),
    ],
)
def test_filenames_are_cleaned(shared_api: Api, raw: str, clean: str) -> None:
    content = PDF if clean.endswith(".pdf") else b"text"
    reply = shared_api.as_("alex").upload(raw, content)
    assert reply.status_code == 201, reply.text
    assert reply.json()["filename"] == clean


def test_upload_needs_a_filename(shared_api: Api) -> None:
    alex = shared_api.as_("alex")
    reply = alex.http.post(alex.url("/blobs"), data=b"hello", timeout=30)
    assert_problem(reply, 422, "validation_error")


def test_only_uploader_and_participants_download(shared_api: Api) -> None:
    alex = shared_api.as_("alex")
    blob = alex.uploaded("insurance.pdf", PDF)
    # before it is sent, only the uploader reads it
    assert alex.get(f"/blobs/{blob['id']}").status_code == 200
    for name in ("dr.rivera", "admin", "blair", "dr.moss"):
        assert_problem(shared_api.as_(name).get(f"/blobs/{blob['id']}"), 404, "not_found")
    sent = alex.started(["dr.rivera", "frontdesk"], attachment_ids=[blob["id"]])
    assert sent["message"]["attachments"] == [blob]
    for name in ("dr.rivera", "frontdesk"):
        download = shared_api.as_(name).get(f"/blobs/{blob['id']}")
        assert download.status_code == 200 and download.content == PDF
    for name in ("admin", "blair", "billing", "dr.chen", "dr.moss", "harbor.admin"):
        assert_problem(shared_api.as_(name).get(f"/blobs/{blob['id']}"), 404, "not_found")
    anonymous = alex.http.get(alex.url(f"/blobs/{blob['id']}"), headers={"Authorization": ""})
    assert_problem(anonymous, 401, "unauthenticated")


def test_only_readable_blobs_can_be_attached(shared_api: Api) -> None:
    alex, rivera = shared_api.as_("alex"), shared_api.as_("dr.rivera")
    blob = alex.uploaded("mine.pdf", PDF)
    assert_problem(rivera.send(["alex"], attachment_ids=[blob["id"]]), 422, "validation_error")
    thread_id = alex.started(["dr.rivera"], attachment_ids=[blob["id"]])["thread"]["id"]
    # a participant may forward what it can read
    forwarded = rivera.send(["frontdesk"], attachment_ids=[blob["id"]])
    assert forwarded.status_code == 201, forwarded.text
    assert shared_api.as_("frontdesk").get(f"/blobs/{blob['id']}").status_code == 200
    assert rivera.thread(thread_id)["messages"][0]["attachments"][0]["id"] == blob["id"]

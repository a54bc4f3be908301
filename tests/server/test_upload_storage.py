"""Storage and deletion of uploads: the structure of a file checked against its type, raw
UTF-8 file names refused, the per-user quota of pending uploads, deleting one's own upload,
drafts that may list only the author's files, and permanent deletes that no draft can
defeat. (Invisible characters leaving file names: test_blobs.py.)"""

from __future__ import annotations

import io
import uuid
import zipfile

import pytest
import requests

from tests.server.conftest import ServerFactory
from tests.support import sample_files
from tests.support.api_client import Api, User, assert_problem
from tests.support.live_server import LiveServer

ELF = b"\x7fELF\x02\x01\x01" + b"\x00" * 300
HTML = b"<html><body><script>alert(document.cookie)</script></body></html>"


def any_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("payload.exe", b"MZ" + b"\x00" * 100)
    return out.getvalue()


def truncated(data: bytes) -> bytes:
    return data[: len(data) // 2]


HOSTILE = [
    pytest.param("report.pdf", b"%PDF-1.7\n" + ELF, id="pdf-header-then-elf"),
    pytest.param("report.pdf", b"%PDF-1.4\n" + HTML, id="pdf-header-then-html"),
    pytest.param("anim.gif", b"GIF89a<script>alert(1)</script>" + b" " * 64, id="gif-then-script"),
    pytest.param("photo.png", b"\x89PNG\r\n\x1a\n" + HTML * 80, id="png-header-then-html"),
    pytest.param("photo.jpg", b"\xff\xd8\xff\xe0" + HTML * 80, id="jpeg-header-then-html"),
    pytest.param("image.bmp", b"BM" + HTML * 80, id="bmp-header-then-html"),
    pytest.param("photo.png", truncated(sample_files.image("PNG", (64, 64))), id="png-cut-short"),
    pytest.param("photo.png", sample_files.image("GIF"), id="real-gif-named-png"),
    pytest.param("letter.docx", any_zip(), id="any-zip-as-docx"),
    pytest.param("letter.docx", b"PK\x03\x04" + b"\x00" * 200, id="zip-header-only"),
    pytest.param("phone.heic", b"\x00\x00\x00\x18ftypheic" + HTML * 10, id="heic-header-then-html"),
    pytest.param("phone.heic", sample_files.box(b"ftyp", b"heic\x00\x00\x00\x00") + HTML,
                 id="heic-ftyp-then-junk"),
    pytest.param("notes.txt", b"a" * 8000 + b"\x00" + b"b" * 100, id="txt-with-a-late-nul"),
]


@pytest.mark.parametrize(("filename", "content"), HOSTILE)
def test_a_valid_header_does_not_carry_anything_else(
    shared_api: Api, filename: str, content: bytes
) -> None:
    assert_problem(shared_api.as_("alex").upload(filename, content), 415,
                   "attachment_type_not_allowed")


@pytest.mark.parametrize(
    ("filename", "content"),
    [
        pytest.param("scan.pdf", sample_files.pdf("scan"), id="pdf"),
        pytest.param("photo.png", sample_files.image("PNG"), id="png"),
        pytest.param("photo.jpeg", sample_files.image("JPEG"), id="jpeg"),
        pytest.param("anim.gif", sample_files.image("GIF"), id="gif"),
        pytest.param("image.bmp", sample_files.image("BMP"), id="bmp"),
        pytest.param("letter.docx", sample_files.docx("Dear Alex"), id="docx"),
        pytest.param("phone.heic", sample_files.heic(), id="heic"),
    ],
)
def test_real_files_of_each_type_pass(shared_api: Api, filename: str, content: bytes) -> None:
    reply = shared_api.as_("alex").upload(filename, content)
    assert reply.status_code == 201, reply.text
    assert reply.json()["size"] == len(content)


def test_a_raw_utf8_filename_is_refused_with_a_sentence(shared_api: Api) -> None:
    alex = shared_api.as_("alex")
    reply = alex.http.post(
        alex.url("/blobs"),
        data=b"plain text",
        headers={"X-Filename": "résumé.txt".encode(), "Content-Type": "text/plain"},
        timeout=30,
    )
    body = assert_problem(reply, 422, "validation_error")
    assert "percent-encoded" in body["detail"]


def pending_quota_server(make_server: ServerFactory) -> LiveServer:
    return make_server(max_attachment_bytes=4000, max_pending_upload_bytes=10_000)


def test_pending_uploads_have_a_quota(make_server: ServerFactory) -> None:
    server = pending_quota_server(make_server)
    api = Api(server)
    rivera = api.as_("dr.rivera")
    limits = rivera.get("/session").json()["limits"]
    assert limits["max_pending_upload_bytes"] == 10_000
    first = [rivera.uploaded(f"part{n}.txt", b"x" * 3000) for n in range(3)]
    # 9,000 pending: a fourth file of 3,000 does not fit, streamed or declared
    body = assert_problem(rivera.upload("part3.txt", b"x" * 3000), 413, "upload_quota_exceeded")
    assert "9.8 KB" in body["detail"]
    chunks = (b"x" * 500 for _ in range(6))
    assert_problem(rivera.upload("streamed.txt", chunks), 413, "upload_quota_exceeded")
    assert rivera.upload("small.txt", b"x" * 900).status_code == 201
    # the quota is per person; a draft does not take its files out of it
    assert api.as_("frontdesk").upload("theirs.txt", b"x" * 3000).status_code == 201
    draft = {"attachment_ids": [b["id"] for b in first]}
    assert rivera.put(f"/drafts/{uuid.uuid4()}", draft).status_code == 200
    assert_problem(rivera.upload("again.txt", b"x" * 3000), 413, "upload_quota_exceeded")
    # sending frees the room, and so does deleting an upload
    rivera.started(["alex"], attachment_ids=[first[0]["id"]])
    assert rivera.delete(f"/blobs/{first[1]['id']}").status_code == 204
    assert rivera.upload("fits.txt", b"x" * 3000).status_code == 201


def test_deleting_ones_own_upload(shared_api: Api, shared_server: LiveServer) -> None:
    rivera, chen = shared_api.as_("dr.rivera"), shared_api.as_("dr.chen")
    loose = rivera.uploaded("taken-off.pdf", sample_files.pdf("taken off a draft"))
    store = shared_server.ctx.blobs
    assert store.stored_size(loose["id"]) is not None
    assert_problem(chen.delete(f"/blobs/{loose['id']}"), 404, "not_found")
    assert rivera.delete(f"/blobs/{loose['id']}").status_code == 204
    assert store.stored_size(loose["id"]) is None
    assert_problem(rivera.get(f"/blobs/{loose['id']}"), 404, "not_found")
    assert_problem(rivera.delete(f"/blobs/{loose['id']}"), 404, "not_found")
    # a sent file stays: it goes with its message
    sent = rivera.uploaded("sent.pdf", sample_files.pdf("sent"))
    rivera.started(["alex"], attachment_ids=[sent["id"]])
    assert_problem(rivera.delete(f"/blobs/{sent['id']}"), 409, "attachment_in_use")
    assert shared_api.as_("alex").get(f"/blobs/{sent['id']}").status_code == 200
    anonymous = requests.delete(rivera.url(f"/blobs/{sent['id']}"), timeout=30)
    assert_problem(anonymous, 401, "unauthenticated")


def stored_draft(user: User, attachment_ids: list[str]) -> list[str]:
    reply = user.put(f"/drafts/{uuid.uuid4()}", {"subject": "Keep this text",
                                                 "attachment_ids": attachment_ids})
    assert reply.status_code == 200, reply.text
    assert reply.json()["subject"] == "Keep this text"
    return list(reply.json()["attachment_ids"])


def test_a_draft_lists_only_files_its_author_may_send(shared_api: Api) -> None:
    rivera, alex, moss = (shared_api.as_(n) for n in ("dr.rivera", "alex", "dr.moss"))
    own = alex.uploaded("own.pdf", sample_files.pdf("alex's own"))
    unsent = rivera.uploaded("unsent.pdf", sample_files.pdf("not sent to anyone"))
    sent = rivera.uploaded("sent.pdf", sample_files.pdf("sent to alex"))
    rivera.started(["alex"], attachment_ids=[sent["id"]])
    # a file alex can read (forwarding) and its own are kept; another's unsent upload, an
    # unknown id and a file of another practice are left out, and the draft is still saved
    kept = stored_draft(alex, [own["id"], sent["id"], unsent["id"], str(uuid.uuid4())])
    assert kept == [own["id"], sent["id"]]
    assert stored_draft(moss, [sent["id"], unsent["id"]]) == []


def test_a_permanent_delete_removes_files_whatever_drafts_list_them(
    shared_api: Api, shared_server: LiveServer
) -> None:
    """The probe's finding: a client's draft listing the therapist's attachment kept the file
    alive after the therapist deleted the thread for everyone."""
    rivera, alex, moss = (shared_api.as_(n) for n in ("dr.rivera", "alex", "dr.moss"))
    blob = rivera.uploaded("results.pdf", sample_files.pdf("results"))
    thread_id = rivera.started(["alex"], attachment_ids=[blob["id"]])["thread"]["id"]
    assert stored_draft(alex, [blob["id"]]) == [blob["id"]]
    stored_draft(moss, [blob["id"]])
    stored_draft(rivera, [blob["id"]])
    assert rivera.delete(f"/threads/{thread_id}").status_code == 204
    assert shared_server.ctx.blobs.stored_size(blob["id"]) is None
    for user in (rivera, alex, moss):
        assert_problem(user.get(f"/blobs/{blob['id']}"), 404, "not_found")

"""Answers are gzipped where the client accepts it; attachment downloads never are."""

from __future__ import annotations

import gzip

import orjson
import requests

from tests.support.api_client import Api
from tests.support.live_server import LiveServer


def test_feed_pages_are_gzipped_when_accepted_and_say_the_same(shared_api: Api) -> None:
    rivera = shared_api.as_("dr.rivera")
    rivera.started(["alex"], body="<p>" + "Sleep log. " * 200 + "</p>")
    raw = rivera.http.get(rivera.url("/changes"), headers={"Accept-Encoding": "gzip"},
                          timeout=90, stream=True)
    assert raw.headers["Content-Encoding"] == "gzip"
    wire = raw.raw.read(decode_content=False)
    assert int(raw.headers["Content-Length"]) == len(wire)
    zipped = orjson.loads(gzip.decompress(wire))
    plain = rivera.get("/changes", headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in plain.headers
    assert len(wire) < len(plain.content) / 2
    assert zipped == plain.json()


def test_small_answers_and_attachment_downloads_are_sent_as_they_are(shared_api: Api) -> None:
    rivera = shared_api.as_("dr.rivera")
    assert "Content-Encoding" not in rivera.get("/session").headers
    notes = b"Plain notes, very compressible. " * 2000
    blob = rivera.uploaded("notes.txt", notes)
    download = rivera.http.get(rivera.url(f"/blobs/{blob['id']}"),
                               headers={"Accept-Encoding": "gzip"}, timeout=90, stream=True)
    assert download.status_code == 200
    assert "Content-Encoding" not in download.headers
    assert download.raw.read(decode_content=False) == notes


def test_portal_pages_are_never_compressed(shared_api: Api, shared_server: LiveServer) -> None:
    """A page holds its form's CSRF token beside text others wrote: compressed, its size
    would leak the token a guess at a time (BREACH)."""
    page = requests.get(f"{shared_server.url}/portal/lakeside/",
                        headers={"Accept-Encoding": "gzip"}, timeout=30, stream=True)
    assert page.status_code == 200 and len(page.content) > 1024
    assert "Content-Encoding" not in page.headers

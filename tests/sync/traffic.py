"""Realistic mailbox contents made through the API, for the sync tests to mirror."""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sync.api import ApiClient
from tests.support import sample_files
from tests.support.live_server import LiveServer

PASSWORD = "lakeside-demo-2026"



def signed_in(server: LiveServer, username: str, **options: object) -> ApiClient:
    api = ApiClient(server.url, **options)  # type: ignore[arg-type]
    api.login(username, PASSWORD)
    return api


PDF = sample_files.pdf()  # a real one: the server parses uploaded PDFs


def pdf_bytes(marker: str = "") -> bytes:
    return PDF + f"% {marker}\n".encode() * 200


def upload_pdf(api: ApiClient, name: str, marker: str = "") -> dict:
    return api.upload_blob(io.BytesIO(pdf_bytes(marker)), name, "application/pdf")


def send_with_report(engine: Any, folder: Path, to_id: str, subject: str, marker: str) -> None:
    """Through the engine: a new thread to `to_id` with a PDF made from `marker`; returns once
    the engine has pushed it."""
    report = folder / f"{marker}.pdf"
    report.write_bytes(pdf_bytes(marker))
    local = engine.attach(report)
    engine.send_new([f"person:{to_id}"], subject, "<p>The report is attached.</p>",
                    [local["id"]])
    assert engine.wait_until_synced(60)


def key() -> str:
    return str(uuid.uuid4())


@dataclass
class Traffic:
    with_client: str  # thread id: alex wrote to dr.rivera, with an attachment
    staff_only: str  # thread id: dr.chen wrote to dr.rivera
    from_rivera: str  # thread id: dr.rivera wrote to alex
    attachment: dict


def make_traffic(server: LiveServer) -> Traffic:
    rivera_id = server.person_id("dr.rivera")
    alex_id = server.person_id("alex")
    alex = signed_in(server, "alex")
    chen = signed_in(server, "dr.chen")
    rivera = signed_in(server, "dr.rivera")
    try:
        attachment = upload_pdf(alex, "intake form.pdf", "alex-intake")
        first = alex.create_thread([f"person:{rivera_id}"], "Question about my intake paperwork",
                                   "<p>Hello, I attached the intake form you asked for.</p>",
                                   [attachment["id"]], idempotency_key=key())
        alex.add_message(first["thread"]["id"], "<p>Also, can we talk about Tuesday?</p>", [],
                         idempotency_key=key())
        second = chen.create_thread([f"person:{rivera_id}"], "Case consult on Thursday",
                                    "<p>Could we review the <b>Blair</b> plan together?</p>", [],
                                    idempotency_key=key())
        third = rivera.create_thread([f"person:{alex_id}"], "Homework for next week",
                                     "<p>Please keep the mood journal we discussed.</p>", [],
                                     idempotency_key=key())
        rivera.add_message(second["thread"]["id"], "<p>Yes, Thursday at noon works.</p>", [],
                           idempotency_key=key())
        rivera.set_thread_state(second["thread"]["id"], starred=True)
        folder = rivera.create_folder("Consults")
        rivera.set_thread_state(second["thread"]["id"], folder=folder["id"])
        rivera.put_draft({"id": str(uuid.uuid4()), "to": [f"person:{alex_id}"],
                          "subject": "Unfinished thoughts", "body_html": "<p>Draft text</p>",
                          "attachment_ids": [], "thread_id": None})
        return Traffic(first["thread"]["id"], second["thread"]["id"], third["thread"]["id"],
                       attachment)
    finally:
        for api in (alex, chen, rivera):
            api.close()

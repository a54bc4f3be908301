"""Starter conversations for the demo, written over HTTP by the demo people themselves, so
every rule (multi-client threads, an inactive client, attachments) shows up as in real use."""

from __future__ import annotations

import tempfile
import uuid
from pathlib import Path

from sync.api import ApiClient
from sync.blobs import upload

DEMO_PASSWORD = "lakeside-demo-2026"


def _client(url: str, username: str) -> ApiClient:
    api = ApiClient(url)
    api.login(username, DEMO_PASSWORD)
    return api


def _ids(api: ApiClient) -> dict[str, str]:
    return {p["username"]: p["id"] for p in api.directory()["people"]}


def _send(api: ApiClient, to: list[str], subject: str, body: str,
          attachments: list[str] | None = None) -> str:
    answer = api.create_thread(to, subject, body, attachments or [],
                               idempotency_key=str(uuid.uuid4()))
    return answer["thread"]["id"]


def _reply(api: ApiClient, thread_id: str, body: str) -> None:
    api.add_message(thread_id, body, [], idempotency_key=str(uuid.uuid4()))


def write_starter_conversations(url: str) -> None:
    rivera, alex = _client(url, "dr.rivera"), _client(url, "alex")
    frontdesk, chen = _client(url, "frontdesk"), _client(url, "dr.chen")
    people = _ids(rivera)
    person = {name: f"person:{pid}" for name, pid in people.items()}
    try:
        group = _send(
            rivera, [person["alex"], person["casey"]], "Group session moves to Thursday",
            "<p>Hello both,</p><p>Our group session moves to <b>Thursday at 6 pm</b>, same "
            "room. Bring the worksheet from last week.</p><p>Dr. Rivera</p>")
        del group
        _send(frontdesk, [person["dr.rivera"]], "Insurance pre-authorization for Alex",
              "<p>The insurer approved 12 more sessions for Alex Morgan. The authorization "
              "number is on the chart.</p>")
        _send(chen, ["group:therapists"], "Peer consultation on Friday",
              "<p>Peer consultation is on Friday at noon. Add cases you want to discuss "
              "<a href=\"https://lakeside-counseling.example/consult\">to the list</a>.</p>")
        _send(rivera, [person["casey"]], "Checking in",
              "<p>Hi Casey, just checking in after our last session. The front office can "
              "help you set up new appointments.</p>")
        with tempfile.TemporaryDirectory() as folder:
            log = Path(folder) / "sleep-log.txt"
            log.write_text("Mon 6.5 h\nTue 5 h\nWed 7 h\nThu 6 h\nFri 7.5 h\n", encoding="utf-8")
            attachment = upload(alex, log, alex.session()["limits"])
        thread = _send(
            alex, [person["dr.rivera"]], "Sleep log for this week",
            "<p>Hi Dr. Rivera, here is my sleep log for the week. Wednesday was better after "
            "the breathing exercise.</p>", [attachment["id"]])
        _reply(rivera, thread, "<p>Thank you, Alex. Let's look at it together on Tuesday.</p>")
        _send(alex, [person["dr.rivera"]], "Rescheduling next week's session",
              "<p>Could we move next Tuesday's session to the afternoon? Anything after 3 pm "
              "works for me.</p>")
    finally:
        for api in (rivera, alex, frontdesk, chen):
            api.close()

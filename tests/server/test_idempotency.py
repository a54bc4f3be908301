"""Idempotency keys: a repeat returns the first answer and creates nothing; a key reused for
another request is refused; the key is required where sending happens; a race of one key
creates one thread.
"""

from __future__ import annotations

import threading
import uuid
from typing import Any

import pytest
import requests

from tests.support.api_client import Api, User, assert_problem


def new_objects(user: User, since: str) -> tuple[list[str], list[str]]:
    """Ids of threads and messages that reached this user's feed since the cursor."""
    page = user.changes(since=since)
    return [t["id"] for t in page["threads"]], [m["id"] for m in page["messages"]]


def thread_payload(api: Api, subject: str = "Appointment") -> dict[str, Any]:
    return {
        "to": [f"person:{api.id('alex')}"],
        "subject": subject,
        "body_html": "<p>Your appointment is confirmed for Tuesday.</p>",
        "attachment_ids": [],
    }


def test_repeat_of_new_thread_returns_first_answer(shared_api: Api) -> None:
    rivera, alex = shared_api.as_("dr.rivera"), shared_api.as_("alex")
    cursor = alex.changes()["cursor"]
    key = str(uuid.uuid4())
    first = rivera.post("/threads", thread_payload(shared_api), key=key)
    again = rivera.post("/threads", thread_payload(shared_api), key=key)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers.get("Idempotent-Replayed") == "true"
    threads, messages = new_objects(alex, cursor)
    assert threads == [first.json()["thread"]["id"]]
    assert messages == [first.json()["message"]["id"]]
    sent = [i["thread"]["id"] for i in rivera.listing("sent")]
    assert sent.count(first.json()["thread"]["id"]) == 1
    assert alex.thread(first.json()["thread"]["id"])["thread"]["message_count"] == 1


def test_repeat_of_reply_adds_one_message(shared_api: Api) -> None:
    rivera, alex = shared_api.as_("dr.rivera"), shared_api.as_("alex")
    thread_id = rivera.started(["alex"])["thread"]["id"]
    cursor = alex.changes()["cursor"]
    key = str(uuid.uuid4())
    body = {"body_html": "<p>See you on Tuesday then.</p>"}
    answers = [alex.post(f"/threads/{thread_id}/messages", body, key=key) for _ in range(3)]
    assert {a.status_code for a in answers} == {201}
    assert all(a.json() == answers[0].json() for a in answers)
    _, messages = new_objects(alex, cursor)
    assert messages == [answers[0].json()["message"]["id"]]
    assert len(rivera.thread(thread_id)["messages"]) == 2


@pytest.mark.parametrize(
    "change",
    [
        pytest.param({"subject": "Another subject"}, id="other-subject"),
        pytest.param({"body_html": "<p>Something else entirely.</p>"}, id="other-body"),
        pytest.param({"to": []}, id="other-recipients"),
    ],
)
def test_key_reused_for_another_request(shared_api: Api, change: dict[str, Any]) -> None:
    rivera, alex = shared_api.as_("dr.rivera"), shared_api.as_("alex")
    key = str(uuid.uuid4())
    first = rivera.post("/threads", thread_payload(shared_api), key=key)
    assert first.status_code == 201
    cursor = alex.changes()["cursor"]
    other = rivera.post("/threads", {**thread_payload(shared_api), **change}, key=key)
    assert_problem(other, 422, "idempotency_key_reused")
    assert new_objects(alex, cursor) == ([], [])


def test_key_reused_on_another_endpoint(shared_api: Api) -> None:
    rivera = shared_api.as_("dr.rivera")
    key = str(uuid.uuid4())
    first = rivera.post("/threads", thread_payload(shared_api), key=key)
    thread_id = first.json()["thread"]["id"]
    reply = rivera.post(
        f"/threads/{thread_id}/messages", {"body_html": "<p>Different request.</p>"}, key=key
    )
    assert_problem(reply, 422, "idempotency_key_reused")
    assert rivera.thread(thread_id)["thread"]["message_count"] == 1


def test_keys_belong_to_one_user(shared_api: Api) -> None:
    """The same key from two people is two requests."""
    key = str(uuid.uuid4())
    rivera = shared_api.as_("dr.rivera").post("/threads", thread_payload(shared_api), key=key)
    front = shared_api.as_("frontdesk").post("/threads", thread_payload(shared_api), key=key)
    assert rivera.status_code == front.status_code == 201
    assert rivera.json()["thread"]["id"] != front.json()["thread"]["id"]


@pytest.mark.parametrize("key", [None, ""], ids=["absent", "empty"])
def test_key_required_where_sending_happens(shared_api: Api, key: str | None) -> None:
    rivera, alex = shared_api.as_("dr.rivera"), shared_api.as_("alex")
    thread_id = rivera.started(["alex"])["thread"]["id"]
    cursor = alex.changes()["cursor"]
    headers = {} if key is None else {"Idempotency-Key": key}
    new = rivera.http.post(
        rivera.url("/threads"), json=thread_payload(shared_api), headers=headers, timeout=30
    )
    reply = rivera.http.post(
        rivera.url(f"/threads/{thread_id}/messages"),
        json={"body_html": "<p>No key on this one.</p>"},
        headers=headers,
        timeout=30,
    )
    for answer in (new, reply):
        body = assert_problem(answer, 422, "validation_error")
        assert "Idempotency-Key" in body["detail"]
    assert new_objects(alex, cursor) == ([], [])


def test_key_accepted_on_other_posts(shared_api: Api) -> None:
    rivera = shared_api.as_("dr.rivera")
    thread_id = rivera.started(["alex"])["thread"]["id"]
    bulk = rivera.post("/threads/state", {"thread_ids": [thread_id], "starred": True})
    assert bulk.status_code == 200, bulk.text


def test_repeated_bulk_change_answers_as_first_and_key_reuse_is_refused(
    shared_api: Api,
) -> None:
    rivera = shared_api.as_("dr.rivera")
    thread_id = rivera.started(["alex"])["thread"]["id"]
    key = str(uuid.uuid4())
    first = rivera.post("/threads/state", {"thread_ids": [thread_id], "starred": True}, key=key)
    assert first.status_code == 200, first.text
    # Unstarred by hand meanwhile: a repeat of the keyed request must not star it again.
    assert rivera.patch(f"/threads/{thread_id}/state", {"starred": False}).status_code == 200
    repeat = rivera.post("/threads/state", {"thread_ids": [thread_id], "starred": True}, key=key)
    assert repeat.status_code == 200 and repeat.json() == first.json()
    assert repeat.headers.get("Idempotent-Replayed") == "true"
    assert rivera.thread(thread_id)["state"]["starred"] is False
    other = rivera.post("/threads/state", {"thread_ids": [thread_id], "unread": True}, key=key)
    assert_problem(other, 422, "idempotency_key_reused")


def test_repeated_folder_creation_makes_one_folder(shared_api: Api) -> None:
    chen = shared_api.as_("dr.chen")
    key, name = str(uuid.uuid4()), f"Keyed {uuid.uuid4().hex[:6]}"
    answers = [chen.post("/folders", {"name": name}, key=key) for _ in range(3)]
    assert {a.status_code for a in answers} == {201}
    assert all(a.json() == answers[0].json() for a in answers)
    names = [f["name"] for f in chen.get("/folders").json()["folders"]]
    assert names.count(name) == 1
    other = chen.post("/folders", {"name": name + " 2"}, key=key)
    assert_problem(other, 422, "idempotency_key_reused")


def test_repeated_quick_note_makes_one_note(shared_api: Api) -> None:
    rivera = shared_api.as_("dr.rivera")
    thread_id = rivera.started(["alex"])["thread"]["id"]
    key, body = str(uuid.uuid4()), {"body": f"Note {uuid.uuid4().hex[:6]}"}
    answers = [rivera.post(f"/threads/{thread_id}/quick-note", body, key=key) for _ in range(3)]
    assert {a.status_code for a in answers} == {201}
    assert all(a.json() == answers[0].json() for a in answers)
    notes = rivera.get(f"/clients/{shared_api.id('alex')}/notes").json()["notes"]
    assert [n["body"] for n in notes].count(body["body"]) == 1


@pytest.mark.parametrize("round_", range(3))
def test_concurrent_requests_with_one_key_create_one_thread(shared_api: Api, round_: int) -> None:
    rivera, alex = shared_api.as_("dr.rivera"), shared_api.as_("alex")
    cursor = alex.changes()["cursor"]
    key = str(uuid.uuid4())
    payload = thread_payload(shared_api, subject=f"Race {round_}")
    start = threading.Barrier(4)
    answers: list[requests.Response] = []
    lock = threading.Lock()

    def send() -> None:
        session = requests.Session()  # one connection each, so they truly overlap
        session.headers.update(rivera.http.headers)
        start.wait()
        answer = session.post(
            rivera.url("/threads"), json=payload, headers={"Idempotency-Key": key}, timeout=60
        )
        with lock:
            answers.append(answer)

    workers = [threading.Thread(target=send) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=90)
    assert [a.status_code for a in answers] == [201] * 4, [a.text for a in answers]
    assert len({a.json()["thread"]["id"] for a in answers}) == 1
    assert len({a.json()["message"]["id"] for a in answers}) == 1
    threads, messages = new_objects(alex, cursor)
    assert threads == [answers[0].json()["thread"]["id"]]
    assert len(messages) == 1

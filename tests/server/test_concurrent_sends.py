"""Several people acting on one thread at the same moment: counts, times and deletes stay
consistent, and every answer is a clean one (never a 500).
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable

import requests

from tests.support.api_client import Api, User

STAFF = ("dr.rivera", "dr.chen", "frontdesk", "billing", "admin", "agent.kim")


def all_at_once(calls: list[Callable[[], requests.Response]]) -> list[requests.Response]:
    """Run the calls on their own threads, released together."""
    start = threading.Barrier(len(calls))
    answers: list[requests.Response] = []
    lock = threading.Lock()

    def run(call: Callable[[], requests.Response]) -> None:
        start.wait()
        answer = call()
        with lock:
            answers.append(answer)

    workers = [threading.Thread(target=run, args=(call,)) for call in calls]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert len(answers) == len(calls)
    return answers


def own_connection(user: User) -> requests.Session:
    session = requests.Session()
    session.headers.update(user.http.headers)
    return session


def reply_call(user: User, thread_id: str) -> Callable[[], requests.Response]:
    session = own_connection(user)
    return lambda: session.post(
        user.url(f"/threads/{thread_id}/messages"),
        json={"body_html": "<p>A reply sent at the same moment.</p>"},
        headers={"Idempotency-Key": str(uuid.uuid4())},
        timeout=90,
    )


def test_simultaneous_replies_keep_count_and_last_time(shared_api: Api) -> None:
    users = [shared_api.as_(name) for name in STAFF]
    thread_id = users[0].started(list(STAFF[1:]) + ["alex"])["thread"]["id"]
    answers = all_at_once([reply_call(u, thread_id) for u in users for _ in range(4)])
    assert [a.status_code for a in answers] == [201] * len(answers), [a.text for a in answers]
    view = shared_api.as_("alex").thread(thread_id)
    assert view["thread"]["message_count"] == len(view["messages"]) == 1 + len(answers)
    assert view["thread"]["last_message_at"] == max(m["sent_at"] for m in view["messages"])


def test_thread_deleted_while_others_reply(shared_api: Api) -> None:
    rivera = shared_api.as_("dr.rivera")
    others = [shared_api.as_(name) for name in STAFF[1:]]
    thread_id = rivera.started(list(STAFF[1:]) + ["alex"])["thread"]["id"]
    session = own_connection(rivera)
    delete = lambda: session.delete(rivera.url(f"/threads/{thread_id}"), timeout=90)  # noqa: E731
    answers = all_at_once([delete, *(reply_call(u, thread_id) for u in others for _ in range(2))])
    assert {a.status_code for a in answers} <= {201, 204, 404}, [a.text for a in answers]
    assert [a.status_code for a in answers].count(204) == 1
    for user in (rivera, *others):
        assert user.get(f"/threads/{thread_id}").status_code == 404
        page = user.changes()
        assert thread_id not in [t["id"] for t in page["threads"]]
        assert thread_id not in [m["thread_id"] for m in page["messages"]]


def test_messages_deleted_while_others_reply(shared_api: Api) -> None:
    rivera = shared_api.as_("dr.rivera")
    others = [shared_api.as_(name) for name in STAFF[1:]]
    thread_id = rivera.started(list(STAFF[1:]) + ["alex"])["thread"]["id"]
    mine = [rivera.reply(thread_id).json()["message"]["id"] for _ in range(3)]
    session = own_connection(rivera)
    deletes = [(lambda m=m: session.delete(rivera.url(f"/messages/{m}"), timeout=90)) for m in mine]
    answers = all_at_once([*deletes, *(reply_call(u, thread_id) for u in others)])
    assert sorted({a.status_code for a in answers}) == [201, 204], [a.text for a in answers]
    view = rivera.thread(thread_id)
    assert view["thread"]["message_count"] == len(view["messages"]) == 1 + len(others)
    assert not set(mine) & {m["id"] for m in view["messages"]}
    assert view["thread"]["last_message_at"] == max(m["sent_at"] for m in view["messages"])

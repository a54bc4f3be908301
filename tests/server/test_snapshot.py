"""GET /snapshot: the newest threads of each folder with their newest messages, exactly as the
change feed has them, and nothing the person's feed would not give them."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pytest
import requests

from tests.server.test_feed import build_history, pages, synced
from tests.server.test_openapi_document import assert_described
from tests.support.api_client import Api, User, assert_problem

Json = dict[str, Any]


def snapshot(user: User, **params: Any) -> Json:
    reply = user.get("/snapshot", params=params)
    assert reply.status_code == 200, reply.text
    assert reply.headers["content-type"].startswith("application/json")
    return dict(reply.json())


def folders_of(user: User) -> list[str]:
    own = [f["id"] for f in user.get("/folders").json()["folders"]]
    return ["inbox", "sent", "archive", "trash", *own]


def by_id(items: list[Json], key: str = "id") -> dict[str, Json]:
    return {i[key]: i for i in items}


def test_the_newest_threads_of_each_folder_with_their_newest_messages(shared_api: Api) -> None:
    build_history(shared_api)
    rivera, alex, chen = (shared_api.as_(u) for u in ("dr.rivera", "alex", "dr.chen"))
    for n in range(4):
        alex.started(["dr.rivera"], subject=f"Newer question {n}")
    long = chen.started(["dr.rivera"], subject="Long consult")["thread"]["id"]
    for _ in range(3):
        chen.reply(long)

    snap = snapshot(rivera, limit=3, messages=2)
    feed = synced(rivera)
    objects = feed.snapshot()

    for folder in folders_of(rivera):
        listed = [i["thread"]["id"] for i in rivera.listing(folder)][:3]
        assert snap["newest"].get(folder, []) == listed, folder
    assert len(snap["newest"]["inbox"]) == 3
    newest_ids = {i for ids in snap["newest"].values() for i in ids}
    assert [t["id"] for t in snap["threads"]] == list(dict.fromkeys(
        i for ids in snap["newest"].values() for i in ids))
    assert {t["id"] for t in snap["threads"]} == newest_ids

    # The same objects as the feed gives, in the same shapes.
    for thread in snap["threads"]:
        assert thread == objects["threads"][thread["id"]]
    assert {s["thread_id"] for s in snap["states"]} == newest_ids
    for state in snap["states"]:
        assert state == objects["states"][state["thread_id"]]
    shown: dict[str, list[str]] = defaultdict(list)
    for message in snap["messages"]:
        assert message == objects["messages"][message["id"]]
        shown[message["thread_id"]].append(message["id"])
    for thread_id in newest_ids:
        newest_two = [m["id"] for m in feed.messages_of(thread_id)][-2:]
        assert shown[thread_id] == newest_two, thread_id
    assert len(shown[long]) == 2
    assert by_id(snap["folders"]) == objects["folders"]
    assert by_id(snap["drafts"]) == objects["drafts"]
    senders = {m["sender_id"] for m in snap["messages"]}
    assert {p["id"] for p in snap["people"]} == senders & set(objects["people"])
    for person in snap["people"]:
        assert person == objects["people"][person["id"]]


@pytest.mark.parametrize("username", ["dr.rivera", "alex", "casey", "dr.chen"])
def test_a_large_enough_snapshot_is_exactly_what_the_feed_holds(
    shared_api: Api, username: str
) -> None:
    build_history(shared_api)
    user = shared_api.as_(username)
    snap = snapshot(user, limit=500, messages=100)
    objects = synced(user).snapshot()
    assert by_id(snap["threads"]) == objects["threads"]
    assert by_id(snap["messages"]) == objects["messages"]
    assert by_id(snap["states"], "thread_id") == objects["states"]
    assert by_id(snap["drafts"]) == objects["drafts"]
    assert by_id(snap["folders"]) == objects["folders"]
    for person in snap["people"]:
        assert person == objects["people"][person["id"]]


def test_no_thread_of_others_and_nothing_deleted(shared_api: Api) -> None:
    rivera, alex, front = (shared_api.as_(u) for u in ("dr.rivera", "alex", "frontdesk"))
    staff_only = front.started(["dr.rivera", "dr.chen"], subject="Staff only")["thread"]["id"]
    with_alex = rivera.started(["alex"], subject="Plan for alex")["thread"]["id"]
    gone = rivera.reply(with_alex).json()["message"]["id"]
    assert rivera.delete(f"/messages/{gone}").status_code == 204
    dropped = rivera.started(["alex"], subject="Dropped")["thread"]["id"]
    assert rivera.delete(f"/threads/{dropped}").status_code == 204

    seen_by_alex = snapshot(alex, limit=500, messages=100)
    ids = {t["id"] for t in seen_by_alex["threads"]}
    assert with_alex in ids and staff_only not in ids and dropped not in ids
    assert {m["thread_id"] for m in seen_by_alex["messages"]} <= ids
    assert all(m["id"] != gone for m in seen_by_alex["messages"])
    assert by_id(seen_by_alex["folders"]) == synced(alex).snapshot()["folders"]
    mine = snapshot(rivera, limit=500, messages=100)
    assert staff_only in {t["id"] for t in mine["threads"]}
    assert all(m["id"] != gone for m in mine["messages"])


def test_feed_size_counts_the_persons_feed_entries(shared_api: Api) -> None:
    rivera = shared_api.as_("dr.rivera")
    rivera.started(["alex"], subject="Counted")
    size = snapshot(rivera)["feed_size"]
    one_by_one = pages(rivera, limit=1)
    # One entry a page: every page but an empty last one (there is none here) holds one.
    assert size == len(one_by_one) > 3
    assert not one_by_one[-1]["more"] and one_by_one[-1]["cursor"] != one_by_one[-2]["cursor"]


def test_defaults_and_the_document(shared_api: Api) -> None:
    rivera = shared_api.as_("dr.rivera")
    for n in range(3):
        rivera.started(["alex"], subject=f"Default {n}")
    reply = rivera.get("/snapshot")
    assert reply.status_code == 200
    answer = reply.json()
    assert len(answer["newest"]["inbox"]) <= 200 and answer["threads"]
    doc = requests.get(f"{shared_api.server.api}/openapi.json", timeout=30).json()
    assert_described(doc, "get", "/snapshot", reply)
    bad = rivera.get("/snapshot", params={"limit": 0})
    assert_described(doc, "get", "/snapshot", bad)


@pytest.mark.parametrize(
    "params",
    [{"limit": 0}, {"limit": 501}, {"limit": "many"}, {"messages": 0}, {"messages": 101}],
)
def test_bad_parameters_are_problems(shared_api: Api, params: Json) -> None:
    reply = shared_api.as_("dr.rivera").get("/snapshot", params=params)
    problem = assert_problem(reply, 422, "validation_error")
    assert "Traceback" not in problem["detail"]


def test_signed_out_is_refused(shared_api: Api) -> None:
    reply = requests.get(f"{shared_api.server.api}/snapshot", timeout=30)
    assert_problem(reply, 401, "unauthenticated")
    forged = requests.get(
        f"{shared_api.server.api}/snapshot", headers={"Authorization": "Bearer nope"}, timeout=30
    )
    assert forged.status_code == 401


"""The next feed page read ahead: used only when still current, dropped on any change,
never handed to another cursor or page size; feed reads take no write lock.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from pathlib import Path
from typing import Any

from server.feed.hub import FeedHub
from server.feed.read_ahead import FeedReadAhead
from tests.support.api_client import Api, User
from tests.support.live_server import LiveServer

Json = dict[str, Any]


def page(user: User, since: str | None, limit: int) -> Json:
    params: Json = {"limit": limit}
    if since:
        params["since"] = since
    reply = user.get("/changes", params=params)
    assert reply.status_code == 200, reply.text
    return dict(reply.json())


def all_pages(user: User, limit: int) -> list[Json]:
    out, since = [], None
    while True:
        out.append(page(user, since, limit))
        since = out[-1]["cursor"]
        if not out[-1]["more"]:
            return out


def with_threads(api: Api, count: int = 4) -> User:
    """dr.rivera, after writing `count` threads: her feed then runs to many small pages."""
    rivera = api.as_("dr.rivera")
    for n in range(count):
        rivera.started(["alex"], subject=f"Session notes {n}")
    return rivera


def wait_until_read_ahead(server: LiveServer, person_id: str) -> None:
    deadline = time.monotonic() + 10
    while not server.ctx.read_ahead.ready(person_id):
        assert time.monotonic() < deadline, "the next page was never read ahead"
        time.sleep(0.01)


def test_unchanged_feed_reads_the_same_pages_with_the_next_one_read_ahead(
    server: LiveServer, api: Api
) -> None:
    rivera = with_threads(api)
    first = all_pages(rivera, limit=3)
    assert len(first) >= 3
    since = None
    for expected in first[:-1]:
        got = page(rivera, since, 3)
        assert got == expected
        wait_until_read_ahead(server, server.person_id("dr.rivera"))
        since = got["cursor"]
    assert page(rivera, since, 3) == first[-1]
    assert not server.ctx.read_ahead.ready(server.person_id("dr.rivera"))


def test_a_page_read_ahead_is_dropped_when_the_feed_changes(
    server: LiveServer, api: Api
) -> None:
    rivera = with_threads(api)
    learned = all_pages(rivera, limit=2)
    # A page after the first that carries a thread state: starring that thread moves the
    # state to the end of the feed, so a fresh read of that page no longer has it.
    at, state = next(
        (i, s) for i, p in enumerate(learned) if i > 0 for s in p["states"]
    )
    since = learned[at - 1]["cursor"]
    assert page(rivera, learned[at - 2]["cursor"] if at > 1 else None, 2) == learned[at - 1]
    wait_until_read_ahead(server, server.person_id("dr.rivera"))

    starred = not state["starred"]
    reply = rivera.patch(f"/threads/{state['thread_id']}/state", {"starred": starred})
    assert reply.status_code == 200, reply.text

    seen = []
    while True:
        got = page(rivera, since, 2)
        seen += [s for s in got["states"] if s["thread_id"] == state["thread_id"]]
        since = got["cursor"]
        if not got["more"]:
            break
    assert seen, "the starred thread's state was never sent again"
    assert all(s["starred"] is starred for s in seen), seen


def test_a_page_read_ahead_is_never_given_to_another_page_size(
    server: LiveServer, api: Api
) -> None:
    rivera = with_threads(api)
    first = page(rivera, None, 2)
    assert first["more"]
    wait_until_read_ahead(server, server.person_id("dr.rivera"))
    wider = page(rivera, first["cursor"], 5)
    items = sum(len(wider[k]) for k in ("threads", "messages", "states", "drafts", "folders",
                                        "people"))
    items += sum(len(v) for v in wider["deleted"].values())
    assert items == 5 or not wider["more"]
    assert items > 2


def test_a_page_read_ahead_is_not_given_to_someone_else(server: LiveServer, api: Api) -> None:
    rivera, chen = with_threads(api), api.as_("dr.chen")
    first = page(rivera, None, 2)
    wait_until_read_ahead(server, server.person_id("dr.rivera"))
    chen_id = server.person_id("dr.chen")
    theirs = page(chen, first["cursor"], 50)
    for thread in theirs["threads"]:
        assert chen_id in {p["id"] for p in thread["participants"]}, thread["subject"]
    assert server.ctx.read_ahead.ready(server.person_id("dr.rivera"))


def test_feed_reads_leave_the_database_open_to_writers(tmp_path: Path) -> None:
    with LiveServer(tmp_path / "data") as server, server.ctx.read_sessions() as db:
        db.connection().exec_driver_sql("SELECT count(*) FROM feed_entry").scalar_one()
        writer = sqlite3.connect(server.data_dir / "practice.db", timeout=0.5)
        try:
            writer.execute("BEGIN IMMEDIATE")  # "database is locked" if the reader held it
            writer.execute("ROLLBACK")
        finally:
            writer.close()
        db.rollback()


# The read-ahead itself, on a real event loop and feed hub ----------------------------------


def run(coro: Any) -> Any:
    return asyncio.run(coro)


def test_a_page_is_taken_once_for_exactly_its_cursor_and_limit() -> None:
    async def scenario() -> list[Any]:
        hub = FeedHub()
        hub.bind_loop(asyncio.get_running_loop())
        ahead = FeedReadAhead(hub)
        ahead.start("p1", 10, 500, lambda: {"cursor": "20"})
        wrong_cursor = await ahead.take("p1", 11, 500)
        ahead.start("p1", 10, 500, lambda: {"cursor": "20"})
        wrong_limit = await ahead.take("p1", 10, 499)
        ahead.start("p1", 10, 500, lambda: {"cursor": "20"})
        right = await ahead.take("p1", 10, 500)
        again = await ahead.take("p1", 10, 500)
        return [wrong_cursor, wrong_limit, right, again]

    assert run(scenario()) == [None, None, {"cursor": "20"}, None]


def test_a_change_announced_for_the_person_drops_the_page() -> None:
    async def scenario() -> tuple[Any, Any]:
        hub = FeedHub()
        hub.bind_loop(asyncio.get_running_loop())
        ahead = FeedReadAhead(hub)
        ahead.start("p1", 0, 500, lambda: {"cursor": "5"})
        ahead.start("p2", 0, 500, lambda: {"cursor": "6"})
        hub.wake({"p1"})
        await asyncio.sleep(0)  # the wake runs on the loop
        return await ahead.take("p1", 0, 500), await ahead.take("p2", 0, 500)

    assert run(scenario()) == (None, {"cursor": "6"})


def test_an_old_page_or_a_failed_read_is_not_used() -> None:
    async def scenario() -> tuple[Any, Any]:
        hub = FeedHub()
        ahead = FeedReadAhead(hub, ttl=0.05)
        ahead.start("p1", 0, 500, lambda: {"cursor": "5"})
        await asyncio.sleep(0.2)
        old = await ahead.take("p1", 0, 500)

        def broken() -> Json:
            raise RuntimeError("database went away")

        ahead.start("p2", 0, 500, broken)
        failed = await ahead.take("p2", 0, 500)
        return old, failed

    assert run(scenario()) == (None, None)


def test_read_ahead_is_bounded_and_closes_without_waiting() -> None:
    async def scenario() -> list[bool]:
        hub = FeedHub()
        ahead = FeedReadAhead(hub, max_people=2)
        for person in ("p1", "p2", "p3"):
            ahead.start(person, 0, 500, lambda: {"cursor": "1"})
        await asyncio.sleep(0.2)
        before = [ahead.ready(p) for p in ("p1", "p2", "p3")]
        ahead.close()
        return before + [ahead.ready("p1"), await ahead.take("p1", 0, 500) is not None]

    assert run(scenario()) == [True, True, False, False, False]


def test_pages_nobody_came_for_make_room_once_too_old() -> None:
    async def scenario() -> list[bool]:
        hub = FeedHub()
        ahead = FeedReadAhead(hub, ttl=0.1, max_people=2)
        for person in ("gone-1", "gone-2"):  # clients that stopped mid-sync
            ahead.start(person, 0, 500, lambda: {"cursor": "1"})
        ahead.start("p3", 0, 500, lambda: {"cursor": "1"})
        await asyncio.sleep(0.05)
        refused_while_fresh = not ahead.ready("p3")
        await asyncio.sleep(0.2)
        ahead.start("p3", 0, 500, lambda: {"cursor": "1"})
        await asyncio.sleep(0.05)
        return [refused_while_fresh, ahead.ready("p3"), ahead.ready("gone-1")]

    assert run(scenario()) == [True, True, False]


def test_nothing_is_read_ahead_after_close() -> None:
    async def scenario() -> bool:
        ahead = FeedReadAhead(FeedHub())
        ahead.close()
        ahead.start("p1", 0, 500, lambda: {"cursor": "1"})
        await asyncio.sleep(0.05)
        return ahead.ready("p1")

    assert run(scenario()) is False

"""The statements of a send and of a feed read: compiled once per process, none wasted."""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine.default import DefaultExecutionContext
from sqlalchemy.engine.interfaces import CacheStats

from tests.support.api_client import Api
from tests.support.live_server import LiveServer
from tests.support.sql_events import listening


def test_sending_and_reading_compile_no_statement_again(api: Api, server: LiveServer) -> None:
    rivera, alex = api.as_("dr.rivera"), api.as_("alex")
    cursor = alex.changes()["cursor"]
    rivera.started(["alex"], subject="Warm up")
    alex.changes(cursor)
    uncached: list[str] = []

    def note(_conn: Any, _cursor: Any, statement: str, _params: Any,
             context: DefaultExecutionContext, _many: bool) -> None:
        if context.compiled is not None and context.cache_hit is CacheStats.NO_CACHE_KEY:
            uncached.append(statement.split("(")[0][:60])

    with listening(server.ctx.engine, "after_cursor_execute", note):
        # Two recipients: the feed gets a different number of rows than in the warm-up.
        sent = rivera.started(["alex", "frontdesk"], subject="Measured")
        rivera.reply(sent["thread"]["id"], "<p>A second message, to both of them.</p>")
        alex.changes(cursor)
    assert uncached == []


def test_a_new_thread_is_inserted_with_its_count_not_updated_after(
    api: Api, server: LiveServer
) -> None:
    rivera = api.as_("dr.rivera")
    ran: list[str] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        ran.append(statement)

    with listening(server.ctx.engine, "before_cursor_execute", note):
        sent = rivera.started(["alex"], subject="Counted once")
    assert [s for s in ran if s.startswith("INSERT INTO thread ")]
    assert not [s for s in ran if s.startswith("UPDATE thread ")], ran
    assert sent["thread"]["message_count"] == 1
    rivera.reply(sent["thread"]["id"])
    assert rivera.thread(sent["thread"]["id"])["thread"]["message_count"] == 2

"""Commands on whole conversations: moving, marking and starring them, reading one, deleting one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sync import shapes
from sync.cache import mirror, optimistic
from sync.cache.connection import Connection
from sync.commands.base import Applied, Channel, CommandType

if TYPE_CHECKING:
    from sync.outbox import Command

Json = dict[str, Any]


def _states_in(response: Any) -> list[Json]:
    """The thread states an answer carries ("states", or one "state")."""
    if not isinstance(response, dict):
        return []
    states: list[Json] = response.get("states") or (
        [response["state"]] if "state" in response else [])
    return states


class SetState(CommandType):
    """Moves, marks or stars threads (at most the server's max_bulk_ids in one command)."""

    kind = "set_state"
    fields = ("thread_ids", "folder", "unread", "starred")

    @staticmethod
    def build_all(thread_ids: list[str], folder: str | None, unread: bool | None,
                  starred: bool | None, max_ids: int | None) -> list[tuple[Json, str]]:
        """The commands of one change to `thread_ids`, with their summaries. The server takes
        at most `max_ids` threads a request: each chunk is its own command, with its own
        idempotency key, so each can be repeated safely alone. Before the session has named
        the limit there is none (no threads are known then either)."""
        what = [f"move to {folder}" if folder else "", "" if unread is None else
                ("mark unread" if unread else "mark read"),
                "" if starred is None else ("star" if starred else "unstar")]
        action = ", ".join(w for w in what if w).capitalize()
        size = max_ids if max_ids and max_ids > 0 else len(thread_ids)
        chunks = [thread_ids[i:i + size] for i in range(0, len(thread_ids), size)]
        return [({"thread_ids": part, "folder": folder, "unread": unread, "starred": starred},
                 f"{action} ({len(part)})" if len(chunks) == 1 else
                 f"{action} ({len(part)}, part {n} of {len(chunks)})")
                for n, part in enumerate(chunks, 1)]

    def effect(self, conn: Connection, payload: Json) -> None:
        sets, values = [], []
        for column in ("folder", "unread", "starred"):
            if payload.get(column) is not None:
                sets.append(f"{column} = ?")
                values.append(payload[column] if column == "folder" else int(payload[column]))
        if not sets:
            return
        ids = list(payload["thread_ids"])
        for part in mirror._chunks(ids):
            conn.exec_driver_sql(
                f"UPDATE threads SET {', '.join(sets)} "
                f"WHERE id IN ({mirror._marks(len(part))})",
                (*values, *part),
            )

    def targets(self, payload: Json) -> set[str]:
        return optimistic.row_keys(thread=list(payload["thread_ids"]))

    def send(self, channel: Channel, command: Command) -> Any:
        p = command.payload
        ids = list(p["thread_ids"])
        change = {k: p.get(k) for k in ("folder", "unread", "starred")}
        if len(ids) == 1:
            return {"states": [channel.api.set_thread_state(ids[0], **change)]}
        return channel.api.set_thread_states(ids, **change,
                                             idempotency_key=command.idempotency_key)

    def check(self, response: Any) -> None:
        for i, state in enumerate(response.get("states") or []):
            shapes.check_state(state, f"states[{i}]")

    def store(self, conn: Connection, command: Command, response: Any) -> Applied:
        mirror.upsert_states(conn, _states_in(response))
        return Applied({f"thread:{i}" for i in command.payload["thread_ids"]})


class MarkRead(CommandType):
    """Reads a thread (GET /threads/{id}), which marks it read and records read receipts."""

    kind = "mark_read"
    fields = ("thread_id",)

    def effect(self, conn: Connection, payload: Json) -> None:
        conn.exec_driver_sql("UPDATE threads SET unread = 0 WHERE id = ?",
                             (payload["thread_id"],))

    def targets(self, payload: Json) -> set[str]:
        return optimistic.row_keys(thread=payload["thread_id"])

    def send(self, channel: Channel, command: Command) -> Any:
        return channel.api.thread(command.payload["thread_id"])

    def check(self, response: Any) -> None:
        shapes.check_thread(response.get("thread"), "thread")
        shapes.check_state(response.get("state"), "state")
        for i, message in enumerate(response.get("messages") or []):
            shapes.check_message(message, f"messages[{i}]")

    def store(self, conn: Connection, command: Command, response: Any) -> Applied:
        mirror.upsert_states(conn, _states_in(response))
        if isinstance(response, dict):
            mirror.upsert_threads(conn, [response["thread"]])
            mirror.upsert_messages(conn, response.get("messages") or [])
        return Applied({f"thread:{command.payload['thread_id']}"})


class DeleteThread(CommandType):
    kind = "delete_thread"
    fields = ("thread_id",)
    gone_is_done = True

    def effect(self, conn: Connection, payload: Json) -> None:
        conn.exec_driver_sql("UPDATE threads SET hidden = 1 WHERE id = ?",
                             (payload["thread_id"],))
        conn.exec_driver_sql("UPDATE messages SET hidden = 1 WHERE thread_id = ?",
                             (payload["thread_id"],))

    def targets(self, payload: Json) -> set[str]:
        return optimistic.row_keys(thread=payload["thread_id"])

    def send(self, channel: Channel, command: Command) -> Any:
        return channel.api.delete_thread(command.payload["thread_id"])

    def store(self, conn: Connection, command: Command, response: Any) -> Applied:
        thread_id = command.payload["thread_id"]
        return Applied({f"thread:{thread_id}"}, mirror.purge_threads(conn, [thread_id]))

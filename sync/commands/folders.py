"""Commands on the user's own folders: making, renaming and deleting one.

A folder made offline has a local id ("folder:local-<hex>") until the server names it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sync import outbox, shapes
from sync.cache import mirror, optimistic
from sync.cache.connection import Connection
from sync.commands.base import Applied, Channel, CommandType

if TYPE_CHECKING:
    from sync.outbox import Command

Json = dict[str, Any]


class CreateFolder(CommandType):
    kind = "create_folder"
    fields = ("local_folder_id", "name")
    creates = ("local_folder_id",)

    def effect(self, conn: Connection, payload: Json) -> None:
        conn.exec_driver_sql(
            "INSERT INTO folders (id, name, srv_name, hidden) VALUES (?, ?, NULL, 0) "
            "ON CONFLICT(id) DO UPDATE SET name = excluded.name, hidden = 0",
            (payload["local_folder_id"], payload["name"]),
        )

    def targets(self, payload: Json) -> set[str]:
        return optimistic.row_keys(folder=payload["local_folder_id"])

    def send(self, channel: Channel, command: Command) -> Any:
        return channel.api.create_folder(command.payload["name"],
                                         idempotency_key=command.idempotency_key)

    def check(self, response: Any) -> None:
        shapes.check_folder(response)

    def store(self, conn: Connection, command: Command, response: Any) -> Applied:
        out = _store_folder(conn, response)
        if isinstance(response, dict):
            out.keys |= outbox.rewrite_local_id(conn, command.payload["local_folder_id"],
                                                response["id"])
        return out


class RenameFolder(CommandType):
    kind = "rename_folder"
    fields = ("folder_id", "name")

    def effect(self, conn: Connection, payload: Json) -> None:
        conn.exec_driver_sql("UPDATE folders SET name = ? WHERE id = ?",
                             (payload["name"], payload["folder_id"]))

    def targets(self, payload: Json) -> set[str]:
        return optimistic.row_keys(folder=payload["folder_id"])

    def send(self, channel: Channel, command: Command) -> Any:
        p = command.payload
        return channel.api.rename_folder(p["folder_id"], p["name"])

    def check(self, response: Any) -> None:
        shapes.check_folder(response)

    def store(self, conn: Connection, command: Command, response: Any) -> Applied:
        return _store_folder(conn, response)


class DeleteFolder(CommandType):
    """Deletes a folder; its threads go to the archive."""

    kind = "delete_folder"
    fields = ("folder_id",)
    gone_is_done = True

    def effect(self, conn: Connection, payload: Json) -> None:
        conn.exec_driver_sql("UPDATE folders SET hidden = 1 WHERE id = ?",
                             (payload["folder_id"],))
        conn.exec_driver_sql("UPDATE threads SET folder = 'archive' WHERE folder = ?",
                             (payload["folder_id"],))

    def targets(self, payload: Json) -> set[str]:
        return optimistic.row_keys(folder=payload["folder_id"]) | {optimistic.ALL_THREADS}

    def send(self, channel: Channel, command: Command) -> Any:
        return channel.api.delete_folder(command.payload["folder_id"])

    def store(self, conn: Connection, command: Command, response: Any) -> Applied:
        folder_id = command.payload["folder_id"]
        mirror.purge_folders(conn, [folder_id])
        return Applied({f"folder:{folder_id}"})


def _store_folder(conn: Connection, response: Any) -> Applied:
    """The folder the server answered with, into the cache (none for an unreadable answer)."""
    out = Applied()
    if isinstance(response, dict):
        mirror.upsert_folders(conn, [response])
        out.keys.add(f"folder:{response['id']}")
    return out

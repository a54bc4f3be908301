"""Commands on people: setting a client's status."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sync import shapes
from sync.cache import mirror, optimistic
from sync.cache.connection import Connection
from sync.commands.base import Applied, Channel, CommandType

if TYPE_CHECKING:
    from sync.outbox import Command

Json = dict[str, Any]


class SetClientStatus(CommandType):
    kind = "set_client_status"
    fields = ("client_id", "status")

    def effect(self, conn: Connection, payload: Json) -> None:
        conn.exec_driver_sql("UPDATE people SET status = ? WHERE id = ?",
                             (payload["status"], payload["client_id"]))

    def targets(self, payload: Json) -> set[str]:
        return optimistic.row_keys(person=payload["client_id"])

    def send(self, channel: Channel, command: Command) -> Any:
        p = command.payload
        return channel.api.set_client_status(p["client_id"], p["status"])

    def check(self, response: Any) -> None:
        shapes.check_person(response)

    def store(self, conn: Connection, command: Command, response: Any) -> Applied:
        if isinstance(response, dict):
            mirror.upsert_people(conn, [response])
        return Applied({f"person:{command.payload['client_id']}"})

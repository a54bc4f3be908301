"""Commands on attachment files: uploading one (encrypted, kept staged until the server has
it) and removing one taken off a draft."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sync import outbox, shapes
from sync.blobs import BlobCache, upload_sealed
from sync.cache.connection import Connection
from sync.commands.base import Applied, Channel, CommandType
from sync.errors import ApiError
from sync.events import UploadProgress

if TYPE_CHECKING:
    from sync.outbox import Command

Json = dict[str, Any]


class Upload(CommandType):
    """Sends the staged copy `attach` made; once answered it becomes the cached file."""

    kind = "upload"
    fields = ("local_attachment_id", "filename", "size")
    creates = ("local_attachment_id",)

    def send(self, channel: Channel, command: Command) -> Any:
        p = command.payload
        local_id = p["local_attachment_id"]
        staged = channel.blobs.staged_path(local_id)
        if not staged.exists():
            raise ApiError(410, "attachment_missing",
                           f"The copy of {p['filename']} kept for sending is gone; attach it "
                           "again.")

        def progress(done: int, total: int) -> None:
            channel.emit(UploadProgress(local_id, done, total))

        return upload_sealed(channel.api, staged, channel.blobs.file_key, p["filename"],
                             progress, idempotency_key=command.idempotency_key)

    def check(self, response: Any) -> None:
        shapes.check_attachment(response)

    def store(self, conn: Connection, command: Command, response: Any) -> Applied:
        out = Applied()
        if isinstance(response, dict):
            out.keys |= outbox.rewrite_local_id(conn, command.payload["local_attachment_id"],
                                                response["id"])
        return out

    def answered(self, blobs: BlobCache, command: Command, response: Any) -> None:
        if isinstance(response, dict):
            blobs.adopt_staged(command.payload["local_attachment_id"], response["id"])

    def refused(self, blobs: BlobCache, command: Command) -> None:
        blobs.drop_staged(command.payload["local_attachment_id"])


class DeleteUpload(CommandType):
    """Removes an attachment taken off a draft, and its local encrypted copy."""

    kind = "delete_upload"
    fields = ("attachment_id",)
    gone_is_done = True
    # An upload a sent message carries stays with the message, which is all taking it off a
    # draft asked for.
    done_anyway = "attachment_in_use"

    def send(self, channel: Channel, command: Command) -> Any:
        return channel.api.delete_blob(command.payload["attachment_id"])

    def store(self, conn: Connection, command: Command, response: Any) -> Applied:
        return Applied(purged_attachments=[command.payload["attachment_id"]])

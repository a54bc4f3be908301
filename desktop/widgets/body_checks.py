"""What keeps a message's body and attachments from being sent, in the words shown under the
editor as the user types: the server's minimum length, uploads still running, files refused.
Shared by the composer window and the inline reply."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from desktop.widgets.attachment_strip import AttachmentStrip


def body_problems(limits: dict, body_length: int, attachments: AttachmentStrip) -> list[str]:
    def tr(text: str) -> str:
        return QCoreApplication.translate("BodyChecks", text)

    found: list[str] = []
    minimum = int(limits.get("min_body_chars") or 0)
    missing = minimum - body_length
    if missing > 0:
        found.append(tr("Write at least %d characters (%d more).") % (minimum, missing))
    if attachments.busy():
        found.append(tr("Waiting for attachments to finish uploading."))
    if attachments.blocked():
        found.append(tr("Remove the attachments that could not be attached."))
    return found

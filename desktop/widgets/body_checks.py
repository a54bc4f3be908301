"""What keeps a message's body and attachments from being sent, and how the editors show it.

The composer window and the inline reply both follow this one rule as the user types: the
body's visible length is counted as the server counts it (``sync.body_text``) against the
server's minimum as the session knows it now; uploads still running and files refused also
block. Send is disabled while anything blocks, with the reasons as its tooltip and, where the
editor shows them, in the hint under the body.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QLabel, QPushButton

from desktop.rich_text import document_to_html
from desktop.widgets.attachment_strip import AttachmentStrip
from sync.body_text import visible_length


def _tr(text: str) -> str:
    return QCoreApplication.translate("BodyChecks", text)


def document_length(document: QTextDocument) -> int:
    """Characters of the document the server will count (as the HTML that is sent)."""
    return visible_length(document_to_html(document))


def body_problems(limits: dict, body_length: int, attachments: AttachmentStrip) -> list[str]:
    found: list[str] = []
    minimum = int(limits.get("min_body_chars") or 0)
    missing = minimum - body_length
    if body_length == 0 and (minimum > 0 or not attachments.items()):
        found.append(_tr("Write your message first (at least %d characters).") % minimum
                     if minimum > 0 else _tr("Write your message first."))
    elif missing > 0:
        found.append(_tr("Write at least %d characters (%d more).") % (minimum, missing))
    if attachments.busy():
        found.append(_tr("Waiting for attachments to finish uploading."))
    if attachments.blocked():
        found.append(_tr("Remove the attachments that could not be attached."))
    return found


def show_problems(problems: list[str], send_button: QPushButton, hint: QLabel, *,
                  sending: bool, hint_shown: bool = True, ready_tip: str = "") -> None:
    """Send follows `problems`: disabled with them as its tooltip; the hint repeats them."""
    text = "  ".join(problems)
    hint.setText(text if hint_shown else "")
    hint.setVisible(hint_shown and bool(problems))
    send_button.setEnabled(not problems and not sending)
    send_button.setToolTip(text or ready_tip or _tr("Send (Ctrl+Enter)"))

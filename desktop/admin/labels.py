"""The words the administration windows show: audit actions, a person's standing, counts
and the red line under a form (what failed is said by desktop.error_text)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QLabel

from desktop.display import long_time


def _tr(text: str) -> str:
    return QCoreApplication.translate("admin", text)


STAFF_ROLES = ("therapist", "front_office", "biller", "admin", "external_agent")

AUDIT_ACTIONS = {
    "login": "Signed in",
    "login_failed": "Sign-in failed",
    "send": "Sent a message",
    "read_thread": "Read a conversation",
    "delete_message": "Deleted a message",
    "delete_thread": "Deleted a conversation",
    "quick_note": "Quick note",
    "client_status": "Changed a client's status",
    "person_create": "Added a person",
    "person_update": "Changed a person",
    "person_disable": "Disabled a person",
    "invite": "Sent an invite",
    "password_reset": "Asked for a password reset",
    "password_set": "Set a password",
    "mfa_enable": "Turned on two-step sign-in",
    "mfa_disable": "Turned off two-step sign-in",
    "mfa_reset": "Reset two-step sign-in",
    "import": "Imported clients",
    "practice_update": "Changed the practice settings",
}


def count_text(count: int, one: str, many: str) -> str:
    """'1 person', '3 people': the number with the word that goes with it."""
    return f"{count} {_tr(one) if count == 1 else _tr(many)}"


def action_label(action: str) -> str:
    return _tr(AUDIT_ACTIONS[action]) if action in AUDIT_ACTIONS else action


def account_state(person: dict) -> str:
    """Where a person's account stands, in a few words."""
    if person.get("disabled"):
        return _tr("Disabled")
    if person.get("kind") == "client" and not person.get("has_portal_account"):
        return _tr("No portal access")
    if not person.get("password_set"):
        return _tr("Invited") if person.get("invite_sent_at") else _tr("Not invited")
    return _tr("Active")


def invite_text(person: dict) -> str:
    sent = person.get("invite_sent_at")
    if sent:
        return _tr("Last invite sent %s.") % long_time(sent)
    if person.get("password_set"):
        return _tr("Has set a password.")
    return _tr("No invite sent yet.")


def error_label(name: str) -> QLabel:
    """The red sentence under a form that says why the server refused, hidden until then."""
    label = QLabel()
    label.setObjectName(name)
    label.setWordWrap(True)
    label.setStyleSheet("color: #c53030;")
    label.setVisible(False)
    return label

"""Every messaging rule of the practice, as pure functions over plain data.

The endpoints call these to refuse an action, and the serializers call the same
functions to compute the capability flags a client renders, so the two agree.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

STAFF_ROLES = ("therapist", "front_office", "biller", "admin", "external_agent")
CLIENT_WRITABLE_ROLES = ("front_office", "biller")  # besides a client's own therapists
INACTIVE_CLIENT_ROLES = ("front_office", "biller")
STATUS_CHANGER_ROLES = ("admin", "front_office")
# The built-in folders a thread can be placed in: Sent lists the threads one wrote in, wherever
# they are placed, and Drafts hold no threads. A person's own folders take threads too.
THREAD_FOLDERS = ("inbox", "archive", "trash")

MULTI_CLIENT_REASON = (
    "Messages sent to more than one client cannot be replied to — start a new message."
)
INACTIVE_REASON = (
    "Your account is inactive: you can only write to the front office and billing staff."
)


@dataclass(frozen=True)
class Who:
    """The facts about one person that the rules look at."""

    id: str
    kind: str  # "staff" | "client"
    role: str | None = None
    status: str | None = None  # clients: "active" | "inactive"

    @property
    def is_staff(self) -> bool:
        return self.kind == "staff"

    @property
    def is_client(self) -> bool:
        return self.kind == "client"

    @property
    def is_inactive_client(self) -> bool:
        return self.is_client and self.status == "inactive"


@dataclass(frozen=True)
class Decision:
    allowed: bool
    code: str | None = None
    reason: str | None = None

    def __bool__(self) -> bool:
        return self.allowed


ALLOW = Decision(True)


def deny(code: str, reason: str) -> Decision:
    return Decision(False, code, reason)


def count_clients(people: Iterable[Who]) -> int:
    return sum(1 for p in people if p.is_client)


def _inactive_rule(actor: Who, others: Sequence[Who]) -> Decision:
    if actor.is_inactive_client and any(
        not (o.is_staff and o.role in INACTIVE_CLIENT_ROLES) for o in others
    ):
        return deny("inactive_client_recipient", INACTIVE_REASON)
    return ALLOW


def may_add_message(actor: Who, participants: Sequence[Who]) -> Decision:
    """May a participant of a thread add a message to it (reply all)?"""
    if count_clients(participants) >= 2:
        return deny("reply_not_allowed", MULTI_CLIENT_REASON)
    others = [p for p in participants if p.id != actor.id]
    return _inactive_rule(actor, others)


GROUPS_REFUSED = deny("recipient_not_allowed", "Clients cannot write to a group.")


def may_address(
    actor: Who,
    recipients: Sequence[Who],
    client_directory_ids: set[str] | frozenset[str] = frozenset(),
    used_groups: bool = False,
) -> Decision:
    """May `actor` start a thread with these (already expanded, sender-free) recipients?

    `client_directory_ids` are the staff a client may write to (its directory).
    """
    if not recipients:
        return deny("no_recipients", "Add at least one recipient other than yourself.")
    if actor.is_staff:
        return ALLOW
    if used_groups and not may_address_groups(actor):
        return GROUPS_REFUSED
    inactive = _inactive_rule(actor, recipients)
    if not inactive:
        return inactive
    if any(r.is_client for r in recipients):
        return deny("client_cannot_message_client", "Clients cannot send messages to clients.")
    if any(r.id not in client_directory_ids for r in recipients):
        return deny(
            "recipient_not_allowed",
            "You can write only to your therapists, the front office and billing.",
        )
    return ALLOW


def client_may_write_to(client_therapist_ids: set[str], staff: Who) -> bool:
    """Whether a staff member belongs in a client's directory."""
    return staff.is_staff and (
        staff.id in client_therapist_ids or staff.role in CLIENT_WRITABLE_ROLES
    )


DELETE_MESSAGE_DENIED = deny(
    "delete_not_allowed",
    "Only the staff member who sent a message to a client can delete it permanently.",
)
DELETE_THREAD_DENIED = deny(
    "delete_not_allowed",
    "Only the staff member who started a conversation with a client can delete it permanently.",
)


def may_delete_message(actor: Who, sender_id: str, client_count: int) -> Decision:
    if actor.is_staff and actor.id == sender_id and client_count >= 1:
        return ALLOW
    return DELETE_MESSAGE_DENIED


def may_delete_thread(actor: Who, created_by: str, client_count: int) -> Decision:
    if actor.is_staff and actor.id == created_by and client_count >= 1:
        return ALLOW
    return DELETE_THREAD_DENIED


def may_quick_note(actor: Who, participant_ids: Iterable[str], client_count: int) -> Decision:
    if actor.role != "therapist" or not actor.is_staff or actor.id not in set(participant_ids):
        return deny(
            "quick_note_not_allowed",
            "Only a therapist taking part in the conversation can save it as a chart note.",
        )
    if client_count != 1:
        return deny(
            "quick_note_not_allowed",
            "A chart note can be made only from a conversation with exactly one client.",
        )
    return ALLOW


def may_change_client_status(actor: Who) -> Decision:
    if actor.is_staff and actor.role in STATUS_CHANGER_ROLES:
        return ALLOW
    return deny(
        "forbidden", "Only the front office and administrators can change a client's status."
    )


def may_read_all_notes(actor: Who, assigned_therapist_ids: Collection[str]) -> bool:
    """Every chart note of a client: its assigned therapists and admins.

    Anyone else reads only the notes they wrote themselves (a quick note from a thread).
    """
    if not actor.is_staff:
        return False
    if actor.role == "admin":
        return True
    return actor.role == "therapist" and actor.id in assigned_therapist_ids


def may_read_audit(actor: Who) -> Decision:
    if actor.is_staff and actor.role == "admin":
        return ALLOW
    return deny("forbidden", "Only administrators can read the audit log.")


def may_address_groups(actor: Who) -> bool:
    return actor.is_staff


def sees_receipts(actor: Who, sender_id: str) -> bool:
    return actor.is_staff and actor.id == sender_id


def visible_participants(viewer: Who, participants: Sequence[Who]) -> list[Who]:
    """A client never learns of the other clients in a thread."""
    if viewer.is_staff:
        return list(participants)
    return [p for p in participants if p.is_staff or p.id == viewer.id]


# --- Administration: who may manage whom (role x target kind x action) ----------------------

ADMIN_ACTIONS = ("list", "create", "edit", "disable", "invite", "reset_mfa", "import")
# Front office manages clients (not their second factor); admins manage everyone.
FRONT_OFFICE_CLIENT_ACTIONS = ("list", "create", "edit", "disable", "invite", "import")
ADMIN_ONLY_REASON = "Only administrators can manage staff accounts."
NOT_ADMIN_REASON = "Only administrators and the front office can manage people."


def may_manage_person(actor: Who, target_kind: str, action: str) -> Decision:
    """May `actor` do `action` (one of ADMIN_ACTIONS) to people of `target_kind`?"""
    assert action in ADMIN_ACTIONS, action
    if not actor.is_staff:
        return deny("forbidden", NOT_ADMIN_REASON)
    if actor.role == "admin":
        return ALLOW
    if actor.role == "front_office":
        if target_kind == "client" and action in FRONT_OFFICE_CLIENT_ACTIONS:
            return ALLOW
        if target_kind == "client":
            return deny("forbidden", "Only administrators can reset a client's two-step sign-in.")
        return deny("forbidden", ADMIN_ONLY_REASON)
    return deny("forbidden", NOT_ADMIN_REASON)


def may_manage_practice(actor: Who) -> Decision:
    if actor.is_staff and actor.role == "admin":
        return ALLOW
    return deny("forbidden", "Only administrators can change the practice's settings.")


def may_move_to(folder: str, is_own_folder: bool) -> Decision:
    """Where a thread may be placed: a built-in folder, or a folder of the person's own
    (`is_own_folder`: "folder:<id>" names one of theirs)."""
    if folder in THREAD_FOLDERS:
        return ALLOW
    if folder == "sent":
        return deny(
            "validation_error",
            "Sent lists the conversations you wrote in; move a thread elsewhere instead.",
        )
    if folder.startswith("folder:") and is_own_folder:
        return ALLOW
    return deny("validation_error", "That folder does not exist.")


def capabilities(actor: Who) -> dict[str, bool | list[str]]:
    """What the desktop may offer this person: the same decisions the endpoints enforce."""
    return {
        "can_change_status": may_change_client_status(actor).allowed,
        "move_targets": list(THREAD_FOLDERS),
        "manage_staff": may_manage_person(actor, "staff", "edit").allowed,
        "manage_clients": may_manage_person(actor, "client", "edit").allowed,
        "import_clients": may_manage_person(actor, "client", "import").allowed,
        "reset_mfa": may_manage_person(actor, "staff", "reset_mfa").allowed,
        "view_audit": may_read_audit(actor).allowed,
        "manage_practice": may_manage_practice(actor).allowed,
    }


def may_change_admin_set(enabled_admins_after: int) -> Decision:
    """A practice always keeps at least one enabled administrator."""
    if enabled_admins_after >= 1:
        return ALLOW
    return deny(
        "last_admin",
        "This is the practice's last enabled administrator: make someone else an administrator "
        "first.",
    )

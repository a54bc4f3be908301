"""The messaging rules of API.md as exhaustive tables over the pure functions of server.rules.

The expected outcome of each case is data written from API.md's tables and wording, not from
the code and not as a second copy of its logic, so a wrong rule fails: each case is looked
up by what it is (who acts, who else is there), never computed. The HTTP tables
(test_rules_table.py, test_rules_addressing.py) then prove the endpoints and the capability
flags use these same decisions.
"""

from __future__ import annotations

from itertools import chain, combinations

import pytest

from server import rules
from server.rules import Who

THERAPIST = Who("t1", "staff", "therapist")
OTHER_THERAPIST = Who("t2", "staff", "therapist")
FRONT_OFFICE = Who("fo", "staff", "front_office")
BILLER = Who("bi", "staff", "biller")
ADMIN = Who("ad", "staff", "admin")
AGENT = Who("ag", "staff", "external_agent")
ACTIVE = Who("c1", "client", status="active")
ACTIVE_2 = Who("c2", "client", status="active")
INACTIVE = Who("c3", "client", status="inactive")

STAFF = [THERAPIST, OTHER_THERAPIST, FRONT_OFFICE, BILLER, ADMIN, AGENT]
CLIENTS = [ACTIVE, ACTIVE_2, INACTIVE]
EVERYONE = STAFF + CLIENTS
ROLE_OF = {p.id: p.role or f"{p.status} client" for p in EVERYONE}


def subsets(people: list[Who]) -> list[tuple[Who, ...]]:
    return list(chain.from_iterable(combinations(people, n) for n in range(len(people) + 1)))


def label(p: Who) -> str:
    return ROLE_OF[p.id].replace(" ", "_")


# --- Who may add a message (API.md, "Threads and messages") --------------------------------
# (the one adding, clients in the thread, whether everyone else is front office or billing)
# -> the refusal code, or None when allowed. The table of API.md, row by row, and its bullet
# on inactive clients; a thread of 2+ clients refuses everyone before anything else. (A thread
# with a client in it always has someone besides the office for its staff.)
ADD_TABLE: dict[tuple[str, str, str], str | None] = {
    ("staff", "0", "only office"): None,
    ("staff", "0", "others too"): None,
    ("staff", "1", "others too"): None,
    ("staff", "2+", "others too"): "reply_not_allowed",
    ("active client", "1", "only office"): None,
    ("active client", "1", "others too"): None,
    ("active client", "2+", "others too"): "reply_not_allowed",
    ("inactive client", "1", "only office"): None,
    ("inactive client", "1", "others too"): "inactive_client_recipient",
    ("inactive client", "2+", "others too"): "reply_not_allowed",
}
OFFICE = {FRONT_OFFICE.id, BILLER.id}


def standing(p: Who) -> str:
    return "staff" if p.kind == "staff" else f"{p.status} client"


def add_row(actor: Who, others: tuple[Who, ...]) -> tuple[str, str, str]:
    """Which row of ADD_TABLE a case falls in (a description of the case, no rule)."""
    clients = sum(p.kind == "client" for p in (actor, *others))
    office = "only office" if {o.id for o in others} <= OFFICE else "others too"
    return standing(actor), str(clients) if clients < 2 else "2+", office


ADD_CASES = [
    (actor, others)
    for actor in EVERYONE
    for others in subsets([p for p in EVERYONE if p.id != actor.id])
    if others
]


@pytest.mark.parametrize(
    ("actor", "others"),
    ADD_CASES,
    ids=[f"{label(a)}-with-{'+'.join(label(o) for o in others)}" for a, others in ADD_CASES],
)
def test_may_add_message_every_composition(actor: Who, others: tuple[Who, ...]) -> None:
    decision = rules.may_add_message(actor, [actor, *others])
    expected = ADD_TABLE[add_row(actor, others)]
    assert decision.allowed is (expected is None)
    assert decision.code == expected
    # reply_blocked_reason is a sentence exactly when can_reply is false
    assert (decision.reason is not None) is (expected is not None)
    if decision.reason:
        assert len(decision.reason) > 20


def test_every_row_of_the_add_table_is_tried() -> None:
    assert {add_row(actor, others) for actor, others in ADD_CASES} == set(ADD_TABLE)


# --- Who a client may start a thread with (API.md, "Addresses", "Directory", "Threads") -----
# The recipients, by what each is to the client: T its own therapist, O front office or
# billing (both in its directory), S any other staff (not in it), C another client.
# Refusals in the order API.md gives: no recipient at all; the inactive rule (checked before
# the directory rule); no client to a client; only the staff the directory shows.
ACTIVE_CLIENT_TO: dict[str, str | None] = {
    "": "no_recipients",
    "T": None,
    "O": None,
    "S": "recipient_not_allowed",
    "C": "client_cannot_message_client",
    "TO": None,
    "TS": "recipient_not_allowed",
    "TC": "client_cannot_message_client",
    "OS": "recipient_not_allowed",
    "OC": "client_cannot_message_client",
    "SC": "client_cannot_message_client",
    "TOS": "recipient_not_allowed",
    "TOC": "client_cannot_message_client",
    "TSC": "client_cannot_message_client",
    "OSC": "client_cannot_message_client",
    "TOSC": "client_cannot_message_client",
}
INACTIVE_CLIENT_TO: dict[str, str | None] = {
    "": "no_recipients",
    "T": "inactive_client_recipient",
    "O": None,
    "S": "inactive_client_recipient",
    "C": "inactive_client_recipient",
    "TO": "inactive_client_recipient",
    "TS": "inactive_client_recipient",
    "TC": "inactive_client_recipient",
    "OS": "inactive_client_recipient",
    "OC": "inactive_client_recipient",
    "SC": "inactive_client_recipient",
    "TOS": "inactive_client_recipient",
    "TOC": "inactive_client_recipient",
    "TSC": "inactive_client_recipient",
    "OSC": "inactive_client_recipient",
    "TOSC": "inactive_client_recipient",
}
# Only staff may address groups: a client naming one is refused whoever it expands to.
CLIENT_VIA_GROUP_TO: dict[str, str | None] = {
    "": "no_recipients",
    **{kinds: "recipient_not_allowed" for kinds in ACTIVE_CLIENT_TO if kinds},
}
# Staff may write to anyone of their practice, groups included.
STAFF_TO: dict[str, str | None] = {"": "no_recipients", "someone": None}


def what_they_are(actor: Who, recipients: tuple[Who, ...]) -> str:
    """The key of a case in the tables above (a description of the case, no rule)."""
    if actor.kind == "staff":
        return "someone" if recipients else ""
    kinds = {
        "C" if r.kind == "client"
        else "T" if r.id == THERAPIST.id
        else "O" if r.id in OFFICE
        else "S"
        for r in recipients
    }
    return "".join(k for k in "TOSC" if k in kinds)


def address_table(actor: Who, groups: bool) -> dict[str, str | None]:
    if actor.kind == "staff":
        return STAFF_TO
    if groups:
        return CLIENT_VIA_GROUP_TO
    return INACTIVE_CLIENT_TO if actor.status == "inactive" else ACTIVE_CLIENT_TO


# A client's directory: its own therapist, the front office and billing (API.md, Directory).
CLIENT_DIRECTORY = {THERAPIST.id, FRONT_OFFICE.id, BILLER.id}
ADDRESS_CASES = [
    (actor, recipients, groups)
    for actor in EVERYONE
    for recipients in subsets([p for p in EVERYONE if p.id != actor.id])
    for groups in (False, True)
    if len(recipients) <= 4
]


@pytest.mark.parametrize(
    ("actor", "recipients", "groups"),
    ADDRESS_CASES,
    ids=[
        f"{label(a)}-to-{'+'.join(label(r) for r in rs) or 'nobody'}{'-via-group' if g else ''}"
        for a, rs, g in ADDRESS_CASES
    ],
)
def test_may_address_every_recipient_set(
    actor: Who, recipients: tuple[Who, ...], groups: bool
) -> None:
    directory = CLIENT_DIRECTORY if actor.kind == "client" else set()
    decision = rules.may_address(actor, list(recipients), directory, groups)
    assert decision.code == address_table(actor, groups)[what_they_are(actor, recipients)]
    assert decision.allowed is (decision.code is None)


def test_every_row_of_the_address_tables_is_tried() -> None:
    tried = {(id(address_table(a, g)), what_they_are(a, rs)) for a, rs, g in ADDRESS_CASES}
    for table in (ACTIVE_CLIENT_TO, INACTIVE_CLIENT_TO, CLIENT_VIA_GROUP_TO, STAFF_TO):
        assert {(id(table), key) for key in table} <= tried


@pytest.mark.parametrize(
    ("actor", "recipients", "code"),
    [
        pytest.param(ACTIVE, [THERAPIST], None, id="client-to-own-therapist"),
        pytest.param(ACTIVE, [OTHER_THERAPIST], "recipient_not_allowed", id="client-to-stranger"),
        pytest.param(ACTIVE, [ADMIN], "recipient_not_allowed", id="client-to-admin"),
        pytest.param(ACTIVE, [AGENT], "recipient_not_allowed", id="client-to-agent"),
        pytest.param(ACTIVE, [ACTIVE_2], "client_cannot_message_client", id="client-to-client"),
        pytest.param(
            ACTIVE,
            [THERAPIST, ACTIVE_2],
            "client_cannot_message_client",
            id="client-to-therapist-and-client",
        ),
        pytest.param(INACTIVE, [FRONT_OFFICE, BILLER], None, id="inactive-to-office"),
        pytest.param(
            INACTIVE, [THERAPIST], "inactive_client_recipient", id="inactive-to-own-therapist"
        ),
        # the inactive rule is checked before the directory rule
        pytest.param(
            INACTIVE, [OTHER_THERAPIST], "inactive_client_recipient", id="inactive-to-stranger"
        ),
        pytest.param(
            INACTIVE,
            [FRONT_OFFICE, THERAPIST],
            "inactive_client_recipient",
            id="inactive-to-office-and-therapist",
        ),
        pytest.param(THERAPIST, [INACTIVE, ACTIVE, ACTIVE_2], None, id="staff-to-any-clients"),
        pytest.param(THERAPIST, [], "no_recipients", id="staff-to-nobody"),
    ],
)
def test_may_address_named_cases(actor: Who, recipients: list[Who], code: str | None) -> None:
    directory = CLIENT_DIRECTORY if actor.kind == "client" else set()
    assert rules.may_address(actor, recipients, directory).code == code


# --- Permanent delete (API.md): staff, of their own message or thread, with a client in it --
# (their own?, clients in the thread) -> allowed; everything refused is `delete_not_allowed`.
STAFF_DELETE: dict[tuple[bool, int], bool] = {
    (True, 0): False, (True, 1): True, (True, 2): True, (True, 3): True,
    (False, 0): False, (False, 1): False, (False, 2): False, (False, 3): False,
}
CLIENT_DELETE: dict[tuple[bool, int], bool] = {
    (True, 0): False, (True, 1): False, (True, 2): False, (True, 3): False,
    (False, 0): False, (False, 1): False, (False, 2): False, (False, 3): False,
}
DELETE_CASES = [(actor, own, clients) for actor in EVERYONE for own, clients in STAFF_DELETE]


@pytest.mark.parametrize(
    ("actor", "own", "clients"),
    DELETE_CASES,
    ids=[f"{label(a)}-{'own' if own else 'others'}-{c}-clients" for a, own, c in DELETE_CASES],
)
def test_permanent_delete(actor: Who, own: bool, clients: int) -> None:
    author = actor.id if own else "someone-else"
    allowed = (STAFF_DELETE if actor.kind == "staff" else CLIENT_DELETE)[(own, clients)]
    for decision in (
        rules.may_delete_message(actor, author, clients),
        rules.may_delete_thread(actor, author, clients),
    ):
        assert decision.allowed is allowed
        assert decision.code == (None if allowed else "delete_not_allowed")


# --- Quick note (API.md): a therapist in the thread, with exactly one client in it -----------
# (in the thread?, clients in it) -> allowed; refusals are `quick_note_not_allowed`.
THERAPIST_NOTE: dict[tuple[bool, int], bool] = {
    (True, 0): False, (True, 1): True, (True, 2): False, (True, 3): False,
    (False, 0): False, (False, 1): False, (False, 2): False, (False, 3): False,
}
NOBODY_ELSE_NOTES: dict[tuple[bool, int], bool] = dict.fromkeys(THERAPIST_NOTE, False)
NOTE_CASES = [(actor, inside, clients) for actor in EVERYONE for inside, clients in THERAPIST_NOTE]


@pytest.mark.parametrize(
    ("actor", "inside", "clients"),
    NOTE_CASES,
    ids=[f"{label(a)}-{'in' if inside else 'outside'}-{c}-clients" for a, inside, c in NOTE_CASES],
)
def test_quick_note(actor: Who, inside: bool, clients: int) -> None:
    participants = [actor.id, "x"] if inside else ["x", "y"]
    decision = rules.may_quick_note(actor, participants, clients)
    allowed = (THERAPIST_NOTE if actor.role == "therapist" else NOBODY_ELSE_NOTES)[
        (inside, clients)]
    assert decision.allowed is allowed
    assert decision.code == (None if allowed else "quick_note_not_allowed")


# --- Rules of the role alone, one row per role (API.md: Client status, Audit log, Addresses,
# Quick note's notes, receipts and the participants a client sees) ---------------------------
# role -> (changes a client's status, reads the audit log, addresses groups, reads every note
# of a client assigned to them, reads every note of a client not assigned to them, sees
# receipts of what they sent, sees every participant of a thread)
BY_ROLE: dict[str, tuple[bool, bool, bool, bool, bool, bool, bool]] = {
    "therapist": (False, False, True, True, False, True, True),
    "front_office": (True, False, True, False, False, True, True),
    "biller": (False, False, True, False, False, True, True),
    "admin": (True, True, True, True, True, True, True),
    "external_agent": (False, False, True, False, False, True, True),
    "active client": (False, False, False, False, False, False, False),
    "inactive client": (False, False, False, False, False, False, False),
}


def test_every_role_has_its_row() -> None:
    assert set(BY_ROLE) == set(ROLE_OF.values())


@pytest.mark.parametrize("actor", EVERYONE, ids=label)
def test_role_only_rules(actor: Who) -> None:
    changes_status, reads_audit, groups, *_ = BY_ROLE[ROLE_OF[actor.id]]
    status = rules.may_change_client_status(actor)
    assert status.allowed is changes_status
    audit = rules.may_read_audit(actor)
    assert audit.allowed is reads_audit
    for decision in (status, audit):
        assert decision.code == (None if decision.allowed else "forbidden")
    assert rules.may_address_groups(actor) is groups


@pytest.mark.parametrize("actor", EVERYONE, ids=label)
def test_all_chart_notes_only_for_assigned_therapists_and_admins(actor: Who) -> None:
    _, _, _, assigned, unassigned, _, _ = BY_ROLE[ROLE_OF[actor.id]]
    assert rules.may_read_all_notes(actor, {actor.id}) is assigned
    assert rules.may_read_all_notes(actor, {"someone-else"}) is unassigned


@pytest.mark.parametrize("viewer", EVERYONE, ids=label)
def test_visible_participants_hide_other_clients(viewer: Who) -> None:
    *_, sees_everyone = BY_ROLE[ROLE_OF[viewer.id]]
    people = [*EVERYONE]
    seen = {p.id for p in rules.visible_participants(viewer, people)}
    if sees_everyone:
        assert seen == {p.id for p in people}
    else:
        assert seen == {p.id for p in STAFF} | {viewer.id}


@pytest.mark.parametrize("viewer", EVERYONE, ids=label)
def test_only_the_staff_sender_sees_receipts(viewer: Who) -> None:
    *_, receipts, _ = BY_ROLE[ROLE_OF[viewer.id]]
    assert rules.sees_receipts(viewer, viewer.id) is receipts
    assert rules.sees_receipts(viewer, "someone-else") is False


@pytest.mark.parametrize(
    ("staff", "expected"),
    [
        pytest.param(THERAPIST, True, id="own-therapist"),
        pytest.param(OTHER_THERAPIST, False, id="other-therapist"),
        pytest.param(FRONT_OFFICE, True, id="front-office"),
        pytest.param(BILLER, True, id="biller"),
        pytest.param(ADMIN, False, id="admin"),
        pytest.param(AGENT, False, id="external-agent"),
        pytest.param(ACTIVE_2, False, id="another-client"),
    ],
)
def test_client_directory_membership(staff: Who, expected: bool) -> None:
    assert rules.client_may_write_to({THERAPIST.id}, staff) is expected


# --- Where a thread may be placed (API.md, "Folders") ---------------------------------------
# (folder, whether "folder:<id>" is one of the person's own) -> allowed. Sent and Drafts are
# views, not places; someone else's folder looks the same as one that does not exist.
MOVE_TABLE: dict[tuple[str, bool], bool] = {
    ("inbox", False): True,
    ("archive", False): True,
    ("trash", False): True,
    ("sent", False): False,
    ("drafts", False): False,
    ("folder:f1", True): True,
    ("folder:f1", False): False,
    ("spam", False): False,
}


@pytest.mark.parametrize(("folder", "own"), list(MOVE_TABLE))
def test_where_a_thread_may_be_placed(folder: str, own: bool) -> None:
    decision = rules.may_move_to(folder, own)
    assert decision.allowed is MOVE_TABLE[(folder, own)]
    if not decision.allowed:
        assert decision.code == "validation_error" and decision.reason

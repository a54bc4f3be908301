"""The messaging rules of API.md as exhaustive tables over the pure functions of server.rules.

The expected outcome of each case is written from API.md's wording, not from the code: the
HTTP tables (test_rules_table.py, test_rules_addressing.py) then prove the endpoints and the
capability flags use these same decisions.
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


def spec_may_add(actor: Who, others: tuple[Who, ...]) -> str | None:
    """API.md, "who may add a message": None when allowed, else the refusal code."""
    clients = sum(p.kind == "client" for p in (actor, *others))
    if clients >= 2:
        return "reply_not_allowed"
    only_office = all(o.kind == "staff" and o.role in ("front_office", "biller") for o in others)
    if actor.kind == "client" and actor.status == "inactive" and not only_office:
        return "inactive_client_recipient"
    return None


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
    expected = spec_may_add(actor, others)
    assert decision.allowed is (expected is None)
    assert decision.code == expected
    # reply_blocked_reason is a sentence exactly when can_reply is false
    assert (decision.reason is not None) is (expected is not None)
    if decision.reason:
        assert len(decision.reason) > 20


def spec_may_address(
    actor: Who, recipients: tuple[Who, ...], directory: set[str], groups: bool
) -> str | None:
    if not recipients:
        return "no_recipients"
    if actor.kind == "staff":
        return None
    if groups:
        return "recipient_not_allowed"
    if actor.status == "inactive" and not all(
        r.kind == "staff" and r.role in ("front_office", "biller") for r in recipients
    ):
        return "inactive_client_recipient"
    if any(r.kind == "client" for r in recipients):
        return "client_cannot_message_client"
    if any(r.id not in directory for r in recipients):
        return "recipient_not_allowed"
    return None


# A client's directory: its own therapist, the front office and billing (API.md, Directory).
CLIENT_DIRECTORY = {THERAPIST.id, FRONT_OFFICE.id, BILLER.id}
ADDRESS_CASES = [
    (actor, recipients, groups)
    for actor in EVERYONE
    for recipients in subsets([p for p in EVERYONE if p.id != actor.id])
    for groups in (False, True)
    if len(recipients) <= 3
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
    assert decision.code == spec_may_address(actor, recipients, directory, groups)
    assert decision.allowed is (decision.code is None)


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


DELETE_CASES = [
    (actor, own, clients) for actor in EVERYONE for own in (True, False) for clients in (0, 1, 2, 3)
]


@pytest.mark.parametrize(
    ("actor", "own", "clients"),
    DELETE_CASES,
    ids=[f"{label(a)}-{'own' if own else 'others'}-{c}-clients" for a, own, c in DELETE_CASES],
)
def test_permanent_delete(actor: Who, own: bool, clients: int) -> None:
    author = actor.id if own else "someone-else"
    allowed = actor.kind == "staff" and own and clients >= 1
    for decision in (
        rules.may_delete_message(actor, author, clients),
        rules.may_delete_thread(actor, author, clients),
    ):
        assert decision.allowed is allowed
        assert decision.code == (None if allowed else "delete_not_allowed")


NOTE_CASES = [
    (actor, inside, clients)
    for actor in EVERYONE
    for inside in (True, False)
    for clients in (0, 1, 2, 3)
]


@pytest.mark.parametrize(
    ("actor", "inside", "clients"),
    NOTE_CASES,
    ids=[f"{label(a)}-{'in' if inside else 'outside'}-{c}-clients" for a, inside, c in NOTE_CASES],
)
def test_quick_note(actor: Who, inside: bool, clients: int) -> None:
    participants = [actor.id, "x"] if inside else ["x", "y"]
    decision = rules.may_quick_note(actor, participants, clients)
    allowed = actor.role == "therapist" and inside and clients == 1
    assert decision.allowed is allowed
    assert decision.code == (None if allowed else "quick_note_not_allowed")


@pytest.mark.parametrize("actor", EVERYONE, ids=label)
def test_role_only_rules(actor: Who) -> None:
    status = rules.may_change_client_status(actor)
    assert status.allowed is (actor.role in ("admin", "front_office"))
    audit = rules.may_read_audit(actor)
    assert audit.allowed is (actor.role == "admin")
    for decision in (status, audit):
        assert decision.code == (None if decision.allowed else "forbidden")
    assert rules.may_address_groups(actor) is (actor.kind == "staff")


@pytest.mark.parametrize("actor", EVERYONE, ids=label)
def test_all_chart_notes_only_for_assigned_therapists_and_admins(actor: Who) -> None:
    assert rules.may_read_all_notes(actor, {actor.id}) is (actor.role in ("admin", "therapist"))
    assert rules.may_read_all_notes(actor, {"someone-else"}) is (actor.role == "admin")


@pytest.mark.parametrize("viewer", EVERYONE, ids=label)
def test_visible_participants_hide_other_clients(viewer: Who) -> None:
    people = [*EVERYONE]
    seen = {p.id for p in rules.visible_participants(viewer, people)}
    if viewer.kind == "staff":
        assert seen == {p.id for p in people}
    else:
        assert seen == {p.id for p in STAFF} | {viewer.id}


@pytest.mark.parametrize("viewer", EVERYONE, ids=label)
def test_only_the_staff_sender_sees_receipts(viewer: Who) -> None:
    assert rules.sees_receipts(viewer, viewer.id) is (viewer.kind == "staff")
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

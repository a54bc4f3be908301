"""Who may manage whom, as data: role x target kind x action, and the capability flags."""

from __future__ import annotations

import pytest

from server import rules
from server.rules import Who

ROLES = ("admin", "therapist", "front_office", "biller", "external_agent", "client")
ALL = rules.ADMIN_ACTIONS
FRONT_OFFICE_ON_CLIENTS = ("list", "create", "edit", "disable", "invite", "import")

# (role, target kind) -> the actions allowed; everything else is refused with `forbidden`.
EXPECTED: dict[tuple[str, str], tuple[str, ...]] = {
    ("admin", "staff"): ALL,
    ("admin", "client"): ALL,
    ("front_office", "client"): FRONT_OFFICE_ON_CLIENTS,
    ("front_office", "staff"): (),
    **{(role, kind): () for role in ("therapist", "biller", "external_agent", "client")
       for kind in ("staff", "client")},
}

CAPABILITIES = {
    "admin": dict(manage_staff=True, manage_clients=True, import_clients=True, reset_mfa=True,
                  view_audit=True, manage_practice=True, can_change_status=True),
    "front_office": dict(manage_staff=False, manage_clients=True, import_clients=True,
                         reset_mfa=False, view_audit=False, manage_practice=False,
                         can_change_status=True),
    **{role: dict(manage_staff=False, manage_clients=False, import_clients=False,
                  reset_mfa=False, view_audit=False, manage_practice=False,
                  can_change_status=False)
       for role in ("therapist", "biller", "external_agent", "client")},
}
# Everyone may move a thread into the same built-in folders (and their own).
MOVE_TARGETS = ["inbox", "archive", "trash"]


def who(role: str) -> Who:
    if role == "client":
        return Who(id="c", kind="client", status="active")
    return Who(id="s", kind="staff", role=role)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("kind", ("staff", "client"))
@pytest.mark.parametrize("action", ALL)
def test_manage_person_table(role: str, kind: str, action: str) -> None:
    decision = rules.may_manage_person(who(role), kind, action)
    assert decision.allowed == (action in EXPECTED[(role, kind)])
    if not decision.allowed:
        assert decision.code == "forbidden" and decision.reason


@pytest.mark.parametrize("role", ROLES)
def test_capabilities_are_the_decisions(role: str) -> None:
    assert rules.capabilities(who(role)) == {**CAPABILITIES[role], "move_targets": MOVE_TARGETS}


@pytest.mark.parametrize("role", ROLES)
def test_only_admins_manage_the_practice(role: str) -> None:
    assert rules.may_manage_practice(who(role)).allowed == (role == "admin")


def test_the_last_admin_is_kept() -> None:
    assert rules.may_change_admin_set(1).allowed
    refused = rules.may_change_admin_set(0)
    assert not refused.allowed and refused.code == "last_admin"

"""The session's capability flags for the inbox, per role, as data: who may switch a client
between active and inactive (and the server then agrees), and where threads may be moved."""

from __future__ import annotations

import pytest

from server import rules
from tests.server.test_admin_access import ACTORS
from tests.server.test_rules_admin import who
from tests.support.api_client import Api, assert_problem

# API.md: "PATCH /clients/{id} {status}: admin, front_office".
CHANGES_STATUS = {"admin": True, "front_office": True, "therapist": False, "biller": False,
                  "external_agent": False, "client": False}
# A client does not learn whether another client exists: not found, rather than forbidden.
REFUSED = {"client": (404, "not_found")}
# API.md: a thread may be moved into inbox, archive, trash or one's own folder (not sent).
MOVE_TARGETS = ["inbox", "archive", "trash"]


@pytest.mark.parametrize("role", sorted(ACTORS))
def test_the_rules_give_the_flags_of_the_table(role: str) -> None:
    caps = rules.capabilities(who(role))
    assert caps["can_change_status"] is CHANGES_STATUS[role]
    assert caps["move_targets"] == MOVE_TARGETS


@pytest.mark.parametrize("role", sorted(ACTORS))
def test_the_session_flag_is_what_the_server_then_does(shared_api: Api, role: str) -> None:
    user = shared_api.as_(ACTORS[role])
    caps = user.get("/session").json()["capabilities"]
    assert caps["can_change_status"] is CHANGES_STATUS[role]
    assert caps["move_targets"] == MOVE_TARGETS
    client_id = shared_api.id("blair")
    reply = user.patch(f"/clients/{client_id}", {"status": "active"})
    if CHANGES_STATUS[role]:
        assert reply.status_code == 200, reply.text
    else:
        assert_problem(reply, *REFUSED.get(role, (403, "forbidden")))


def test_every_move_target_takes_a_thread_and_sent_does_not(shared_api: Api) -> None:
    rivera = shared_api.as_("dr.rivera")
    thread = rivera.send(["alex"], "Move me", "<p>Somewhere else, please.</p>").json()["thread"]
    for folder in rivera.get("/session").json()["capabilities"]["move_targets"]:
        moved = rivera.patch(f"/threads/{thread['id']}/state", {"folder": folder})
        assert moved.status_code == 200 and moved.json()["folder"] == folder, moved.text
    assert_problem(rivera.patch(f"/threads/{thread['id']}/state", {"folder": "sent"}), 422,
                   "validation_error")

"""GET/PATCH /admin/practice: the name, two-step sign-in for staff and the portal notice."""

from __future__ import annotations

from tests.support.api_client import Api, assert_problem


def test_practice_settings_change_and_are_checked(api: Api) -> None:
    admin = api.as_("admin")
    shown = admin.get("/admin/practice").json()
    assert shown["name"] == "Lakeside Counseling" and shown["slug"] == "lakeside"
    assert shown["require_mfa_for_staff"] is False and shown["portal_notice"] == ""
    assert shown["portal_url"].endswith("/portal/lakeside/")
    notice = "Closed on 24 December. " * 13  # 299 characters
    reply = admin.patch("/admin/practice", {"name": "Lakeside Counseling Group",
                                            "portal_notice": notice})
    assert reply.status_code == 200, reply.text
    assert reply.json()["portal_notice"] == notice.strip()
    assert admin.get("/session").json()["practice"]["name"] == "Lakeside Counseling Group"
    assert_problem(admin.patch("/admin/practice", {"portal_notice": "x" * 301}), 422,
                   "validation_error")
    assert_problem(admin.patch("/admin/practice", {"name": " "}), 422, "validation_error")
    assert_problem(admin.patch("/admin/practice", {"slug": "other"}), 422, "validation_error")
    assert admin.get("/admin/practice").json()["portal_notice"] == notice.strip()
    events = admin.get("/audit", params={"action": "practice_update"}).json()["events"]
    assert len(events) == 1 and events[0]["actor_id"] == api.id("admin")
    # Harbor's settings are its own.
    assert api.as_("harbor.admin").get("/admin/practice").json()["name"] == "Harbor Therapy"

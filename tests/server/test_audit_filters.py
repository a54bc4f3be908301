"""GET /audit's filters (actor, target, action, time), newest-first paging over the whole
history, and the CSV export of the same selection."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from typing import Any

from server.db.models import AuditEvent, Practice
from tests.support.api_client import Api, User, assert_problem
from tests.support.live_server import LiveServer


def newest_pages(user: User, limit: int, **filters: Any) -> list[list[dict[str, Any]]]:
    pages, params = [], {"order": "newest", "limit": limit, **filters}
    while True:
        page = user.get("/audit", params=params).json()
        pages.append(page["events"])
        if page["next"] is None:
            return pages
        params["before"] = page["next"]


def test_filters_paging_and_csv(server: LiveServer) -> None:
    api = Api(server)
    admin = api.as_("admin")
    for username in ("dr.rivera", "dr.chen", "alex"):
        api.as_(username)  # each signs in: a `login` event
    front = api.as_("frontdesk")
    front.patch(f"/admin/people/{api.id('blair')}", {"name": "Blair T."})
    # Years of history: the log is not capped.
    with server.ctx.sessions() as db:
        practice_id = db.query(Practice.id).filter(Practice.slug == "lakeside").scalar()
        old = datetime.now(UTC) - timedelta(days=3 * 365)
        for day in range(5):
            db.add(AuditEvent(practice_id=practice_id, at=old + timedelta(days=day),
                              actor_id=api.id("dr.chen"), action="read_thread",
                              target_type="thread", target_id=f"old-thread-{day}", ip="10.0.0.9"))
        db.commit()

    everything = [e for page in newest_pages(admin, 1000) for e in page]
    ids = [e["id"] for e in everything]
    assert ids == sorted(ids, reverse=True) and len(ids) == len(set(ids))
    pages = newest_pages(admin, 3)
    assert all(len(p) <= 3 for p in pages) and [e for p in pages for e in p] == everything

    chen = [e for p in newest_pages(admin, 2, actor_id=api.id("dr.chen")) for e in p]
    assert chen and {e["actor_id"] for e in chen} == {api.id("dr.chen")}
    assert len(chen) == 6  # a sign-in and five old reads
    updates = admin.get("/audit", params={"action": "person_update"}).json()["events"]
    assert [(e["actor_id"], e["target_id"]) for e in updates] == [
        (api.id("frontdesk"), api.id("blair"))]
    on_blair = admin.get("/audit", params={"target_id": api.id("blair")}).json()["events"]
    assert [e["action"] for e in on_blair] == ["person_update"]
    window = admin.get("/audit", params={
        "from": (old + timedelta(days=1)).isoformat().replace("+00:00", "Z"),
        "to": (old + timedelta(days=3)).isoformat().replace("+00:00", "Z")}).json()["events"]
    assert [e["target_id"] for e in window] == ["old-thread-1", "old-thread-2"]

    exported = admin.get("/audit", params={"format": "csv", "actor_id": api.id("dr.chen")})
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/csv")
    assert "attachment" in exported.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert [int(r["id"]) for r in rows] == [e["id"] for e in chen]
    assert {r["actor_username"] for r in rows} == {"dr.chen"}
    # Written last, the back-dated rows have the highest ids: the log pages by id.
    assert rows[4]["target_id"] == "old-thread-0" and rows[4]["ip"] == "10.0.0.9"
    full = list(csv.DictReader(io.StringIO(admin.get("/audit", params={"format": "csv"}).text)))
    assert len(full) == len(everything)


def test_bad_filters_are_422(api: Api) -> None:
    admin = api.as_("admin")
    assert_problem(admin.get("/audit", params={"action": "hack"}), 422, "validation_error")
    assert_problem(admin.get("/audit", params={"from": "yesterday"}), 422, "validation_error")
    assert_problem(admin.get("/audit", params={"to": "2026-01-01T00:00:00"}), 422,
                   "validation_error")
    assert_problem(admin.get("/audit", params={"format": "xml"}), 422, "validation_error")


def test_the_original_oldest_first_paging_still_works(api: Api) -> None:
    admin = api.as_("admin")
    api.as_("dr.rivera")
    first = admin.get("/audit", params={"limit": 1}).json()
    second = admin.get("/audit", params={"limit": 1, "since": first["next"]}).json()
    assert first["events"][0]["id"] < second["events"][0]["id"]
